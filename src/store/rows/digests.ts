import { rowMapping } from '../row-mapping.js';
import type { DigestScheduleRow } from '../types/digests.js';

export const digestScheduleFromRow = rowMapping<DigestScheduleRow>({
  name: 'name',
  cron: 'cron',
  timeZone: 'time_zone',
  dueAt: 'due_at',
  lastRunAt: 'last_run_at',
  lastSince: 'last_since',
  lastUntil: 'last_until',
}).fromRow;
