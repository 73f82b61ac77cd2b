import { unavailable } from '../core/errors.js';

/**
 * How many reports one Vigil computes at once. A report holds a chunk of rows and one number per incident
 * of its period, so the number running at once is what bounds their memory; reports are CPU work on the
 * one event loop, so running two side by side would not finish either sooner. Callers beyond the running
 * one wait their turn in order; beyond `waiting` of them, a caller is told to come back later (a 503 with
 * Retry-After) instead of piling up.
 */
export interface ReportQueueOptions {
  running: number;
  waiting: number;
  retryAfterSeconds: number;
}

export const defaultReportQueue: ReportQueueOptions = { running: 1, waiting: 4, retryAfterSeconds: 5 };

/** How a finished report went, for the metrics. */
export interface ReportStats {
  seconds: number;
  /** The longest the report kept the event loop to itself in one step. */
  longestStepSeconds: number;
}

export class ReportQueue {
  private running = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly options: ReportQueueOptions = defaultReportQueue,
    private readonly onFinished?: (stats: ReportStats) => void,
  ) {}

  /** Called by a report that ran in this queue when it is done. */
  finished(stats: ReportStats): void {
    this.onFinished?.(stats);
  }

  /** Reports being computed and reports waiting for their turn. */
  get state(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiters.length };
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running < this.options.running) this.running++;
    else if (this.waiters.length >= this.options.waiting) {
      throw unavailable(
        `Vigil is computing ${this.running} report${this.running === 1 ? '' : 's'} with ${this.waiters.length} more waiting; retry shortly`,
        this.options.retryAfterSeconds,
      );
    }
    // A finished report hands its place to the next waiter, so nobody arriving later can overtake.
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.running--;
    }
  }
}
