import { unavailable } from '../errors/errors.js';

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

/** What the metrics hear of the reports computed in a queue. */
export interface ReportObserver {
  /** One step of a report: how long it kept the event loop to itself. */
  step(seconds: number): void;
  /** A report done, waits between its steps included. */
  finished(seconds: number): void;
}

export class ReportQueue {
  private running = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly options: ReportQueueOptions = defaultReportQueue,
    /** Told about the reports that run in this queue. */
    readonly observer?: ReportObserver,
  ) {}

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
