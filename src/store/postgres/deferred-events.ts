import { eventData } from '../rows/timeline.js';
import type { NewTimelineEvent } from '../types/incidents.js';
import type { Query } from './pool.js';

/**
 * Timeline events whose ids nobody waits for (the first alerts of each incident's minute in a storm), gathered
 * within one write and sent as one INSERT just before the write's next statement of any kind (so every read sees
 * them, and ids keep the order the events were written in) or at its end.
 */
export class DeferredTimelineEvents {
  private pending: NewTimelineEvent[] = [];

  constructor(private readonly q: Query) {}

  add(event: NewTimelineEvent): void {
    this.pending.push(event);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    await this.q(
      `INSERT INTO timeline (incident_id, at, kind, actor, source, message, data)
         SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])`,
      [
        events.map((e) => e.incidentId),
        events.map((e) => e.at),
        events.map((e) => e.kind),
        events.map((e) => e.actor),
        events.map((e) => e.source),
        events.map((e) => e.message),
        events.map((e) => eventData(e.data)),
      ],
    );
  }
}
