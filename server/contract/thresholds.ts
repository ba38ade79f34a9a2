import { z } from 'zod';

/**
 * Threshold profile (SPEC §2, seed 004 "Customizing the Automatic Switchover"):
 * per role, an Up, a Down and a Down-Heartbeat condition, each with its own
 * beats and check interval. Shared by the server, the web UI and the CLI.
 */

export const BEATS_MIN = 1;
export const BEATS_MAX = 100;
export const INTERVAL_MIN_MS = 100;
export const INTERVAL_MAX_MS = 3_600_000;

export const condition = z.object({
  beats: z
    .number()
    .int('beats must be a whole number')
    .min(BEATS_MIN, `beats must be at least ${BEATS_MIN}`)
    .max(BEATS_MAX, `beats must be at most ${BEATS_MAX}`),
  intervalMs: z
    .number()
    .int('the interval must be a whole number of milliseconds')
    .min(INTERVAL_MIN_MS, `the interval must be at least ${INTERVAL_MIN_MS} ms`)
    .max(INTERVAL_MAX_MS, `the interval must be at most 1 h (${INTERVAL_MAX_MS} ms)`),
});
export type Condition = z.infer<typeof condition>;

export const downHeartbeatCondition = condition.extend({ enabled: z.boolean() });
export type DownHeartbeatCondition = z.infer<typeof downHeartbeatCondition>;

export const roleProfile = z.object({
  up: condition,
  down: condition,
  downHeartbeat: downHeartbeatCondition,
});
export type RoleProfile = z.infer<typeof roleProfile>;

export const thresholdProfile = z.object({ active: roleProfile, passive: roleProfile });
export type ThresholdProfile = z.infer<typeof thresholdProfile>;

export type Role = keyof ThresholdProfile;

/** Seed 004: "The default is 5 heartbeats with a 10 second interval". Down-Heartbeat fires on every down sample. */
export function defaultRoleProfile(): RoleProfile {
  return {
    up: { beats: 5, intervalMs: 10_000 },
    down: { beats: 5, intervalMs: 10_000 },
    downHeartbeat: { enabled: true, beats: 1, intervalMs: 10_000 },
  };
}

export function defaultThresholdProfile(): ThresholdProfile {
  return { active: defaultRoleProfile(), passive: defaultRoleProfile() };
}

/** The condition names of the seed, as operators see them. */
export type ConditionName =
  | 'ActiveUp'
  | 'PassiveUp'
  | 'ActiveDown'
  | 'PassiveDown'
  | 'ActiveDownHeartbeat'
  | 'PassiveDownHeartbeat';

export function conditionName(role: Role, kind: 'Up' | 'Down' | 'DownHeartbeat'): ConditionName {
  return `${role === 'active' ? 'Active' : 'Passive'}${kind}`;
}

/** "10 s", "1.5 s", "250 ms", "2 min", "1 h" */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(3))} s`;
  if (ms < 7_200_000) return `${Number((ms / 60_000).toFixed(2))} min`;
  return `${Number((ms / 3_600_000).toFixed(2))} h`;
}

/** "Down after 5 × 10 s = 50 s" — what the threshold editor shows next to each condition. */
export function detectionText(kind: 'Up' | 'Down' | 'DownHeartbeat', c: Condition): string {
  const total = formatDuration(c.beats * c.intervalMs);
  const each = formatDuration(c.intervalMs);
  if (kind === 'DownHeartbeat') {
    return c.beats === 1
      ? `DownHeartbeat on every down sample (each ${each} without a healthy heartbeat)`
      : `DownHeartbeat after ${c.beats} × ${each} = ${total} of down samples, then on every one`;
  }
  return `${kind} after ${c.beats} × ${each} = ${total}`;
}
