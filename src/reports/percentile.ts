/**
 * Percentiles by the nearest-rank method: the p-th percentile of n values is the value at rank
 * ceil(p/100 · n) in ascending order (rank 1 for p = 0). Every answer is a value that was observed, so
 * "p90 MTTA 14m" means one incident really took 14 minutes and at least 90 % took no longer. The median is
 * the 50th percentile by the same rule: for an even count it is the lower of the two middle values, never
 * an average of two incidents.
 *
 * The value at a rank is found by selection (quickselect, linear on average) rather than by sorting: a
 * report over 200,000 incidents asks for several percentiles of as many values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  const rank = rankOf(p, values.length);
  return values.length === 0 ? null : selectInPlace([...values], rank - 1);
}

/** How long something took, over a set of incidents: how many were measured, the median and the p90 (ms). */
export interface DurationStats {
  count: number;
  median: number | null;
  p90: number | null;
}

export function durationStats(values: readonly number[]): DurationStats {
  return durationStatsInPlace([...values]);
}

/** Numbers to select from, in place. */
type Values = number[] | Float64Array;

/** durationStats over values the caller gives up: they are reordered. */
export function durationStatsInPlace(values: Values): DurationStats {
  if (values.length === 0) return { count: 0, median: null, p90: null };
  // p90 first: selecting it leaves every smaller value before it, where the median is then looked for.
  const high = rankOf(90, values.length) - 1;
  const p90 = selectInPlace(values, high);
  const median = selectInPlace(values, rankOf(50, values.length) - 1, high);
  return { count: values.length, median, p90 };
}

function rankOf(p: number, n: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  return Math.max(1, Math.ceil((p / 100) * n));
}

/** The k-th smallest (0-based) of values[0..end], moving values around (Hoare partitions). */
function selectInPlace(values: Values, k: number, end = values.length - 1): number {
  let lo = 0;
  let hi = end;
  while (hi > lo) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}
