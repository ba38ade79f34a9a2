/**
 * Reconnect delays, pure: the caller passes the attempt number and the random
 * source, so every agent draws its own jitter on every attempt (a jitter drawn
 * once per process would keep a fleet in lockstep).
 */

export interface BackoffOptions {
  /** ceiling of the first delay */
  baseMs: number;
  /** ceiling of every delay */
  maxMs: number;
}

/**
 * "Full jitter": uniform in [0, min(maxMs, baseMs · 2^attempt)). A fleet that
 * lost the server at the same instant comes back spread over the whole
 * window instead of in one wave, and the window widens while the server
 * keeps refusing.
 */
export function nextDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.floor(clamp01(random()) * ceiling);
}

/**
 * After the server said "unauthorized" (4401) retrying fast is useless until
 * an operator fixes the token: wait between maxMs/2 and maxMs.
 */
export function unauthorizedDelay(options: BackoffOptions, random: () => number): number {
  return Math.floor(options.maxMs / 2 + (clamp01(random()) * options.maxMs) / 2);
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, 0), 1 - Number.EPSILON) : 0;
}
