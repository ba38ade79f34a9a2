import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ThresholdProfile } from '../../../server/contract/thresholds.ts';
import type { Scenario, ScenarioEvent, ScenarioPair } from '../../../server/domain/simulator/scenario.ts';
import { simulate } from '../../../server/domain/simulator/simulator.ts';
import {
  createTrack,
  type NodeTrack,
  nextDeadline,
  onBeat,
  onTime,
  type Signal,
} from '../../../server/domain/thresholds/evaluator.ts';
import { violations } from '../../helpers/invariants.ts';

const S = 1000;
// CI runs on two cores: enough runs to matter, few enough to stay in seconds.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 1500);

const condition = (maxBeats: number) =>
  fc.record({
    beats: fc.integer({ min: 1, max: maxBeats }),
    intervalMs: fc.integer({ min: 2, max: 20 }).map((n) => n * 100),
  });

const roleProfile = fc.record({
  up: condition(4),
  down: condition(4),
  downHeartbeat: fc.record({
    enabled: fc.boolean(),
    beats: fc.integer({ min: 1, max: 3 }),
    intervalMs: fc.integer({ min: 2, max: 20 }).map((n) => n * 100),
  }),
});

const profileArb: fc.Arbitrary<ThresholdProfile> = fc.record({ active: roleProfile, passive: roleProfile });

const UNTIL = 40 * S;

const shortestInterval = (p: ThresholdProfile) =>
  Math.min(...[p.active, p.passive].flatMap((r) => [r.up.intervalMs, r.down.intervalMs, r.downHeartbeat.intervalMs]));
const at = fc.integer({ min: 0, max: UNTIL });

function pairArb(index: number): fc.Arbitrary<ScenarioPair> {
  return fc
    .record({
      size: fc.integer({ min: 2, max: 3 }),
      weights: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 3, maxLength: 3 }),
      autoFailover: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
      maintenance: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      failback: fc.constantFrom<ScenarioPair['failbackPolicy']>(
        { kind: 'on-re-enable' },
        { kind: 'manual' },
        { kind: 'after-healthy-streak', streakMs: 3 * S },
      ),
      timeout: fc.integer({ min: 1, max: 4 }).map((n) => n * S),
    })
    .map(({ size, weights, autoFailover, maintenance, failback, timeout }) => ({
      id: `p${index}`,
      members: Array.from({ length: size }, (_, m) => ({ id: `p${index}n${m}`, weight: weights[m] ?? 50 })),
      autoFailover,
      maintenance: maintenance && autoFailover ? false : maintenance,
      failbackPolicy: failback,
      commandTimeoutMs: timeout,
    }));
}

function eventArb(pairs: ScenarioPair[]): fc.Arbitrary<ScenarioEvent> {
  const nodes = pairs.flatMap((p) => p.members.map((m) => m.id));
  const node = fc.constantFrom(...nodes);
  const pair = fc.constantFrom(...pairs.map((p) => p.id));
  const actorRole = fc.constantFrom('admin' as const, 'operator' as const, 'viewer' as const);
  const behaviour = fc.oneof(
    fc.record({ result: fc.constant('ok' as const), latencyMs: fc.integer({ min: 0, max: 3000 }) }),
    fc.record({ result: fc.constant('fail' as const), latencyMs: fc.integer({ min: 0, max: 500 }) }),
    fc.record({ result: fc.constant('refuse-check' as const), latencyMs: fc.integer({ min: 0, max: 500 }) }),
    fc.constant({ result: 'hang' as const }),
  );
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        at,
        node,
        beats: fc.constantFrom('healthy' as const, 'unhealthy' as const, 'stopped' as const),
      }),
    },
    { weight: 4, arbitrary: fc.record({ at, node, agent: fc.constantFrom('killed' as const, 'started' as const) }) },
    { weight: 2, arbitrary: fc.record({ at, node, link: fc.constantFrom('down' as const, 'up' as const) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        at,
        node,
        peer: fc.option(fc.record({ about: node, healthy: fc.boolean() }), { nil: null }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        at,
        node,
        command: fc.constantFrom('prepare' as const, 'demote' as const, 'promote' as const),
        behaviour,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        at,
        pair,
        operator: fc.oneof(
          fc.record({
            type: fc.constant('switchover' as const),
            to: node,
            actor: fc.constant('op'),
            actorRole,
            force: fc.boolean(),
            confirmation: node,
          }),
          fc.record({
            type: fc.constant('set-auto-failover' as const),
            enabled: fc.boolean(),
            actor: fc.constant('op'),
            ackReason: fc.constantFrom('', 'checked'),
          }),
          fc.record({ type: fc.constant('set-maintenance' as const), enabled: fc.boolean(), actor: fc.constant('op') }),
          fc.record({
            type: fc.constant('acknowledge-failover' as const),
            actor: fc.constant('op'),
            reason: fc.constant('seen'),
          }),
        ),
      }),
    },
    { weight: 1, arbitrary: fc.record({ at, server: fc.constant('restart' as const) }) },
    { weight: 1, arbitrary: fc.record({ at, fleet: fc.constant('release-brake' as const) }) },
  );
}

