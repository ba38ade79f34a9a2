import { z } from 'zod';

/**
 * Alerts (SPEC §5) as the API shows them. States follow the model product:
 * open → open-acknowledged → closed-acknowledged; an alert with an off event
 * (node down, outage…) also closes by itself when the condition clears.
 */

export const alertState = z.enum(['open', 'open-acknowledged', 'closed', 'closed-acknowledged']);
export type AlertState = z.infer<typeof alertState>;

export const alertKind = z.enum([
  'node-down',
  'node-unstable',
  'pair-outage',
  'automatic-failover',
  'failback',
  'switchover-failed',
  'auto-failover-logging',
  'mass-failure-guard',
  'global-brake',
  'manager-only-unreachable',
  'split-brain-risk',
]);

export const severity = z.enum(['critical', 'major', 'minor', 'info']);

export const alertView = z.object({
  id: z.number(),
  key: z.string(),
  kind: alertKind,
  severity,
  state: alertState,
  pairId: z.string().nullable(),
  nodeId: z.string().nullable(),
  message: z.string(),
  /** closes only when acknowledged (no off event) */
  ackOnly: z.boolean(),
  raisedAt: z.string(),
  lastRaisedAt: z.string(),
  /** how many times the same open alert was raised again */
  count: z.number(),
  clearedAt: z.string().nullable(),
  ack: z.object({ by: z.string(), at: z.string(), comment: z.string() }).nullable(),
});
export type AlertView = z.infer<typeof alertView>;

export const alertsQuery = z.strictObject({
  /** open: open and open-acknowledged (the problem summary); all: everything */
  state: z.enum(['open', 'all']).default('open'),
  pair: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const alertIdParams = z.object({ id: z.coerce.number().int().min(1) });

export const acknowledgeBody = z.strictObject({
  comment: z.string().trim().min(1, 'say why: the comment is required').max(1000),
});
