/**
 * Fleet-wide guards (SPEC rules 10 and 12) as pure state: the global brake
 * counts automatic switchovers across all pairs in a sliding window; past the
 * limit it engages and stays engaged until an admin releases it.
 */

export interface BrakeConfig {
  /** K: automatic switchovers allowed in the window (default 3) */
  limit: number;
  /** W (default 10 min) */
  windowMs: number;
}

export interface BrakeState {
  config: BrakeConfig;
  /** start times of automatic switchovers that still count */
  starts: number[];
  engagedAt: number | null;
}

export const DEFAULT_BRAKE: BrakeConfig = { limit: 3, windowMs: 10 * 60_000 };

export interface MassFailureConfig {
  /** more than this share of paired nodes silent at once (default 0.5: most) */
  fraction: number;
  /** and at least this many (default 3): one pair's two nodes are never a mass failure */
  minNodes: number;
}

export const DEFAULT_MASS_FAILURE: MassFailureConfig = { fraction: 0.5, minNodes: 3 };

export function createBrake(config: BrakeConfig = DEFAULT_BRAKE): BrakeState {
  return { config, starts: [], engagedAt: null };
}

function prune(b: BrakeState, now: number): number[] {
  return b.starts.filter((t) => t > now - b.config.windowMs);
}

export function recordAutoSwitchover(b: BrakeState, at: number): BrakeState {
  return { ...b, starts: [...prune(b, at), at] };
}

export function engageBrake(b: BrakeState, at: number): BrakeState {
  return b.engagedAt === null ? { ...b, engagedAt: at } : b;
}

/** An admin releases the brake: the count starts again from zero. */
export function releaseBrake(b: BrakeState): BrakeState {
  return { ...b, starts: [], engagedAt: null };
}

export function brakeView(b: BrakeState, now: number) {
  return {
    engaged: b.engagedAt !== null,
    autoSwitchoversInWindow: prune(b, now).length,
    limit: b.config.limit,
    windowMs: b.config.windowMs,
  };
}
