import { durationStatsInPlace, type DurationStats } from './percentile.js';
import type { SlaOutcome } from './incident-history.js';
import type { Compliance } from './types.js';

/**
 * The running totals a report keeps while its rows go by a chunk at a time: nothing here holds a row,
 * only counts, the first few items of a list, and one number per measured incident for the percentiles.
 */

/** The first `limit` items in `order` of however many are added, and how many were. */
export class TopList<T> {
  private items: T[] = [];
  total = 0;

  /** order must be total (end on the id), so that which items are kept does not depend on the order they came in. */
  constructor(
    private readonly limit: number,
    private readonly order: (a: T, b: T) => number,
  ) {}

  add(item: T): void {
    this.total++;
    if (this.limit === 0) return;
    this.items.push(item);
    // Trimmed now and then: sorting 2·limit items is cheap, sorting on every add is not.
    if (this.items.length >= 2 * this.limit) this.trim();
  }

  result(): T[] {
    this.trim();
    return this.items;
  }

  private trim(): void {
    this.items.sort(this.order);
    if (this.items.length > this.limit) this.items.length = this.limit;
  }
}

/**
 * Durations of one group of incidents, for its count, median and p90. Kept in blocks that double in size
 * (64 values, then 128, ... up to 16,384): a group of a few incidents stays small, and a large one grows
 * without copying itself over and over, which would leave its old copies to the garbage collector.
 */
export class Samples {
  private blocks: Float64Array[] = [];
  private filled = 0;
  private count = 0;
  private stats: DurationStats | null = null;

  add(value: number | null): void {
    if (value === null) return;
    let block = this.blocks[this.blocks.length - 1];
    if (!block || this.filled === block.length) {
      block = new Float64Array(Math.min(MAX_BLOCK, MIN_BLOCK * 2 ** this.blocks.length));
      this.blocks.push(block);
      this.filled = 0;
    }
    block[this.filled++] = value;
    this.count++;
  }

  /** Computed once; the values are let go then (no add after this). */
  result(): DurationStats {
    if (!this.stats) {
      const all = new Float64Array(this.count);
      let at = 0;
      for (const [k, block] of this.blocks.entries()) {
        const used = k === this.blocks.length - 1 ? this.filled : block.length;
        all.set(used === block.length ? block : block.subarray(0, used), at);
        at += used;
      }
      this.blocks = [];
      this.stats = durationStatsInPlace(all);
    }
    return this.stats;
  }
}

const MIN_BLOCK = 64;
const MAX_BLOCK = 16_384;

/** Float noise must not turn 19/20 against 0.95 into a miss. */
const EPSILON = 1e-9;

/** SLA outcomes of one group: met / measured against the target; pending and 'none' do not count. */
export class SlaTally {
  private met = 0;
  private missed = 0;
  private pending = 0;

  add(outcome: SlaOutcome): void {
    if (outcome === 'met') this.met++;
    else if (outcome === 'missed') this.missed++;
    else if (outcome === 'pending') this.pending++;
  }

  result(target: number): Compliance {
    const { met, missed, pending } = this;
    const measured = met + missed;
    const rate = measured === 0 ? null : met / measured;
    return {
      measured,
      met,
      missed,
      pending,
      rate,
      target,
      status: rate === null ? 'no_data' : rate + EPSILON >= target ? 'met' : 'missed',
    };
  }
}
