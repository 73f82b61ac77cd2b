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

/** A batch as kept: what changed, and the incidents once read (a batch nobody was watching for is read when first asked for). */
interface KeptBatch {
  seq: number;
  at: number;
  ids: number[];
  opened: number[];
  escalatedIds: number[];
  read: FeedBatch | null;
  reading: Promise<void> | null;
}

/**
 * The console's live updates: after each commit that changes incidents, the changes of the next `batchMs` are
 * read once and handed to every subscriber. The last `keep` batches are kept so a reconnecting stream or a
 * poller resumes where it stopped; one that missed more starts over. While nobody is subscribed a batch keeps
 * only which incidents changed, and they are read when a stream or poller first asks for it (showing them as
 * they are then): a storm nobody watches costs no reads.
 */
export class ChangeFeed {
  private pending = new Map<number, Set<string>>();
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private readonly recent: KeptBatch[] = [];
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
  async since(seq: number): Promise<FeedBatch[] | null> {
    if (seq === this.seq) return [];
    if (seq > this.seq) return null;
    const first = this.recent[0];
    if (!first || seq < first.seq - 1) return null;
    const wanted = this.recent.filter((b) => b.seq > seq);
    const unread = wanted.filter((b) => b.read === null && b.reading === null);
    if (unread.length > 0) {
      // Shared by requests that ask meanwhile; a failed read is tried again by the next request.
      const reading = this.read(unread).finally(() => unread.forEach((b) => (b.reading = null)));
      for (const b of unread) b.reading = reading;
    }
    await Promise.all(wanted.map((b) => b.reading));
    return wanted.map((b) => b.read!);
  }

  private changed(changes: IncidentChange[]): void {
    // Nobody is watching and nobody can resume: nothing to keep.
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
    const opened: number[] = [];
    const escalatedIds: number[] = [];
    for (const [id, kinds] of pending) {
      if (kinds.has('triggered') || kinds.has('reopened') || kinds.has('retriggered')) opened.push(id);
      if (kinds.has('escalated')) escalatedIds.push(id);
    }
    const batch: KeptBatch = { seq: 0, at: this.options.now(), ids: [...pending.keys()], opened, escalatedIds, read: null, reading: null };
    try {
      if (this.subscribers.size > 0) await this.read([batch]);
    } catch (err) {
      this.options.onError?.(err);
      return;
    }
    // Numbered once read: a stream only ever sees batches in order.
    batch.seq = ++this.seq;
    if (batch.read) batch.read.seq = batch.seq;
    this.recent.push(batch);
    this.kept += batch.ids.length;
    while (this.recent.length > 1 && this.kept > this.options.keep) this.kept -= this.recent.shift()!.ids.length;
    if (!batch.read) return;
    for (const subscriber of this.subscribers) {
      try {
        subscriber.batch(batch.read);
      } catch (err) {
        this.options.onError?.(err);
      }
    }
  }

  /** Reads the incidents of these batches, once for all of them, and the people each escalation paged. */
  private async read(batches: KeptBatch[]): Promise<void> {
    const incidents = new Map((await this.options.store.incidentsByIds([...new Set(batches.flatMap((b) => b.ids))])).map((i) => [i.id, i]));
    // One read for every escalation: a storm escalates thousands at once.
    const escalatedIds = [...new Set(batches.flatMap((b) => b.escalatedIds))];
    const events = escalatedIds.length ? await this.options.store.latestEventOfEach(escalatedIds, 'escalated') : new Map();
    for (const b of batches) {
      const escalated: FeedBatch['escalated'] = b.escalatedIds.map((id) => {
        const people = (events.get(id)?.data as { people?: unknown } | null | undefined)?.people;
        return { incidentId: id, people: Array.isArray(people) ? people.filter((p): p is string => typeof p === 'string') : [] };
      });
      b.read = { seq: b.seq, at: b.at, incidents: b.ids.flatMap((id) => incidents.get(id) ?? []), opened: b.opened, escalated };
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
