import { describe, expect, it } from 'vitest';
import { Samples, TopList } from '../../src/reports/accumulators.js';
import { durationStats } from '../../src/reports/percentile.js';

describe('running totals of a report', () => {
  it('give the same count, median and p90 as all values at once, however many there are', () => {
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const n of [0, 1, 63, 64, 65, 1000, 40_000]) {
      const values = Array.from({ length: n }, () => Math.floor(rand() * 3_600_000));
      const samples = new Samples();
      for (const v of values) samples.add(v);
      samples.add(null);
      expect(samples.result(), `n=${n}`).toEqual(durationStats(values));
    }
  });

  it('keep the first items in their order of any number added, and count them all', () => {
    const list = new TopList<number>(3, (a, b) => a - b);
    for (const v of [9, 4, 7, 1, 8, 2, 6, 3, 5, 0]) list.add(v);
    expect(list.result()).toEqual([0, 1, 2]);
    expect(list.total).toBe(10);
    const none = new TopList<number>(0, (a, b) => a - b);
    none.add(1);
    expect([none.result(), none.total]).toEqual([[], 1]);
  });
});
