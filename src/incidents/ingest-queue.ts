import type { Alert } from '../alerts/alert.js';
import { isUnavailable, tooManyWrites } from '../errors/errors.js';
import type { Store, StoreTx } from '../store/types.js';
import type { IngestResult } from './engine-port.js';
import { IngestBatch } from './ingest-batch.js';
import type { JoinLog } from './join-log.js';

/** Alerts one shared write takes at most; more wait for the next commit. */
const BATCH_ALERTS = 5_000;

interface Waiting {
  alerts: Alert[];
  resolve: (r: IngestResult) => void;
  reject: (err: unknown) => void;
}

export type ApplyRequest = (tx: StoreTx, batch: IngestBatch, alerts: Alert[]) => Promise<IngestResult>;
/** Before the requests of a write apply: reads they share, made in one go (every request's alerts at once). */
export type PrepareWrite = (tx: StoreTx, batch: IngestBatch, alerts: Alert[]) => Promise<void>;

/**
 * Requests that arrive together are applied in one write of the store's group commit, so an alert storm pays
 * for its shared reads (the open incident of a group) and timeline rows once per commit rather than once per
 * request. Each request is answered after that commit, with its own result. When the shared write fails for a
 * reason of one request's making, every request is tried again in its own write, so one bad request does not
 * fail the others.
 */
export class IngestQueue {
  private waiting: Waiting[] = [];
  private queued = false;

  constructor(
    private readonly store: Store,
    private readonly apply: ApplyRequest,
    /** Each incident's joins of the last minute, across writes. */
    private readonly joins: JoinLog,
    /** Requests that may wait at most; more are answered 503 (the sender retries). */
    private readonly maxWaiting: number,
    private readonly prepare?: PrepareWrite,
  ) {}

  submit(alerts: Alert[]): Promise<IngestResult> {
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(tooManyWrites());
    return new Promise((resolve, reject) => {
      this.waiting.push({ alerts, resolve, reject });
      this.queue();
    });
  }

  /** Queues one write that takes the requests waiting when it runs (not when it was queued). */
  private queue(): void {
    if (this.queued) return;
    this.queued = true;
    const taken: Waiting[] = [];
    let took = false;
    this.store
      .write(async (tx) => {
        // A write run again (PostgreSQL: it collided with another instance's) applies the same requests.
        if (!took) {
          took = true;
          this.queued = false;
          taken.push(...this.take());
          if (this.waiting.length > 0) this.queue();
        }
        return this.applyAll(tx, taken);
      })
      .then(
        (results) => taken.forEach((w, i) => w.resolve(results[i]!)),
        (err) => this.failed(taken, err),
      );
  }

  private take(): Waiting[] {
    let n = 0;
    let count = 0;
    while (n < this.waiting.length && (n === 0 || count + this.waiting[n]!.alerts.length <= BATCH_ALERTS)) count += this.waiting[n++]!.alerts.length;
    return this.waiting.splice(0, n);
  }

  private failed(taken: Waiting[], err: unknown): void {
    if (taken.length === 0) {
      // The write never ran (the store refused it): nobody waiting can be served by it.
      this.queued = false;
      for (const w of this.waiting.splice(0)) w.reject(err);
      return;
    }
    // A fault of the store itself (busy, full, shutting down) would fail every request alike: answer them all.
    if (taken.length === 1 || isUnavailable(err)) {
      for (const w of taken) w.reject(err);
      return;
    }
    for (const w of taken) {
      this.store.write((tx) => this.applyAll(tx, [w])).then(([result]) => w.resolve(result!), w.reject);
    }
  }

  /** The requests' alerts in one write, in order, then the storm summaries they add to. */
  private async applyAll(tx: StoreTx, requests: Waiting[]): Promise<IngestResult[]> {
    const alerts = requests.flatMap((w) => w.alerts);
    await tx.prefetchAlertStates(alerts.map((a) => a.fingerprint));
    const batch = new IngestBatch(this.joins);
    await this.prepare?.(tx, batch, alerts);
    const results: IngestResult[] = [];
    for (const w of requests) results.push(await this.apply(tx, batch, w.alerts));
    await batch.writeSummaries(tx);
    return results;
  }
}
