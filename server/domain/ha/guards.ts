import { clockTime } from '../time-text.ts';
import { activeDownText, upStableText, whyNotTarget } from './explain.ts';
import { everyVerdictKnown, failbackTarget, failoverTarget, nameOf, viewOf } from './pair.ts';
import type { FleetView, GuardName, PairMember, PairState } from './types.ts';

/**
 * The guards in front of every automatic switchover, in the order an operator
 * reads them: the first that holds explains why nothing moved. Each is a
 * pure predicate returning the explanation, or null when it lets the move go.
 */

export interface Verdict {
  guard: GuardName;
  rule: string;
  explanation: string;
}

/** Mass-failure guard (rule 10): most paired nodes silent at once looks like our own network. */
export function massFailure(fleet: FleetView): boolean {
  const { pairedNodes, suspectNodes, massFailure: m } = fleet;
  return suspectNodes >= m.minNodes && suspectNodes > m.fraction * pairedNodes;
}

/** Global brake (rule 12): at most K automatic switchovers across all pairs in a window. */
export function brakeHolds(fleet: FleetView): boolean {
  return fleet.brake.engaged || fleet.brake.autoSwitchoversInWindow >= fleet.brake.limit;
}

function brakeText(fleet: FleetView): string {
  return fleet.brake.engaged
    ? 'the global brake is engaged: automatic actions wait until an admin releases it'
    : `the global brake engages: ${fleet.brake.autoSwitchoversInWindow} automatic switchovers already in the last ${Math.round(fleet.brake.windowMs / 60_000)} min (limit ${fleet.brake.limit}); automatic actions wait until an admin releases it`;
}

/**
 * Peer witness (rule 11): a member's agent still sees the active's service
 * healthy after the manager last heard from it — the manager's link is the
 * likelier fault. Only reports newer than the active's last healthy heartbeat count.
 */
export function peerWitness(s: PairState): string | null {
  const active = s.activeNodeId;
  if (active === null) return null;
  const lastHeard = viewOf(s, active).lastHealthyAt ?? Number.NEGATIVE_INFINITY;
  for (const m of s.members) {
    if (m.nodeId === active) continue;
    const seen = viewOf(s, m.nodeId).peerViews[active];
    if (seen?.healthy && seen.receivedAt > lastHeard && viewOf(s, m.nodeId).verdict === 'up') {
      return `node ${m.name} still sees ${nameOf(s, active)}'s service healthy (reported ${clockTime(seen.receivedAt)}${seen.detail ? `: ${seen.detail}` : ''}) while the manager hears nothing from it: active unreachable from the manager only`;
    }
  }
  return null;
}

export type FailoverCheck = { go: true; target: PairMember; explanation: string } | { go: false; held: Verdict };

/** Rules 2, 3, 6, 9, 10, 11, 12 for an active that is Down. */
export function checkFailover(s: PairState, fleet: FleetView): FailoverCheck {
  const down = activeDownText(s);
  const hold = (guard: GuardName, rule: string, why: string): FailoverCheck => ({
    go: false,
    held: { guard, rule, explanation: `no failover: ${why}; ${down}` },
  });
  if (s.maintenance) return hold('maintenance', 'rule 6', 'the pair is in maintenance');
  if (!everyVerdictKnown(s)) {
    const waiting = s.members.filter((m) => viewOf(s, m.nodeId).verdict === 'unknown').map((m) => m.name);
    return hold(
      'awaiting-verdicts',
      'rule 9',
      `waiting for a verdict on ${waiting.join(', ')} since the server started`,
    );
  }
  // The likeliest cause first: when most of the fleet went silent together, say so
  // (one alert) rather than an outage per pair.
  if (massFailure(fleet)) {
    return hold(
      'mass-failure',
      'rule 10',
      `${fleet.suspectNodes} of ${fleet.pairedNodes} paired nodes are silent or Down at once, which points at the manager's own network`,
    );
  }
  if (!s.autoFailover) {
    const why = s.pendingFailoverAck
      ? `auto-failover is off since the automatic failover at ${clockTime(s.pendingFailoverAck.at)}`
      : 'auto-failover is off';
    return hold('auto-failover-off', 'rule 1', why);
  }
  const target = failoverTarget(s);
  if (!target) {
    const others = s.members.filter((m) => m.nodeId !== s.activeNodeId).map((m) => whyNotTarget(s, m.nodeId));
    return hold('no-target', 'rule 3', `no Up and stable passive node (${others.join('; ')})`);
  }
  const witness = peerWitness(s);
  if (witness) return hold('peer-witness', 'rule 11', witness);
  if (brakeHolds(fleet)) return hold('global-brake', 'rule 12', brakeText(fleet));
  return {
    go: true,
    target,
    explanation: `failover ${nameOf(s, s.activeNodeId)} → ${target.name}: ${down}; ${upStableText(s, target.nodeId)}; auto-failover on (rule 2)`,
  };
}

export type FailbackCheck =
  | { go: true; target: PairMember; explanation: string }
  | { go: false; held: Verdict | null; wakeAt?: number };

/** Rules 4 and 13 for an active that is not Down. Returns held: null when there is simply nothing to do. */
export function checkFailback(s: PairState, fleet: FleetView, now: number): FailbackCheck {
  const policy = s.failbackPolicy;
  if (policy.kind === 'manual' || !s.autoFailover || s.maintenance || !everyVerdictKnown(s)) {
    return { go: false, held: null };
  }
  const target = failbackTarget(s);
  if (!target) return { go: false, held: null };
  const view = viewOf(s, target.nodeId);
  if (policy.kind === 'after-healthy-streak') {
    const since = view.upSince ?? now;
    if (now - since < policy.streakMs) {
      const wakeAt = since + policy.streakMs;
      return {
        go: false,
        wakeAt,
        held: {
          guard: 'failback-streak',
          rule: 'rule 13',
          explanation: `failback to ${target.name} waits for it to stay Up and stable until ${clockTime(wakeAt)} (policy after-healthy-streak, Up since ${clockTime(since)})`,
        },
      };
    }
  }
  if (brakeHolds(fleet)) {
    return {
      go: false,
      held: {
        guard: 'global-brake',
        rule: 'rule 12',
        explanation: `no failback to ${target.name}: ${brakeText(fleet)}`,
      },
    };
  }
  const policyText =
    policy.kind === 'on-re-enable'
      ? 'auto-failover is on (policy on-re-enable)'
      : `Up and stable for the whole streak (policy after-healthy-streak)`;
  return {
    go: true,
    target,
    explanation: `failback ${nameOf(s, s.activeNodeId)} → ${target.name}: ${upStableText(s, target.nodeId)} and preferred (weight ${target.weight}); ${policyText} (rule 4)`,
  };
}