/** The preferred node fails, comes back, and an operator re-enables auto-failover: the road to a failback. */
function failbackStory(pairs: ScenarioPair[]): fc.Arbitrary<ScenarioEvent[]> {
  return fc
    .record({
      pair: fc.constantFrom(...pairs),
      kill: fc.integer({ min: 2 * S, max: 15 * S }),
      back: fc.integer({ min: 1 * S, max: 10 * S }),
      reenable: fc.integer({ min: 1 * S, max: 10 * S }),
    })
    .map(({ pair, kill, back, reenable }) => {
      const node = pair.members[0]?.id ?? '';
      return [
        { at: kill, node, agent: 'killed' as const },
        { at: kill + back, node, agent: 'started' as const },
        {
          at: kill + back + reenable,
          pair: pair.id,
          operator: { type: 'set-auto-failover' as const, enabled: true, actor: 'op', ackReason: 'checked' },
        },
      ];
    });
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    profile: profileArb,
    pairCount: fc.integer({ min: 1, max: 3 }),
    beatsPerInterval: fc.integer({ min: 1, max: 4 }),
  })
  .chain(({ profile, pairCount, beatsPerInterval }) =>
    fc.tuple(...Array.from({ length: pairCount }, (_, i) => pairArb(i + 1))).chain((pairs) =>
      fc.tuple(fc.array(eventArb(pairs), { maxLength: 25 }), fc.array(failbackStory(pairs), { maxLength: 2 })).map(
        ([random, stories]): Scenario => ({
          profile,
          pairs,
          events: [...random, ...stories.flat()],
          until: UNTIL,
          // mostly faster than the shortest interval, as agents are configured; sometimes just as slow
          defaultBeatEveryMs: Math.max(50, Math.floor(shortestInterval(profile) / beatsPerInterval)),
          brake: { limit: 2, windowMs: 20 * S },
          reconnectDelayMs: 300,
        }),
      ),
    ),
  );

