/**
 * Pure token buckets that keep one agent connection from hurting the others:
 * one for all frames (a flood), one for invalid frames (a broken or hostile
 * client). A healthy agent sends one heartbeat per interval (at most 10/s)
 * and rarely a command result, far inside both.
 */

export interface Bucket {
  tokens: number;
  /** ms, the caller's clock */
  at: number;
}

export interface BucketLimits {
  /** how many frames may arrive back to back */
  burst: number;
  /** refill rate, tokens per second */
  perSecond: number;
}

export interface FrameGuardLimits {
  frames: BucketLimits;
  invalid: BucketLimits;
}

export const DEFAULT_FRAME_LIMITS: FrameGuardLimits = {
  frames: { burst: 40, perSecond: 20 },
  invalid: { burst: 5, perSecond: 0.1 },
};

export function fullBucket(limits: BucketLimits, now: number): Bucket {
  return { tokens: limits.burst, at: now };
}

/** Refills for the time elapsed, then takes one token; `null` when the bucket is empty. */
export function take(bucket: Bucket, limits: BucketLimits, now: number): Bucket | null {
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(limits.burst, bucket.tokens + (elapsed * limits.perSecond) / 1000);
  if (tokens < 1) return null;
  return { tokens: tokens - 1, at: now };
}
