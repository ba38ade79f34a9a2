import { z } from 'zod';
import { alertView } from './alerts.ts';
import { eventView, pairView } from './pairs.ts';

/** Fleet-wide views and the list wrappers the API answers with. */

export const brakeView = z.object({
  engaged: z.boolean(),
  autoSwitchoversInWindow: z.number(),
  limit: z.number(),
  windowMs: z.number(),
});
export type BrakeView = z.infer<typeof brakeView>;

export const statusView = z.object({
  pairs: z.array(pairView),
  openAlerts: z.number(),
  brake: brakeView,
  fleet: z.object({ pairedNodes: z.number(), suspectNodes: z.number() }),
});
export type StatusView = z.infer<typeof statusView>;

export const pairList = z.object({ pairs: z.array(pairView) });
export const alertList = z.object({ alerts: z.array(alertView) });
export const eventPage = z.object({ events: z.array(eventView), nextBefore: z.number().nullable() });
