import { describe, expect, it } from 'vitest';
import {
  defaultThresholdProfile,
  detectionText,
  type RoleProfile,
  type ThresholdProfile,
  thresholdProfile,
} from '../../../server/contract/thresholds.ts';
import {
  createTrack,
  isSuspect,
  type NodeTrack,
  nextDeadline,
  onBeat,
  onTime,
  type Signal,
  setRole,
} from '../../../server/domain/thresholds/evaluator.ts';

const S = 1000;

function profile(patch: Partial<RoleProfile> = {}, passive: Partial<RoleProfile> = {}): ThresholdProfile {
  const base = defaultThresholdProfile();
  return { active: { ...base.active, ...patch }, passive: { ...base.passive, ...passive } };
}

/** Drives a track the way the I/O layer does: beats at given instants, deadlines exactly when due. */
function drive(
  p: ThresholdProfile,
  beats: { at: number; healthy: boolean }[],
  until: number,
  role: 'active' | 'passive' = 'active',
) {
  let track: NodeTrack = createTrack('n1', role, 0);
  const out: Signal[] = [];
  const queue = [...beats].sort((a, b) => a.at - b.at);
  for (;;) {
    const deadline = nextDeadline(track, p);
    const beat = queue[0];
    // beats at an instant count before a deadline at the same instant
    if (beat && beat.at <= until && (deadline === null || beat.at <= deadline)) {
      queue.shift();
      const step = onBeat(track, { healthy: beat.healthy }, beat.at, p);
      track = step.track;
      out.push(...step.signals);
    } else if (deadline !== null && deadline <= until) {
      const step = onTime(track, deadline, p);
      track = step.track;
      out.push(...step.signals);
    } else break;
  }
  return { track, signals: out };
}

const every = (period: number, from: number, to: number, healthy = true) => {
  const beats: { at: number; healthy: boolean }[] = [];
  for (let t = from; t <= to; t += period) beats.push({ at: t, healthy });
  return beats;
};

const times = (signals: Signal[], type: Signal['type']) => signals.filter((s) => s.type === type).map((s) => s.at);

