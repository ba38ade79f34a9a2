import {
  type ConditionName,
  conditionName,
  formatDuration,
  type Role,
  type RoleProfile,
  type ThresholdProfile,
} from '../../contract/thresholds.ts';
import { clockTime } from '../time-text.ts';

/**
 * The threshold layer (SPEC §2): heartbeats and the passing of time in,
 * Up / Down / DownHeartbeat signals out. Pure: time is always an argument.
 *
 * Samples. A down sample is an unhealthy heartbeat (at most one per interval)
 * or an interval that passes without a healthy heartbeat; an up sample is an
 * interval holding healthy heartbeats only. From that:
 *
 *   Down           fires at  lastHealthy + N × interval   (deadline-based: the
 *                  Nth down sample lands exactly there; unhealthy beats do not
 *                  move the deadline, only a healthy one does)
 *   Up             fires at  streakStart + N × interval   when the streak of
 *                  healthy beats is unbroken: no unhealthy beat, no gap of a
 *                  whole interval (nor of the Down condition's N × interval). It fires when the node is not Up, or is Up
 *                  but unstable — the hysteresis that stops flapping.
 *   DownHeartbeat  fires on every down sample once N are consecutive; it makes
 *                  the node unstable until it earns Up again, with a new
 *                  streak that starts after it.
 *
 * A heartbeat arriving exactly at a deadline counts before the deadline fires.
 * The conditions of the node's current role apply; a role change re-reads
 * them and never dates a signal before the change.
 */

export type Verdict = 'unknown' | 'up' | 'down';
export type SignalType = 'Up' | 'Down' | 'DownHeartbeat';

export interface Signal {
  type: SignalType;
  nodeId: string;
  /** the instant the condition was met (a deadline), not when it was noticed */
  at: number;
  role: Role;
  condition: ConditionName;
  /** operator-readable: what fired and why */
  reason: string;
  lastHealthyAt: number | null;
}

export interface NodeTrack {
  nodeId: string;
  role: Role;
  /** when the server began watching: the base of Down for a node never heard from */
  trackedSince: number;
  /** signals of the current role's conditions never predate this */
  roleSince: number;
  lastHealthyAt: number | null;
  verdict: Verdict;
  /** no down sample since the last Up signal */
  stable: boolean;
  /** first healthy heartbeat of the current unbroken healthy streak */
  streakStart: number | null;
  /** consecutive down samples since the last healthy heartbeat */
  downSamples: number;
  lastDownSampleAt: number | null;
}

export interface Beat {
  healthy: boolean;
  /** why it is unhealthy, e.g. "component postgres: port 5432 refused" */
  detail?: string;
}

export interface Step {
  track: NodeTrack;
  signals: Signal[];
}

/**
 * A node the server starts watching at `now`. With `silenceGraceMs`, a node
 * never heard from is judged only from `now + silenceGraceMs` (after a server
 * restart its agent needs time to come back); a node that does speak earns Up
 * at once, as usual.
 */
export function createTrack(nodeId: string, role: Role, now: number, silenceGraceMs = 0): NodeTrack {
  return {
    nodeId,
    role,
    trackedSince: now + silenceGraceMs,
    roleSince: now,
    lastHealthyAt: null,
    verdict: 'unknown',
    stable: false,
    streakStart: null,
    downSamples: 0,
    lastDownSampleAt: null,
  };
}

type DueKind = 'streak-break' | 'down-sample' | 'down' | 'up';
type Due = { kind: DueKind; at: number };

/**
 * The earliest pending deadline. At equal instants a broken streak cannot
 * complete, and the last down sample precedes Down — hence the order of the
 * checks below (a later check wins only when strictly earlier). Allocation-free
 * but for the answer: it runs several times per heartbeat for every node.
 */
function earliest(t: NodeTrack, p: RoleProfile): Due | undefined {
  // No closures here: under tsx every function expression is re-named on each call.
  let kind: DueKind | undefined;
  let at = Number.POSITIVE_INFINITY;
  const base = t.lastHealthyAt ?? t.trackedSince;
  if (t.streakStart !== null && t.lastHealthyAt !== null) {
    // A streak also ends where the Down condition would be met: Up never outruns Down.
    const when = Math.max(t.roleSince, t.lastHealthyAt + Math.min(p.up.intervalMs, p.down.beats * p.down.intervalMs));
    at = when;
    kind = 'streak-break';
  }
  if (p.downHeartbeat.enabled && t.verdict !== 'down') {
    const from = t.lastDownSampleAt !== null && t.lastDownSampleAt > base ? t.lastDownSampleAt : base;
    const when = Math.max(t.roleSince, from + p.downHeartbeat.intervalMs);
    if (when < at) {
      at = when;
      kind = 'down-sample';
    }
  }
  if (t.verdict !== 'down') {
    const when = downDeadline(t, p);
    if (when < at) {
      at = when;
      kind = 'down';
    }
  }
  if (t.streakStart !== null && (t.verdict !== 'up' || !t.stable)) {
    const when = Math.max(t.roleSince, t.streakStart + p.up.beats * p.up.intervalMs);
    if (when < at) {
      at = when;
      kind = 'up';
    }
  }
  return kind === undefined ? undefined : { kind, at };
}

function downDeadline(t: NodeTrack, p: RoleProfile): number {
  const at = (t.lastHealthyAt ?? t.trackedSince) + p.down.beats * p.down.intervalMs;
  return Math.max(at, t.roleSince);
}

