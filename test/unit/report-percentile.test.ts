import { describe, expect, it } from 'vitest';
import { durationStats, percentile } from '../../src/reports/percentile.js';

/** The definition, spelled out the slow way: the smallest value with at least p % of values at or below it. */
function bySearch(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.find((v) => sorted.filter((x) => x <= v).length >= (p / 100) * sorted.length)!;
}

describe('nearest-rank percentiles', () => {
  it('picks the value at rank ceil(p/100 · n)', () => {
    const values = [15, 20, 35, 40, 50];
    expect(percentile(values, 5)).toBe(15);
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 90)).toBe(50);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 0)).toBe(15);
  });

  it('takes the lower middle value as the median of an even count, never an average', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([10, 20], 50)).toBe(10);
  });

  it('does not depend on the input order and leaves the input alone', () => {
    const values = [9, 1, 8, 2, 7, 3];
    expect(percentile(values, 90)).toBe(9);
    expect(values).toEqual([9, 1, 8, 2, 7, 3]);
  });

  it('agrees with the definition on many samples', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 1; n <= 40; n++) {
      const values = Array.from({ length: n }, () => Math.floor(rand() * 1000));
      for (const p of [1, 10, 25, 50, 75, 90, 95, 99, 100]) expect(percentile(values, p), `n=${n} p=${p}`).toBe(bySearch(values, p));
    }
  });

  it('has no percentile of nothing, and rejects p outside 0..100', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('summarises durations as count, median and p90', () => {
    expect(durationStats([60_000, 240_000, 120_000])).toEqual({ count: 3, median: 120_000, p90: 240_000 });
    expect(durationStats([])).toEqual({ count: 0, median: null, p90: null });
  });
});
