import { z } from 'zod';

/**
 * The agent protocol (SPEC §4): what travels over the `/api/v1/agent`
 * WebSocket, one JSON object per text frame, and what the plain-HTTP
 * heartbeat endpoint accepts. Shared by the server, the agent and the tests.
 */

export const AGENT_PROTOCOL_VERSION = 1;

/** Largest frame either side accepts; a heartbeat with dozens of components is ~4 KB. */
export const MAX_AGENT_FRAME_BYTES = 64 * 1024;

/** WebSocket close codes the server uses (4000–4999 are application codes). */
export const AGENT_CLOSE = {
  /** token unknown, malformed or revoked: the agent retries only slowly (re-reading its token file) */
  unauthorized: 4401,
  /** the same node connected again; this older connection is closed */
  replaced: 4409,
  /** too many invalid frames or frames too fast */
  policyViolation: 1008,
  /** frame larger than MAX_AGENT_FRAME_BYTES */
  tooBig: 1009,
  /** server shutting down: reconnect with backoff */
  goingAway: 1001,
} as const;

export const nodeRole = z.enum(['active', 'passive', 'unknown']);
export type NodeRole = z.infer<typeof nodeRole>;

const shortText = (max: number) => z.string().max(max);

export const componentKind = z.enum(['process', 'tcp', 'http', 'command']);

/** One critical component's result in one heartbeat. */
export const componentResult = z.object({
  name: shortText(100).min(1),
  kind: componentKind,
  healthy: z.boolean(),
  /** why it is unhealthy, or a short note ("pid 1234", "HTTP 200 in 12 ms") */
  detail: shortText(500).optional(),
  durationMs: z.number().nonnegative().max(3_600_000).optional(),
});
export type ComponentResult = z.infer<typeof componentResult>;

/** What this node's agent sees of another member's critical endpoints (SPEC rule 11). */
export const peerReport = z.object({
  /** the peer node's name as configured on the server */
  node: shortText(100).min(1),
  healthy: z.boolean(),
  /** agent clock, ms since epoch, of the probe */
  checkedAt: z.number().int().nonnegative(),
  components: z.array(componentResult).max(50),
});
export type PeerReport = z.infer<typeof peerReport>;

/** The heartbeat body, shared by the WebSocket message and the HTTP endpoint. */
export const heartbeatBody = z.object({
  /** increases by one per heartbeat of one agent process; restarts at 1 */
  seq: z.number().int().nonnegative(),
  /** the agent's clock, ms since epoch: informative only, the server's receive time drives thresholds */
  sentAt: z.number().int().nonnegative(),
  healthy: z.boolean(),
  components: z.array(componentResult).max(100).default([]),
  role: nodeRole,
  /** the highest epoch the agent has seen (persisted on its disk) */
  epoch: z.number().int().nonnegative(),
  peers: z.array(peerReport).max(10).optional(),
});
export type HeartbeatBody = z.infer<typeof heartbeatBody>;

export const commandName = z.enum(['prepare', 'promote', 'demote', 'fence']);
export type CommandName = z.infer<typeof commandName>;

/** Why an agent refused a command without running its hook. */
export const refusalReason = z.enum([
  /** epoch older than the highest the agent has seen */
  'stale-epoch',
  /** the pre-promote check hook failed (its output is in `output`) */
  'pre-promote-check',
  /** no hook configured for this command */
  'no-hook',
  /** another command is running */
  'busy',
]);

// ---- agent → server --------------------------------------------------------

export const helloMessage = z.object({
  type: z.literal('hello'),
  protocol: z.literal(AGENT_PROTOCOL_VERSION),
  agentVersion: shortText(50).min(1),
  hostname: shortText(255).optional(),
  /** the agent's heartbeat interval, so the server can warn when thresholds are tighter */
  intervalMs: z.number().int().min(100).max(3_600_000),
  role: nodeRole,
  epoch: z.number().int().nonnegative(),
});

export const heartbeatMessage = heartbeatBody.extend({ type: z.literal('heartbeat') });

export const commandResultMessage = z.object({
  type: z.literal('command-result'),
  commandId: shortText(100).min(1),
  command: commandName,
  epoch: z.number().int().nonnegative(),
  /** true when the hook ran and exited 0 (or the command was already done: see `duplicate`) */
  ok: z.boolean(),
  exitCode: z.number().int().nullable(),
  /** the hook's combined output, trimmed to its last 4 KB */
  output: shortText(8192),
  refused: refusalReason.optional(),
  /** this commandId (or a promote at this epoch) was already executed: the recorded result is returned */
  duplicate: z.boolean().optional(),
  durationMs: z.number().nonnegative(),
});
export type CommandResultMessage = z.infer<typeof commandResultMessage>;

export const agentMessage = z.discriminatedUnion('type', [helloMessage, heartbeatMessage, commandResultMessage]);
export type AgentMessage = z.infer<typeof agentMessage>;

// ---- server → agent --------------------------------------------------------

export const welcomeMessage = z.object({
  type: z.literal('welcome'),
  nodeId: z.string(),
  nodeName: z.string(),
  serverTime: z.number().int(),
});

export const commandMessage = z.object({
  type: z.literal('command'),
  /** idempotency key: the agent runs a commandId at most once and replays its result */
  commandId: shortText(100).min(1),
  command: commandName,
  epoch: z.number().int().nonnegative(),
  pairId: z.string().optional(),
  /** the hook's time limit on the agent */
  timeoutMs: z.number().int().min(100).max(3_600_000),
});
export type CommandMessage = z.infer<typeof commandMessage>;

export const errorMessage = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
});

export const serverMessage = z.discriminatedUnion('type', [welcomeMessage, commandMessage, errorMessage]);
export type ServerMessage = z.infer<typeof serverMessage>;
