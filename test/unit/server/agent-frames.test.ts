import { describe, expect, it } from 'vitest';
import { parseAgentFrame } from '../../../server/modules/agents/agent-frames.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('parseAgentFrame', () => {
  it('accepts a valid heartbeat and fills defaults', () => {
    const verdict = parseAgentFrame(
      json({ type: 'heartbeat', seq: 1, sentAt: 2, healthy: true, role: 'passive', epoch: 0 }),
      false,
    );
    expect(verdict).toEqual({
      ok: true,
      message: { type: 'heartbeat', seq: 1, sentAt: 2, healthy: true, role: 'passive', epoch: 0, components: [] },
    });
  });

  it.each([
    ['binary', Buffer.from([0]), true, 'BINARY_FRAME', /binary/],
    ['not JSON', Buffer.from('{'), false, 'INVALID_JSON', /not valid JSON/],
    ['a string', json('hello'), false, 'INVALID_MESSAGE', /JSON object/],
    ['null', json(null), false, 'INVALID_MESSAGE', /JSON object/],
    ['no type', json({}), false, 'UNKNOWN_MESSAGE_TYPE', /unknown message type null/],
    ['a number type', json({ type: 7 }), false, 'UNKNOWN_MESSAGE_TYPE', /unknown message type 7/],
    [
      'an unknown type',
      json({ type: 'welcome' }),
      false,
      'UNKNOWN_MESSAGE_TYPE',
      /expected one of hello, heartbeat, command-result/,
    ],
    [
      'an old protocol',
      json({ type: 'hello', protocol: 0, agentVersion: 'x', intervalMs: 1000, role: 'passive', epoch: 0 }),
      false,
      'INVALID_MESSAGE',
      /hello\.protocol/,
    ],
    [
      'a bad component',
      json({
        type: 'heartbeat',
        seq: 1,
        sentAt: 2,
        healthy: true,
        role: 'passive',
        epoch: 0,
        components: [{ name: '', kind: 'disk', healthy: 1 }],
      }),
      false,
      'INVALID_MESSAGE',
      /heartbeat\.components\.0\.name/,
    ],
  ])('refuses %s', (_what, data, binary, code, message) => {
    const verdict = parseAgentFrame(data, binary);
    expect(verdict).toMatchObject({ ok: false, code, message: expect.stringMatching(message) });
  });
});
