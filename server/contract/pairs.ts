import { z } from 'zod';
import { thresholdProfile } from './thresholds.ts';

/**
 * REST bodies of the pair routes (`/api/v1/pairs`) and their views, shared by
 * the server, the web UI, the CLI and the tests. Times are ISO 8601 (UTC).
 */

export const pairName = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/i,
    'must be 1 to 63 letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
  );

export const weight = z
  .number()
  .int('a weight is a whole number')
  .min(1, 'a weight is at least 1')
  .max(1000, 'a weight is at most 1000');

export const failbackPolicy = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('on-re-enable') }),
  z.object({
    kind: z.literal('after-healthy-streak'),
    streakMs: z.number().int().min(1000, 'the streak is at least 1 s').max(86_400_000, 'the streak is at most 24 h'),
  }),
  z.object({ kind: z.literal('manual') }),
]);

export const commandTimeoutMs = z
  .number()
  .int()
  .min(1000, 'the command timeout is at least 1 s')
  .max(600_000, 'the command timeout is at most 10 min');

const nodeRef = z.string().trim().min(1, 'name a node by its id').max(100);

export const createPairBody = z
  .strictObject({
    name: pairName,
    primary: nodeRef,
    secondary: nodeRef,
    weights: z.strictObject({ primary: weight, secondary: weight }).default({ primary: 51, secondary: 49 }),
    profile: thresholdProfile.optional(),
    failbackPolicy: failbackPolicy.default({ kind: 'on-re-enable' }),
    commandTimeoutMs: commandTimeoutMs.default(30_000),
    /** which member is active right now (default: the primary) */
    active: z.enum(['primary', 'secondary']).default('primary'),
  })
  .refine((b) => b.primary !== b.secondary, {
    message: 'primary and secondary must be two different nodes',
    path: ['secondary'],
  });
export type CreatePairBody = z.infer<typeof createPairBody>;

export const updatePairBody = z
  .strictObject({
    weights: z.strictObject({ primary: weight, secondary: weight }).optional(),
    profile: thresholdProfile.optional(),
    failbackPolicy: failbackPolicy.optional(),
    commandTimeoutMs: commandTimeoutMs.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one setting to change' });
export type UpdatePairBody = z.infer<typeof updatePairBody>;

export const pairIdParams = z.object({ id: z.string().min(1).max(100) });

export const switchoverBody = z.strictObject({
  /** the node to make active */
  to: nodeRef,
  /** admin only: switch over to a node that is not Up and stable */
  force: z.boolean().default(false),
  /** with force: the target node's name, typed by the admin */
  confirmation: z.string().max(100).optional(),
});

export const autoFailoverBody = z.strictObject({
  enabled: z.boolean(),
  /** acknowledges the pending automatic-failover alert when re-enabling (required then) */
  reason: z.string().trim().max(1000).optional(),
});

export const maintenanceBody = z.strictObject({ enabled: z.boolean() });

export const drillBody = z.strictObject({ node: nodeRef });

export const eventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** events with an id lower than this (paging backwards) */
  before: z.coerce.number().int().min(1).optional(),
  kind: z.string().max(50).optional(),
  node: z.string().max(100).optional(),
});

const displayState = z.object({
  state: z.enum(['normal', 'degraded', 'outage', 'switching', 'failed-over', 'maintenance', 'linking']),
  kind: z.enum(['failover', 'failback', 'manual']).optional(),
});

export const memberView = z.object({
  nodeId: z.string(),
  name: z.string(),
  weight: z.number(),
  preferred: z.boolean(),
  role: z.enum(['active', 'passive']),
  verdict: z.enum(['unknown', 'up', 'down']),
  stable: z.boolean(),
  connected: z.boolean(),
  upSince: z.string().nullable(),
  downSince: z.string().nullable(),
  unstableSince: z.string().nullable(),
  /** the server's receive time of the node's last heartbeat */
  lastHeartbeatAt: z.string().nullable(),
  lastHealthy: z.boolean().nullable(),
  reportedRole: z.enum(['active', 'passive', 'unknown']),
  reportedEpoch: z.number(),
});
export type MemberView = z.infer<typeof memberView>;

export const pairView = z.object({
  id: z.string(),
  name: z.string(),
  display: displayState,
  epoch: z.number(),
  activeNodeId: z.string().nullable(),
  autoFailover: z.boolean(),
  maintenance: z.boolean(),
  failbackPolicy,
  commandTimeoutMs: z.number(),
  profile: thresholdProfile,
  /** "Down after 5 × 10 s = 50 s" per role and condition */
  detection: z.object({
    active: z.object({ up: z.string(), down: z.string(), downHeartbeat: z.string() }),
    passive: z.object({ up: z.string(), down: z.string(), downHeartbeat: z.string() }),
  }),
  members: z.array(memberView),
  switchover: z
    .object({
      id: z.string(),
      kind: z.enum(['failover', 'failback', 'manual']),
      from: z.string().nullable(),
      to: z.string(),
      epoch: z.number(),
      step: z.enum(['prepare', 'demote', 'promote']),
      startedAt: z.string(),
      stepDeadlineAt: z.string(),
      reason: z.string(),
    })
    .nullable(),
  pendingFailoverAck: z.object({ at: z.string(), to: z.string() }).nullable(),
  hold: z.object({ guard: z.string(), since: z.string(), explanation: z.string() }).nullable(),
  outageSince: z.string().nullable(),
});
export type PairView = z.infer<typeof pairView>;

export const eventView = z.object({
  id: z.number(),
  at: z.string(),
  kind: z.string(),
  pairId: z.string().nullable(),
  nodeId: z.string().nullable(),
  actor: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type EventView = z.infer<typeof eventView>;

export const outcomeView = z.object({ ok: z.boolean(), message: z.string(), pair: pairView });

export const drillView = z.object({
  summary: z.string(),
  explanation: z.array(z.string()),
  displayAfter: displayState,
  commands: z.array(z.object({ node: z.string(), command: z.string(), epoch: z.number() })),
  alerts: z.array(z.object({ kind: z.string(), severity: z.string(), message: z.string() })),
});
