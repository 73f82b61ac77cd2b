import { eventData, eventFromRow, eventValues, INSERT_EVENT_SQL } from '../rows/timeline.js';
import type { IncidentReads, IncidentTx, NewTimelineEvent, TimelineEvent } from '../types/incidents.js';
import type { DeferredInserts } from './deferred-inserts.js';
import type { DeferredTimelineRevisions } from './deferred-revisions.js';
import type { Query } from './pool.js';

const eventsOf = async (q: Query, sql: string, ...args: unknown[]): Promise<TimelineEvent[]> => (await q(sql, args)).map(eventFromRow);

/** An incident's timeline: its writes, and the change feed told which incident got an event of which kind. */
export function timelineTx(
  q: Query,
  changed: (incidentId: number, kind: string) => void,
  revisions: DeferredTimelineRevisions,
  events: DeferredInserts<NewTimelineEvent>,
): Pick<IncidentTx, 'addEvent' | 'recordEvent' | 'reviseEvent' | 'latestNotes'> {
  return {
    recordEvent: (e) => {
      events.add(e);
      changed(e.incidentId, e.kind);
      return Promise.resolve();
    },
    addEvent: async (e) => {
      const [row] = await q(`${INSERT_EVENT_SQL} RETURNING id`, eventValues(e));
      changed(e.incidentId, e.kind);
      return Number(row!.id);
    },
    reviseEvent: (event, message, data) => {
      changed(event.incidentId, event.kind);
      revisions.add(event.id, message, eventData(data));
      return Promise.resolve();
    },
    latestNotes: (incidentId, limit) =>
      eventsOf(q, "SELECT * FROM timeline WHERE incident_id = ? AND kind IN ('note', 'acknowledged') ORDER BY id DESC LIMIT ?", incidentId, limit),
  };
}

export function timelineReads(read: Query): Pick<IncidentReads, 'timelineOf' | 'latestEvents' | 'latestEventOfEach'> {
  return {
    timelineOf: (incidentId) => eventsOf(read, 'SELECT * FROM timeline WHERE incident_id = ? ORDER BY id', incidentId),
    latestEventOfEach: async (incidentIds, kind) => {
      const rows = await eventsOf(
        read,
        `SELECT t.* FROM timeline t JOIN (
           SELECT max(id) AS id FROM timeline WHERE kind = ? AND incident_id = ANY(?::bigint[]) GROUP BY incident_id
         ) latest ON t.id = latest.id
         ORDER BY t.incident_id`,
        kind,
        [...incidentIds],
      );
      return new Map(rows.map((e) => [e.incidentId, e]));
    },
    latestEvents: (incidentId, kinds, limit) =>
      eventsOf(read, 'SELECT * FROM timeline WHERE incident_id = ? AND kind = ANY(?::text[]) ORDER BY id DESC LIMIT ?', incidentId, [...kinds], limit),
  };
}
