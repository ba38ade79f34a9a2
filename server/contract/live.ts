import { z } from 'zod';
import { alertView } from './alerts.ts';
import { pairView } from './pairs.ts';

/** What `/api/v1/live` pushes to browsers: one JSON object per frame. */

export const liveSignal = z.object({
  type: z.enum(['Up', 'Down', 'DownHeartbeat']),
  nodeId: z.string(),
  at: z.string(),
  condition: z.string(),
  reason: z.string(),
});

export const liveMessage = z.discriminatedUnion('type', [
  /** first frame: the whole picture */
  z.object({ type: z.literal('snapshot'), pairs: z.array(pairView), alerts: z.array(alertView) }),
  z.object({ type: z.literal('pair'), pair: pairView }),
  z.object({ type: z.literal('pair-removed'), pairId: z.string() }),
  z.object({ type: z.literal('signal'), pairId: z.string(), signal: liveSignal }),
  /** the open alerts (problem summary) after a change */
  z.object({ type: z.literal('alerts'), alerts: z.array(alertView) }),
  /** every few seconds: each paired node's last heartbeat, for "last heartbeat 2 s ago" */
  z.object({
    type: z.literal('heartbeats'),
    at: z.string(),
    nodes: z.array(
      z.object({
        nodeId: z.string(),
        lastHeartbeatAt: z.string().nullable(),
        healthy: z.boolean().nullable(),
        connected: z.boolean(),
      }),
    ),
  }),
]);
export type LiveMessage = z.infer<typeof liveMessage>;
