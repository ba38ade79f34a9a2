import type { FailbackPolicy, MemberView, PairMember, PairState } from './types.ts';

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

export function freshView(): MemberView {
  return {
    verdict: 'unknown',
    stable: false,
    upSince: null,
    downSince: null,
    downReason: null,
    lastHealthyAt: null,
    unstableSince: null,
    lastDownHeartbeatAt: null,
    connected: false,
    reportedRole: 'unknown',
    reportedEpoch: 0,
    staleDemoteSentAt: null,
    peerViews: {},
  };
}

export interface NewPair {
  pairId: string;
  name: string;
  members: PairMember[];
  /** the node active when the pair is linked; defaults to the preferred one */
  activeNodeId?: string | null;
  failbackPolicy?: FailbackPolicy;
  commandTimeoutMs?: number;
}

/** Rule 1: auto-failover is off for a new pair; an admin enables it. */
export function createPairState(init: NewPair): PairState {
  if (init.members.length < 2) throw new Error('a pair needs at least two members');
  const views: Record<string, MemberView> = {};
  for (const m of init.members) views[m.nodeId] = freshView();
  return {
    pairId: init.pairId,
    name: init.name,
    members: init.members,
    activeNodeId: init.activeNodeId === undefined ? preferredMember(init.members).nodeId : init.activeNodeId,
    epoch: 0,
    autoFailover: false,
    maintenance: false,
    failbackPolicy: init.failbackPolicy ?? { kind: 'on-re-enable' },
    commandTimeoutMs: init.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    views,
    switchover: null,
    pendingFailoverAck: null,
    outageSince: null,
    hold: null,
  };
}

/** Highest weight first; on equal weights the member listed first (the primary) wins. */
export function byPreference(members: PairMember[]): PairMember[] {
  return members
    .map((m, index) => ({ m, index }))
    .sort((a, b) => b.m.weight - a.m.weight || a.index - b.index)
    .map(({ m }) => m);
}

export function preferredMember(members: PairMember[]): PairMember {
  const first = byPreference(members)[0];
  if (!first) throw new Error('a pair has no members');
  return first;
}

export function member(s: PairState, nodeId: string): PairMember | undefined {
  return s.members.find((m) => m.nodeId === nodeId);
}

export function nameOf(s: PairState, nodeId: string | null): string {
  if (nodeId === null) return 'none';
  return member(s, nodeId)?.name ?? nodeId;
}

export function viewOf(s: PairState, nodeId: string): MemberView {
  return s.views[nodeId] ?? freshView();
}

/** Up and stable: the only kind of node an automatic switchover may target. */
export function isUpAndStable(s: PairState, nodeId: string): boolean {
  const v = viewOf(s, nodeId);
  return v.verdict === 'up' && v.stable;
}

/** Rule 2: the failover target is the preferred Up-and-stable member other than the active. */
export function failoverTarget(s: PairState): PairMember | undefined {
  return byPreference(s.members).find((m) => m.nodeId !== s.activeNodeId && isUpAndStable(s, m.nodeId));
}

/** Rule 4: a failback target is an Up-and-stable member preferred over (ranked before) the current active. */
export function failbackTarget(s: PairState): PairMember | undefined {
  const ranked = byPreference(s.members);
  const activeRank = ranked.findIndex((m) => m.nodeId === s.activeNodeId);
  const candidates = activeRank < 0 ? ranked : ranked.slice(0, activeRank);
  return candidates.find((m) => isUpAndStable(s, m.nodeId));
}

export function everyVerdictKnown(s: PairState): boolean {
  return s.members.every((m) => viewOf(s, m.nodeId).verdict !== 'unknown');
}

export function withView(s: PairState, nodeId: string, patch: Partial<MemberView>): PairState {
  return { ...s, views: { ...s.views, [nodeId]: { ...viewOf(s, nodeId), ...patch } } };
}
