import { rowMapping } from '../row-mapping.js';
import type { TimelineEvent } from '../types/incidents.js';

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
