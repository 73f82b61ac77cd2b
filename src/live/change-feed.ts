import type { IncidentChange, IncidentRow, Store } from '../store/types.js';

/** What one batch of changes tells the consoles. */
export interface FeedBatch {
  /** Increasing per process; streams resume from it (Last-Event-ID). */
  seq: number;
  at: number;
  /** The changed incidents as they are after the commit. */
  incidents: IncidentRow[];
  /** Incidents that opened or reopened in this batch (a critical one raises the pop-up). */
  opened: number[];
  /** Incidents escalated in this batch, and the people the new tier pages. */
  escalated: { incidentId: number; people: string[] }[];
}

export interface FeedSubscriber {
  batch(batch: FeedBatch): void;
  close(): void;
}

export interface ChangeFeedOptions {
  store: Pick<Store, 'onIncidentChanges' | 'incidentsByIds' | 'latestEventOfEach'>;
  /** Changes within this window go out together (one read, one message per viewer). */
  batchMs: number;
  /** Changed incidents kept (in the latest batches) for streams that reconnect; bounds the feed's memory. */
  keep: number;
  now: () => number;
  onError?: (err: unknown) => void;
}

/**
 * The console's live updates: after each commit that changes incidents, the changes of the next `batchMs` are
 * read once and handed to every subscriber. The last `keep` batches are kept so a reconnecting stream resumes
 * where it stopped; one that missed more starts over.
 */
export class ChangeFeed {
  private pending = new Map<number, Set<string>>();
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private readonly recent: FeedBatch[] = [];
  private kept = 0;
  private readonly subscribers = new Set<FeedSubscriber>();
  private readonly unsubscribe: () => void;
  private flushing: Promise<void> | null = null;

  constructor(private readonly options: ChangeFeedOptions) {
    this.unsubscribe = options.store.onIncidentChanges((changes) => this.changed(changes));
  }

  get lastSeq(): number {
    return this.seq;
  }

  subscribe(subscriber: FeedSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /**
   * The batches after `seq`, or null when some are no longer kept or `seq` is from before a restart (sequence
   * numbers start again with the process): the viewer must reload.
   */
  since(seq: number): FeedBatch[] | null {
    if (seq === this.seq) return [];
    if (seq > this.seq) return null;
    const first = this.recent[0];
    if (!first || seq < first.seq - 1) return null;
    return this.recent.filter((b) => b.seq > seq);
  }

  private changed(changes: IncidentChange[]): void {
    // Nobody is watching and nobody can resume: nothing to read.
    if (this.subscribers.size === 0 && this.options.keep === 0) return;
    for (const c of changes) {
      let kinds = this.pending.get(c.incidentId);
      if (!kinds) this.pending.set(c.incidentId, (kinds = new Set()));
      for (const k of c.kinds) kinds.add(k);
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush().finally(() => (this.flushing = null));
    }, this.options.batchMs);
  }

  /** Sends what is pending now (tests, shutdown). */
  async drain(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      await this.flush();
    }
    await this.flushing;
  }

  private async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = new Map();
    if (pending.size === 0) return;
    try {
      const incidents = await this.options.store.incidentsByIds([...pending.keys()]);
      const opened: number[] = [];
      const escalatedIds: number[] = [];
      for (const [id, kinds] of pending) {
        if (kinds.has('triggered') || kinds.has('reopened') || kinds.has('retriggered')) opened.push(id);
        if (kinds.has('escalated')) escalatedIds.push(id);
      }
      // One read for every escalation of the batch: a storm escalates thousands at once.
      const events = escalatedIds.length ? await this.options.store.latestEventOfEach(escalatedIds, 'escalated') : new Map();
      const escalated: FeedBatch['escalated'] = escalatedIds.map((id) => {
        const people = (events.get(id)?.data as { people?: unknown } | null | undefined)?.people;
        return { incidentId: id, people: Array.isArray(people) ? people.filter((p): p is string => typeof p === 'string') : [] };
      });
      const batch: FeedBatch = { seq: ++this.seq, at: this.options.now(), incidents, opened, escalated };
      this.recent.push(batch);
      this.kept += incidents.length;
      while (this.recent.length > 1 && this.kept > this.options.keep) this.kept -= this.recent.shift()!.incidents.length;
      for (const subscriber of this.subscribers) {
        try {
          subscriber.batch(batch);
        } catch (err) {
          this.options.onError?.(err);
        }
      }
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  /** Stops listening and ends every subscriber (open streams close so the server can stop). */
  close(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const subscriber of this.subscribers) subscriber.close();
    this.subscribers.clear();
  }
}
