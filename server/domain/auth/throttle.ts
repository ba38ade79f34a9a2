/**
 * Login throttling, pure: failures are counted per key (a user name, a
 * client address) in a sliding window; past the limit the key is locked for
 * a while. Time is an argument.
 */
export interface ThrottlePolicy {
  /** failures allowed in the window before the lockout */
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

export interface ThrottleEntry {
  failures: number[];
  lockedUntil: number | null;
}

export const USER_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 };
export const ADDRESS_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 };

export const emptyEntry = (): ThrottleEntry => ({ failures: [], lockedUntil: null });

/** Milliseconds until the key may try again, or 0. */
export function retryAfter(entry: ThrottleEntry, now: number): number {
  return entry.lockedUntil !== null && entry.lockedUntil > now ? entry.lockedUntil - now : 0;
}

export function recordFailure(entry: ThrottleEntry, now: number, policy: ThrottlePolicy): ThrottleEntry {
  const failures = [...entry.failures.filter((t) => t > now - policy.windowMs), now];
  if (failures.length >= policy.maxFailures) return { failures: [], lockedUntil: now + policy.lockoutMs };
  return { failures, lockedUntil: entry.lockedUntil !== null && entry.lockedUntil > now ? entry.lockedUntil : null };
}

/** Entries with nothing left to remember can be dropped (bounded memory under a spray of names). */
export function isIdle(entry: ThrottleEntry, now: number, policy: ThrottlePolicy): boolean {
  return retryAfter(entry, now) === 0 && entry.failures.every((t) => t <= now - policy.windowMs);
}
