import { describe, expect, it } from 'vitest';
import { closeReason } from '../../../server/modules/agents/agent-sessions.ts';
import { fullBucket, take } from '../../../server/modules/agents/frame-guard.ts';

const limits = { burst: 3, perSecond: 2 };

describe('frame guard token bucket', () => {
  it('allows a burst, then refuses until time refills it', () => {
    let bucket = fullBucket(limits, 0);
    for (let i = 0; i < 3; i += 1) {
      const next = take(bucket, limits, 0);
      expect(next).not.toBeNull();
      bucket = next ?? bucket;
    }
    expect(take(bucket, limits, 0)).toBeNull();
    expect(take(bucket, limits, 499)).toBeNull();
    expect(take(bucket, limits, 500)).toEqual({ tokens: 0, at: 500 });
  });

  it('never holds more than the burst, however long the silence', () => {
    const bucket = take(fullBucket(limits, 0), limits, 3_600_000);
    expect(bucket).toEqual({ tokens: 2, at: 3_600_000 });
  });

  it('is not fooled by a clock that goes back', () => {
    const bucket = { tokens: 0, at: 1000 };
    expect(take(bucket, limits, 0)).toBeNull();
  });

  it('lets a steady agent at 1 beat per second through forever', () => {
    let bucket = fullBucket(limits, 0);
    for (let t = 0; t < 100_000; t += 1000) {
      const next = take(bucket, limits, t);
      expect(next).not.toBeNull();
      bucket = next ?? bucket;
    }
  });
});

describe('closeReason', () => {
  it('keeps a short reason whole', () => {
    expect(closeReason('FLOOD', 'too fast')).toBe('FLOOD: too fast');
  });

  it('fits a long reason, multi-byte characters included, into the 123 bytes a close frame allows', () => {
    for (const message of ['x'.repeat(300), 'é'.repeat(300), '€'.repeat(100)]) {
      const reason = closeReason('REPLACED', message);
      expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
      expect(reason).not.toContain('\uFFFD');
      expect(reason.endsWith('...')).toBe(true);
    }
  });
});