describe('threshold evaluator (SPEC §2)', () => {
  it('seed 004 default: a node beating healthy earns Up after 5 × 10 s = 50 s', () => {
    const { signals } = drive(profile(), every(S, 0, 60 * S), 60 * S);
    expect(times(signals, 'Up')).toEqual([50 * S]);
    expect(signals.find((s) => s.type === 'Up')?.condition).toBe('ActiveUp');
  });

  it('seed 004 default: a node that stops is Down exactly 5 × 10 s after its last healthy heartbeat', () => {
    const { signals } = drive(profile(), every(S, 0, 73 * S), 200 * S);
    expect(times(signals, 'Down')).toEqual([123 * S]);
    expect(signals.find((s) => s.type === 'Down')?.reason).toBe(
      'ActiveDown: no healthy heartbeat since 00:01:13 (5 × 10 s)',
    );
  });

  it('is not Down one millisecond before the deadline', () => {
    let track = drive(profile(), every(S, 0, 60 * S), 60 * S).track;
    const early = onTime(track, 110 * S - 1, profile());
    expect(early.signals.filter((s) => s.type === 'Down')).toEqual([]);
    track = early.track;
    expect(onTime(track, 110 * S, profile()).signals.filter((s) => s.type === 'Down')).toHaveLength(1);
  });

  it('counts a heartbeat that arrives exactly at the Down deadline', () => {
    const beats = [...every(S, 0, 60 * S), { at: 110 * S, healthy: true }];
    const { signals } = drive(profile(), beats, 115 * S);
    expect(times(signals, 'Down')).toEqual([]);
  });

  it('unhealthy heartbeats neither delay nor advance Down: it stays N × interval after the last healthy one', () => {
    const beats = [...every(S, 0, 59 * S), ...every(S, 60 * S, 200 * S, false)];
    const { signals } = drive(profile(), beats, 200 * S);
    expect(times(signals, 'Down')).toEqual([109 * S]);
  });

  it('a node never heard from is Down N × interval after watching began', () => {
    const { signals } = drive(profile(), [], 100 * S);
    expect(times(signals, 'Down')).toEqual([50 * S]);
    expect(signals.find((s) => s.type === 'Down')?.reason).toContain('since watching began at 00:00:00');
  });

  it('signals DownHeartbeat on every down sample of a silent node, then Down on the Nth', () => {
    const { signals } = drive(profile(), every(S, 0, 60 * S), 200 * S);
    expect(times(signals, 'DownHeartbeat')).toEqual([70, 80, 90, 100, 110].map((t) => t * S));
    expect(times(signals, 'Down')).toEqual([110 * S]);
    const dhThenDown = signals.filter((s) => s.at === 110 * S).map((s) => s.type);
    expect(dhThenDown).toEqual(['DownHeartbeat', 'Down']);
  });

  it('an unhealthy heartbeat is a down sample at once, at most one per interval', () => {
    const beats = [...every(S, 0, 59 * S), ...every(S, 60 * S, 75 * S, false), ...every(S, 76 * S, 200 * S)];
    const { signals } = drive(profile(), beats, 200 * S);
    expect(times(signals, 'DownHeartbeat')).toEqual([60 * S, 70 * S]);
  });

  it('DownHeartbeat makes an Up node unstable; it stays Up but must earn Up again (hysteresis)', () => {
    const beats = [...every(S, 0, 59 * S), { at: 60 * S, healthy: false }, ...every(S, 61 * S, 200 * S)];
    const { signals, track } = drive(profile(), beats, 200 * S);
    expect(times(signals, 'Up')).toEqual([50 * S, 111 * S]);
    expect(times(signals, 'Down')).toEqual([]);
    expect(track).toMatchObject({ verdict: 'up', stable: true });
  });

  it('earns Up only through N consecutive up samples: a gap of a whole interval breaks the streak', () => {
    const { signals } = drive(profile(), every(11 * S, 0, 300 * S), 300 * S);
    expect(times(signals, 'Up')).toEqual([]);
    expect(times(signals, 'Down')).toEqual([]);
    expect(times(signals, 'DownHeartbeat').length).toBeGreaterThan(20);
  });

  it('an unhealthy heartbeat restarts the Up streak', () => {
    const beats = [...every(S, 0, 30 * S), { at: 31 * S, healthy: false }, ...every(S, 32 * S, 120 * S)];
    const { signals } = drive(profile(), beats, 120 * S);
    expect(times(signals, 'Up')).toEqual([82 * S]);
  });

  it('with Down-Heartbeat off, glitches signal nothing and leave the node stable', () => {
    const p = profile({ downHeartbeat: { enabled: false, beats: 1, intervalMs: 10 * S } });
    const beats = [...every(S, 0, 59 * S), { at: 60 * S, healthy: false }, ...every(S, 61 * S, 100 * S)];
    const { signals, track } = drive(p, beats, 100 * S);
    expect(times(signals, 'DownHeartbeat')).toEqual([]);
    expect(track).toMatchObject({ verdict: 'up', stable: true });
  });

  it('Down-Heartbeat with 3 beats fires from the third consecutive down sample', () => {
    const p = profile({ downHeartbeat: { enabled: true, beats: 3, intervalMs: 10 * S } });
    const { signals } = drive(p, every(S, 0, 60 * S), 200 * S);
    expect(times(signals, 'DownHeartbeat')).toEqual([90 * S, 100 * S, 110 * S]);
  });

  it('each condition has its own beats and interval', () => {
    const p = profile({
      up: { beats: 3, intervalMs: 2 * S },
      down: { beats: 2, intervalMs: 3 * S },
      downHeartbeat: { enabled: true, beats: 1, intervalMs: 500 },
    });
    const { signals } = drive(p, every(250, 0, 10 * S), 30 * S);
    expect(times(signals, 'Up')).toEqual([6 * S]);
    expect(times(signals, 'Down')).toEqual([16 * S]);
    expect(times(signals, 'DownHeartbeat')[0]).toBe(10.5 * S);
  });

  it('a role change switches which conditions apply, never dating a signal before the change', () => {
    const p = profile({ down: { beats: 3, intervalMs: S } }, { down: { beats: 5, intervalMs: 10 * S } });
    const passive = drive(p, every(S, 0, 60 * S), 62 * S, 'passive');
    expect(times(passive.signals, 'Down')).toEqual([]);
    // promoted at 62 s, silent since 60 s: the active's 3 × 1 s deadline (63 s) applies
    const promoted = setRole(passive.track, 'active', 62 * S, p);
    expect(promoted.track.role).toBe('active');
    expect(times(onTime(promoted.track, 63 * S, p).signals, 'Down')).toEqual([63 * S]);
    // promoted at 65 s: the active deadline already passed, so Down fires at the change
    const late = setRole(drive(p, every(S, 0, 60 * S), 65 * S, 'passive').track, 'active', 65 * S, p);
    expect(late.signals.filter((s) => s.type === 'Down').map((s) => [s.at, s.condition])).toEqual([
      [65 * S, 'ActiveDown'],
    ]);
  });

  it('a late evaluation fires Down at its exact deadline and reports the piled-up down samples once', () => {
    const { track } = drive(profile(), every(S, 0, 60 * S), 60 * S);
    const late = onTime(track, 500 * S, profile());
    expect(late.signals.map((s) => [s.type, s.at])).toEqual([
      ['DownHeartbeat', 110 * S],
      ['Down', 110 * S],
    ]);
    expect(late.track.downSamples).toBe(5);
  });

  it('nextDeadline names the next instant something can fire, and null once Down with nothing pending', () => {
    const { track } = drive(profile(), every(S, 0, 60 * S), 60 * S);
    expect(nextDeadline(track, profile())).toBe(70 * S);
    const down = onTime(track, 200 * S, profile()).track;
    expect(nextDeadline(down, profile())).toBeNull();
  });

  it('isSuspect: Down, or a missed down sample, or one silent Down interval', () => {
    const { track } = drive(profile(), every(S, 0, 60 * S), 60 * S);
    expect(isSuspect(track, 65 * S, profile())).toBe(false);
    expect(isSuspect(track, 70 * S, profile())).toBe(true);
  });
});

