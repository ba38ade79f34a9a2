import type { ThresholdProfile } from '../contract/thresholds.ts';

/** Pure parsers of option and argument values; each throws a UsageError that names what was wrong. */

export class UsageError extends Error {}

/** parseArgs' values */
export type Values = Record<string, string | boolean | undefined>;

/** A string option's value, null when absent. */
export const str = (values: Values, name: string): string | null => {
  const v = values[name];
  return typeof v === 'string' ? v : null;
};

export function integer(text: string, what: string, min: number, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max} (got "${text}")`);
  }
  return n;
}

export function onOff(text: string, what: string): boolean {
  if (text === 'on') return true;
  if (text === 'off') return false;
  throw new UsageError(`${what} must be "on" or "off" (got "${text}")`);
}

/** "51/49" → { primary: 51, secondary: 49 } */
export function parseWeights(text: string): { primary: number; secondary: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--weights must look like 51/49 (primary/secondary, got "${text}")`);
  return {
    primary: integer(m[1] ?? '', '--weights primary', 1, 1000),
    secondary: integer(m[2] ?? '', '--weights secondary', 1, 1000),
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** "1s", "500ms", "1.5s", "2min" → milliseconds */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min|h)$/.exec(text.trim());
  const ms = m ? Math.round(Number(m[1]) * (UNITS[m[2] ?? ''] ?? Number.NaN)) : Number.NaN;
  if (!Number.isSafeInteger(ms))
    throw new UsageError(`${what} must be a duration like 500ms, 1s, 2min (got "${text}")`);
  return ms;
}

/**
 * "3x1s" → Up and Down after 3 beats of 1 s for both roles, DownHeartbeat on every
 * down sample of 1 s: the fast profile of the demo, for one flag.
 */
export function parseThresholds(text: string): ThresholdProfile {
  const m = /^(\d+)x(.+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--thresholds must look like 3x1s (beats x interval, got "${text}")`);
  const beats = integer(m[1] ?? '', '--thresholds beats', 1, 100);
  const intervalMs = parseDuration(m[2] ?? '', '--thresholds interval');
  if (intervalMs < 100 || intervalMs > 3_600_000) {
    throw new UsageError(`--thresholds interval must be from 100ms to 1h (got "${m[2]}")`);
  }
  const role = () => ({
    up: { beats, intervalMs },
    down: { beats, intervalMs },
    downHeartbeat: { enabled: true, beats: 1, intervalMs },
  });
  return { active: role(), passive: role() };
}
