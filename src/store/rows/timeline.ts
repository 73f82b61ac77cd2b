import { rowMapping } from '../row-mapping.js';
import type { NewTimelineEvent, TimelineEvent } from '../types/incidents.js';

/** The timeline table's rows, in both stores. */
export const eventFromRow = rowMapping<TimelineEvent>({
  id: 'id',
  incidentId: 'incident_id',
  at: 'at',
  kind: 'kind',
  actor: 'actor',
  source: 'source',
  message: 'message',
  data: ['data', 'json'],
}).fromRow;

/** An event's data as the data column keeps it. */
export const eventData = (data: Record<string, unknown> | null | undefined): string | null => (data == null ? null : JSON.stringify(data));

/** The columns a new event is written to, in the order of eventValues. */
export const EVENT_COLUMNS = ['incident_id', 'at', 'kind', 'actor', 'source', 'message', 'data'] as const;
export const INSERT_EVENT_SQL = `INSERT INTO timeline (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`;

/** A new event's values for EVENT_COLUMNS. */
export function eventValues(e: NewTimelineEvent): unknown[] {
  return [e.incidentId, e.at, e.kind, e.actor, e.source, e.message, eventData(e.data)];
}