describe('regressions found by the property tests (shrunk counterexamples)', () => {
  it('Up never outruns Down when the Down condition is shorter than the Up interval', () => {
    // down 1 × 200 ms, up 1 × 300 ms; healthy at 201 and 202 ms, then an unhealthy beat at 502 ms:
    // silence from 202 ms meets Down at 402 ms, so no Up may fire at 501 ms.
    const p = profile({ up: { beats: 1, intervalMs: 300 }, down: { beats: 1, intervalMs: 200 } });
    const beats = [
      { at: 201, healthy: true },
      { at: 202, healthy: true },
      { at: 502, healthy: false },
    ];
    const { signals } = drive(p, beats, 2000);
    // Down at 200 ms (never heard from); the streak from 201 ms breaks at 402 ms: no Up at all
    expect(signals.filter((s) => s.type !== 'DownHeartbeat').map((s) => [s.type, s.at])).toEqual([['Down', 200]]);
  });
});

describe('threshold profile contract', () => {
  it('defaults to 5 × 10 s per seed 004 and shows the detection time', () => {
    const p = defaultThresholdProfile();
    expect(detectionText('Down', p.active.down)).toBe('Down after 5 × 10 s = 50 s');
    expect(detectionText('Up', { beats: 3, intervalMs: 1500 })).toBe('Up after 3 × 1.5 s = 4.5 s');
    expect(detectionText('DownHeartbeat', p.passive.downHeartbeat)).toContain('on every down sample');
  });

  it.each([
    [{ beats: 0, intervalMs: 10_000 }, 'beats must be at least 1'],
    [{ beats: 101, intervalMs: 10_000 }, 'beats must be at most 100'],
    [{ beats: 2.5, intervalMs: 10_000 }, 'beats must be a whole number'],
    [{ beats: 5, intervalMs: 99 }, 'the interval must be at least 100 ms'],
    [{ beats: 5, intervalMs: 3_600_001 }, 'the interval must be at most 1 h'],
  ])('rejects %j with the reason', (down, message) => {
    const p = defaultThresholdProfile();
    const result = thresholdProfile.safeParse({ ...p, active: { ...p.active, down } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(new RegExp(`^${message}`));
    expect(result.error?.issues[0]?.path).toEqual([
      'active',
      'down',
      Object.keys(down)[message.startsWith('beats') ? 0 : 1],
    ]);
  });
});
