import { defaultThresholdProfile, type ThresholdProfile } from '../../server/contract/thresholds.ts';
import type { Scenario, ScenarioPair } from '../../server/domain/simulator/scenario.ts';
import { type SimulationResult, simulate } from '../../server/domain/simulator/simulator.ts';

export const S = 1000;

/** 3 × 1 s everywhere, Down-Heartbeat on every 1 s down sample: Up 3 s after the first beat. */
export function fastProfile(): ThresholdProfile {
  const role = {
    up: { beats: 3, intervalMs: S },
    down: { beats: 3, intervalMs: S },
    downHeartbeat: { enabled: true, beats: 1, intervalMs: S },
  };
  return { active: structuredClone(role), passive: structuredClone(role) };
}

export const pairOf = (id = 'p1', patch: Partial<ScenarioPair> = {}): ScenarioPair => ({
  id,
  name: id,
  members: [
    { id: `${id === 'p1' ? '' : `${id}-`}db-1`, weight: 51 },
    { id: `${id === 'p1' ? '' : `${id}-`}db-2`, weight: 49 },
  ],
  autoFailover: true,
  commandTimeoutMs: 5 * S,
  ...patch,
});

/** A pair db-1 (51, active) / db-2 (49) with fast thresholds, agents beating every 200 ms. */
export function run(patch: Partial<Scenario> = {}): SimulationResult {
  return simulate({
    profile: fastProfile(),
    pairs: [pairOf()],
    defaultBeatEveryMs: 200,
    until: 60 * S,
    ...patch,
  });
}

export { defaultThresholdProfile };