/** When something may next fire for this node, or null if nothing can without a heartbeat. */
export function nextDeadline(track: NodeTrack, profile: ThresholdProfile): number | null {
  return earliest(track, profile[track.role])?.at ?? null;
}

function signal(t: NodeTrack, type: SignalType, at: number, reason: string): Signal {
  return {
    type,
    nodeId: t.nodeId,
    at,
    role: t.role,
    condition: conditionName(t.role, type),
    reason,
    lastHealthyAt: t.lastHealthyAt,
  };
}

function sinceText(t: NodeTrack): string {
  return t.lastHealthyAt === null
    ? `no healthy heartbeat since watching began at ${clockTime(t.trackedSince)}`
    : `no healthy heartbeat since ${clockTime(t.lastHealthyAt)}`;
}

function countDownSample(t: NodeTrack, p: RoleProfile, at: number, why: string, out: Signal[]): NodeTrack {
  const next: NodeTrack = { ...t, downSamples: t.downSamples + 1, lastDownSampleAt: at };
  if (next.downSamples >= p.downHeartbeat.beats) {
    // Unstable until it earns Up again: a new streak starts with the next healthy beat.
    next.stable = false;
    next.streakStart = null;
    const c = conditionName(t.role, 'DownHeartbeat');
    out.push(signal(next, 'DownHeartbeat', at, `${c}: ${why}`));
  }
  return next;
}

/**
 * Fires everything due before `until` (or at it, when inclusive). Down
 * samples that pile up because the caller was late are counted together and
 * reported by one DownHeartbeat: the count matters, not a flood of signals.
 */
function advance(
  track: NodeTrack,
  profile: ThresholdProfile,
  until: number,
  inclusive: boolean,
  out: Signal[],
): NodeTrack {
  let t = track;
  for (;;) {
    const p = profile[t.role];
    const next = earliest(t, p);
    if (!next || next.at > until || (!inclusive && next.at === until)) return t;
    switch (next.kind) {
      case 'streak-break':
        t = { ...t, streakStart: null };
        break;
      case 'down-sample': {
        const interval = p.downHeartbeat.intervalMs;
        const downAt = t.verdict === 'down' ? Number.POSITIVE_INFINITY : downDeadline(t, p);
        // Samples due up to min(until, Down) collapse into one signal at the last of them.
        const limit = Math.min(inclusive ? until : until - 1, downAt);
        const extra = limit > next.at ? Math.floor((limit - next.at) / interval) : 0;
        const at = next.at + extra * interval;
        t = { ...t, downSamples: t.downSamples + extra };
        const silentFor = formatDuration(at - (t.lastHealthyAt ?? t.trackedSince));
        t = countDownSample(t, p, at, `${sinceText(t)} (${silentFor} silent)`, out);
        break;
      }
      case 'down': {
        t = { ...t, verdict: 'down', stable: false, streakStart: null };
        const c = conditionName(t.role, 'Down');
        out.push(
          signal(t, 'Down', next.at, `${c}: ${sinceText(t)} (${p.down.beats} × ${formatDuration(p.down.intervalMs)})`),
        );
        break;
      }
      case 'up': {
        const c = conditionName(t.role, 'Up');
        const start = t.streakStart ?? next.at;
        t = { ...t, verdict: 'up', stable: true };
        out.push(
          signal(
            t,
            'Up',
            next.at,
            `${c}: healthy heartbeats since ${clockTime(start)} (${p.up.beats} × ${formatDuration(p.up.intervalMs)})`,
          ),
        );
        break;
      }
    }
  }
}

/** A heartbeat received by the server at `now` (the server's clock, never the agent's). */
export function onBeat(track: NodeTrack, beat: Beat, now: number, profile: ThresholdProfile): Step {
  const signals: Signal[] = [];
  let t = advance(track, profile, now, false, signals);
  const p = profile[t.role];
  if (beat.healthy) {
    t = {
      ...t,
      streakStart: t.streakStart ?? now,
      lastHealthyAt: now,
      downSamples: 0,
      lastDownSampleAt: null,
    };
  } else {
    t = { ...t, streakStart: null };
    const sampledRecently = t.lastDownSampleAt !== null && now - t.lastDownSampleAt < p.downHeartbeat.intervalMs;
    if (p.downHeartbeat.enabled && t.verdict !== 'down' && !sampledRecently) {
      t = countDownSample(t, p, now, `unhealthy heartbeat${beat.detail ? `: ${beat.detail}` : ''}`, signals);
    }
  }
  t = advance(t, profile, now, true, signals);
  return { track: t, signals };
}

/** Time passed: fire whatever is due at or before `now`. */
export function onTime(track: NodeTrack, now: number, profile: ThresholdProfile): Step {
  const signals: Signal[] = [];
  return { track: advance(track, profile, now, true, signals), signals };
}

/** The HA manager moved the node to another role: its conditions apply from `now`. */
export function setRole(track: NodeTrack, role: Role, now: number, profile: ThresholdProfile): Step {
  const signals: Signal[] = [];
  let t = advance(track, profile, now, false, signals);
  if (t.role !== role) t = { ...t, role, roleSince: now };
  t = advance(t, profile, now, true, signals);
  return { track: t, signals };
}

/**
 * Not healthy right now, for the mass-failure guard: Down, or at least one
 * down sample since the last healthy heartbeat, or silent for one Down interval.
 */
export function isSuspect(track: NodeTrack, now: number, profile: ThresholdProfile): boolean {
  if (track.verdict === 'down' || track.downSamples > 0) return true;
  const base = track.lastHealthyAt ?? track.trackedSince;
  return now - base >= profile[track.role].down.intervalMs;
}
