import type { TimelineEvent } from '../types.js';

/** A revision waits at most this long before it is written. */
const FLUSH_AFTER_MS = 1000;
/** Past this many waiting, they are written at once (bounded memory). */
const MAX_WAITING = 10_000;

export interface Revision {
  message: string;
  data: string | null;
}

/**
 * Revisions of timeline events (an alert storm's running "N more alerts joined" summary, revised by every write
 * that adds to it) are written behind, at most once a second: each revision rewrites a row of its own, so a storm
 * touching 140 incidents in every write would rewrite 140 pages of the timeline in every commit. Reads see the
 * latest revision at once (they are overlaid here), and closing the store writes them. A crash can lose the last
 * second of a summary's count, never an alert (each is its own row on its incident).
 */
export class DeferredRevisions {
  private readonly waiting = new Map<number, Revision>();
  private timer: NodeJS.Timeout | null = null;

  /** `write` stores the given revisions in one write of the store. */
  constructor(private readonly write: (revisions: readonly [number, Revision][]) => Promise<void>) {}

  /** After the commit of the write that revised it: the event's latest text and data. */
  revised(eventId: number, message: string, data: string | null): void {
    this.waiting.set(eventId, { message, data });
    if (this.waiting.size >= MAX_WAITING) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_AFTER_MS).unref();
  }

  /** The event as it reads now: its waiting revision laid over the stored row. */
  overlay(e: TimelineEvent): TimelineEvent {
    const r = this.waiting.get(e.id);
    return r ? { ...e, message: r.message, data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>) } : e;
  }

  overlayAll(events: TimelineEvent[]): TimelineEvent[] {
    return this.waiting.size === 0 ? events : events.map((e) => this.overlay(e));
  }

  /** Writes every waiting revision; one revised again meanwhile stays waiting with its newer text. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.waiting.size === 0) return;
    const taken = [...this.waiting];
    try {
      await this.write(taken);
      for (const [id, r] of taken) if (this.waiting.get(id) === r) this.waiting.delete(id);
    } catch {
      // The store is busy or failing: they stay waiting (and read as revised) for the next try.
    }
    if (this.waiting.size > 0) this.timer ??= setTimeout(() => void this.flush(), FLUSH_AFTER_MS).unref();
  }
}
