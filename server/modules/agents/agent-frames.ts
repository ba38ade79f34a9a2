import type { z } from 'zod';
import { type AgentMessage, agentMessage } from '../../contract/agent-protocol.ts';

/** Pure: one received frame → a valid agent message, or an error the agent can act on. */

export type FrameVerdict =
  | { ok: true; message: AgentMessage }
  | { ok: false; code: 'BINARY_FRAME' | 'INVALID_JSON' | 'UNKNOWN_MESSAGE_TYPE' | 'INVALID_MESSAGE'; message: string };

const KNOWN_TYPES = agentMessage.options.map((option) => option.shape.type.value);

export function describeIssues(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}

export function parseAgentFrame(data: Buffer | string, isBinary: boolean): FrameVerdict {
  if (isBinary) {
    return {
      ok: false,
      code: 'BINARY_FRAME',
      message: 'binary frames are not accepted: send one JSON object per text frame',
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, code: 'INVALID_JSON', message: `frame is not valid JSON: ${reason}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'INVALID_MESSAGE', message: 'a message must be a JSON object with a "type"' };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(KNOWN_TYPES as string[]).includes(type)) {
    return {
      ok: false,
      code: 'UNKNOWN_MESSAGE_TYPE',
      message: `unknown message type ${JSON.stringify(type ?? null)}: expected one of ${KNOWN_TYPES.join(', ')}`,
    };
  }
  const parsed = agentMessage.safeParse(value);
  if (!parsed.success) {
    return { ok: false, code: 'INVALID_MESSAGE', message: `invalid ${type}: ${describeIssues(parsed.error, type)}` };
  }
  return { ok: true, message: parsed.data };
}