describe('HA manager invariants over random scenarios', () => {
  it(`hold for ${RUNS} random scenarios (failures, restarts, operators, hanging hooks)`, () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const found = violations(simulate(scenario));
        expect(found).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('random scenarios do move pairs, every way: the generator is not vacuous', () => {
    const kinds = new Map<string, number>();
    let moved = 0;
    for (const scenario of fc.sample(scenarioArb, { numRuns: 300, seed: 42 })) {
      const r = simulate(scenario);
      if (r.promotions.length > 0) moved += 1;
      for (const e of r.timeline) {
        if (e.type !== 'decision') continue;
        for (const x of e.effects) {
          if (x.type === 'append-event' && ['decision', 'held', 'switchover-failed', 'restart'].includes(x.kind)) {
            const key = x.kind === 'decision' ? `started ${e.after.switchover?.kind}` : x.kind;
            kinds.set(key, (kinds.get(key) ?? 0) + 1);
          }
        }
      }
    }
    expect(moved).toBeGreaterThan(45);
    for (const kind of [
      'started failover',
      'started failback',
      'started manual',
      'held',
      'switchover-failed',
      'restart',
    ]) {
      expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(5);
    }
  });
});

describe('threshold timing over random heartbeat streams', () => {
  type Step = { gap: number; healthy: boolean };
  const stream = fc.array(fc.record({ gap: fc.integer({ min: 1, max: 3000 }), healthy: fc.boolean() }), {
    minLength: 1,
    maxLength: 120,
  });

  /** The I/O layer's loop: beats when they come, deadlines on a clock of granularity `tick` (1 = exact timers). */
  function drive(profile: ThresholdProfile, steps: Step[], tick: number) {
    let track: NodeTrack = createTrack('n', 'active', 0);
    const seen: { signal: Signal; noticedAt: number }[] = [];
    const healthyAt: number[] = [];
    let t = 0;
    const beats = steps.map((s) => {
      t += s.gap;
      return { at: t, healthy: s.healthy };
    });
    const end = t + 60 * S;
    let i = 0;
    for (;;) {
      const deadline = nextDeadline(track, profile);
      const noticed = deadline === null ? null : Math.ceil(deadline / tick) * tick;
      const beat = beats[i];
      if (beat && (noticed === null || beat.at <= noticed)) {
        i += 1;
        const step = onBeat(track, { healthy: beat.healthy }, beat.at, profile);
        track = step.track;
        if (beat.healthy) healthyAt.push(beat.at);
        for (const s of step.signals) seen.push({ signal: s, noticedAt: beat.at });
      } else if (noticed !== null && noticed <= end) {
        const step = onTime(track, noticed, profile);
        track = step.track;
        for (const s of step.signals) seen.push({ signal: s, noticedAt: noticed });
      } else break;
    }
    return { seen, healthyAt };
  }

  it.each([1, 100, 250])(
    'Down is never early and never later than N × interval + the timer granularity (%i ms)',
    (tick) => {
      fc.assert(
        fc.property(profileArb, stream, (profile, steps) => {
          const { seen, healthyAt } = drive(profile, steps, tick);
          const need = profile.active.down.beats * profile.active.down.intervalMs;
          for (const { signal, noticedAt } of seen) {
            if (signal.type !== 'Down') continue;
            const lastHealthy = [...healthyAt].reverse().find((h) => h <= signal.at) ?? 0;
            // exactly N × interval of silence (from the last healthy beat, or from watching's start)
            expect(signal.at).toBe(lastHealthy + need);
            expect(noticedAt - signal.at).toBeGreaterThanOrEqual(0);
            expect(noticedAt - signal.at).toBeLessThan(tick);
            // and no healthy beat in between
            expect(healthyAt.some((h) => h > lastHealthy && h < signal.at)).toBe(false);
          }
        }),
        { numRuns: RUNS },
      );
    },
  );

  it('Up needs N × interval of healthy beats with no gap of a whole interval and no unhealthy beat', () => {
    fc.assert(
      fc.property(profileArb, stream, (profile, steps) => {
        const { seen } = drive(profile, steps, 1);
        const { beats, intervalMs } = profile.active.up;
        let t = 0;
        const all = steps.map((s) => {
          t += s.gap;
          return { at: t, healthy: s.healthy };
        });
        for (const { signal } of seen) {
          if (signal.type !== 'Up') continue;
          const window = all.filter((b) => b.at > signal.at - beats * intervalMs && b.at <= signal.at);
          expect(window.every((b) => b.healthy)).toBe(true);
          const times = [signal.at - beats * intervalMs, ...window.map((b) => b.at), signal.at];
          for (let k = 1; k < times.length; k++) {
            expect((times[k] ?? 0) - (times[k - 1] ?? 0)).toBeLessThanOrEqual(intervalMs);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
