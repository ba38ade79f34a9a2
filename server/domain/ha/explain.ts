import { formatDuration } from '../../contract/thresholds.ts';
import { clockTime } from '../time-text.ts';
import { nameOf, viewOf } from './pair.ts';
import type { PairState } from './types.ts';

/**
 * Rule 14: every decision, and every automatic action a guard held, is told
 * in an operator's words — which conditions fired, which rule decided.
 */

/** Why a member is not a valid failover target, e.g. "passive node db-2 unstable since 12:03:10, DownHeartbeat at 12:03:10". */
export function whyNotTarget(s: PairState, nodeId: string): string {
  const v = viewOf(s, nodeId);
  const who = `node ${nameOf(s, nodeId)}`;
  if (v.verdict === 'unknown')
    return `${who} has no verdict yet (it has not earned Up since the server started watching)`;
  if (v.verdict === 'down') {
    return `${who} is Down since ${v.downSince === null ? 'an unknown time' : clockTime(v.downSince)}`;
  }
  if (!v.stable) {
    const since = v.unstableSince === null ? 'recently' : `since ${clockTime(v.unstableSince)}`;
    const dh = v.lastDownHeartbeatAt === null ? '' : `, DownHeartbeat at ${clockTime(v.lastDownHeartbeatAt)}`;
    return `${who} unstable ${since}${dh}`;
  }
  return `${who} is Up and stable`;
}

export function activeDownText(s: PairState): string {
  const active = s.activeNodeId;
  if (active === null) return 'no node is active';
  const v = viewOf(s, active);
  return `active node ${nameOf(s, active)} is Down${v.downReason ? ` (${v.downReason})` : ''}`;
}

export function upStableText(s: PairState, nodeId: string): string {
  const v = viewOf(s, nodeId);
  return `node ${nameOf(s, nodeId)} is Up and stable since ${v.upSince === null ? 'an unknown time' : clockTime(v.upSince)}`;
}

export function epochText(from: number, to: number): string {
  return `epoch ${from} → ${to}`;
}

export function durationText(ms: number): string {
  return formatDuration(ms);
}
