import { describe, expect, it } from 'vitest';
import { nextDelay, unauthorizedDelay } from '../../../agents/backoff.ts';

const options = { baseMs: 1000, maxMs: 30_000 };
const fixed = (value: number) => () => value;

describe('nextDelay (full jitter)', () => {
  it.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [4, 16_000],
    [5, 30_000],
    [40, 30_000],
  ])('attempt %i draws from [0, %i)', (attempt, ceiling) => {
    expect(nextDelay(attempt, options, fixed(0))).toBe(0);
    expect(nextDelay(attempt, options, fixed(0.5))).toBe(ceiling / 2);
    expect(nextDelay(attempt, options, fixed(0.999999))).toBeLessThan(ceiling);
    expect(nextDelay(attempt, options, fixed(0.999999))).toBeGreaterThanOrEqual(ceiling - 1);
  });

  it('never exceeds the cap, whatever the random source returns', () => {
    for (const value of [1, 2, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const delay = nextDelay(10, options, fixed(value));
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(options.maxMs);
    }
  });

  it('treats negative and fractional attempts as the nearest sane one', () => {
    expect(nextDelay(-3, options, fixed(0.5))).toBe(500);
    expect(nextDelay(1.7, options, fixed(0.5))).toBe(1000);
  });

  it('spreads a fleet over the whole window instead of one instant', () => {
    // 10,000 agents losing the server at once, each with its own random draws (a seeded LCG here).
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i += 1) buckets[Math.floor(nextDelay(3, options, random) / 800)] += 1;
    // Window [0, 8000): each 800 ms tenth gets about 1,000 of them, none gets a stampede.
    for (const count of buckets) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1200);
    }
  });
});

describe('unauthorizedDelay', () => {
  it('waits between half the cap and the cap', () => {
    expect(unauthorizedDelay(options, fixed(0))).toBe(15_000);
    expect(unauthorizedDelay(options, fixed(0.999999))).toBeLessThan(30_000);
    expect(unauthorizedDelay(options, fixed(0.999999))).toBeGreaterThan(29_000);
  });
});
