import { rowMapping } from '../row-mapping.js';
import type { DueTimer } from '../types/timers.js';

export const timerFromRow = rowMapping<DueTimer>({ incidentId: 'incident_id', kind: 'kind', dueAt: 'due_at' }).fromRow;
