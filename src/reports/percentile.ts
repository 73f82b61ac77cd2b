/**
 * Percentiles by the nearest-rank method: the p-th percentile of n values is the value at rank
 * ceil(p/100 · n) in ascending order (rank 1 for p = 0). Every answer is a value that was observed, so
 * "p90 MTTA 14m" means one incident really took 14 minutes and at least 90 % took no longer. The median is
 * the 50th percentile by the same rule: for an even count it is the lower of the two middle values, never
 * an average of two incidents.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** How long something took, over a set of incidents: how many were measured, the median and the p90 (ms). */
export interface DurationStats {
  count: number;
  median: number | null;
  p90: number | null;
}

export function durationStats(values: readonly number[]): DurationStats {
  return { count: values.length, median: percentile(values, 50), p90: percentile(values, 90) };
}
