import { everyVerdictKnown, isUpAndStable, preferredMember, viewOf } from './pair.ts';
import type { PairState, SwitchoverKind } from './types.ts';

/** SPEC §3 derived display states, shared by the API, the live feed and the UI. */
export type DisplayState =
  | { state: 'maintenance' }
  | { state: 'switching'; kind: SwitchoverKind }
  | { state: 'linking' }
  | { state: 'outage' }
  | { state: 'failed-over' }
  | { state: 'degraded' }
  | { state: 'normal' };

/**
 * The most specific label wins, in this order:
 *   maintenance   automatic actions suspended by an operator
 *   switching     a switchover is in progress (failover / failback / manual)
 *   linking       waiting for a member's first verdict
 *   outage        no active node, or the active is Down
 *   failed-over   a non-preferred node is active and auto-failover is off
 *   degraded      a passive member is not Up and stable
 *   normal        otherwise
 */
export function displayState(s: PairState): DisplayState {
  if (s.maintenance) return { state: 'maintenance' };
  if (s.switchover) return { state: 'switching', kind: s.switchover.kind };
  if (!everyVerdictKnown(s)) return { state: 'linking' };
  if (s.activeNodeId === null || viewOf(s, s.activeNodeId).verdict === 'down') return { state: 'outage' };
  if (s.activeNodeId !== preferredMember(s.members).nodeId && !s.autoFailover) return { state: 'failed-over' };
  if (s.members.some((m) => m.nodeId !== s.activeNodeId && !isUpAndStable(s, m.nodeId))) return { state: 'degraded' };
  return { state: 'normal' };
}
