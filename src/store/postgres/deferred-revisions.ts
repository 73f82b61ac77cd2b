import type { Query } from './pool.js';

/**
 * Revisions of timeline events (a storm's running "N more alerts joined") within one write, sent as one UPDATE
 * just before the write's next statement of any kind (so every read sees them) or at its end: one round trip for
 * the write's revisions instead of one per incident. A revision of an event revised before in the write replaces it.
 */
export class DeferredTimelineRevisions {
  private readonly pending = new Map<number, { message: string; data: string | null }>();

  constructor(private readonly q: Query) {}

  add(id: number, message: string, data: string | null): void {
    this.pending.set(id, { message, data });
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const ids = [...this.pending.keys()].sort((a, b) => a - b);
    const revisions = ids.map((id) => this.pending.get(id)!);
    this.pending.clear();
    // The change feed was told by reviseEvent, which names the event's incident and kind.
    await this.q(
      `UPDATE timeline SET message = r.message, data = r.data FROM unnest(?::bigint[], ?::text[], ?::text[]) AS r(id, message, data)
         WHERE timeline.id = r.id`,
      [ids, revisions.map((r) => r.message), revisions.map((r) => r.data)],
    );
  }
}
