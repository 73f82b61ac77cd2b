import type { OncallOverrideRow } from '../types/oncall-overrides.js';
import { rowMapping } from '../row-mapping.js';

export const oncallOverrides = rowMapping<OncallOverrideRow>({
  id: 'id',
  schedule: 'schedule',
  person: 'person',
  startsAt: 'starts_at',
  endsAt: 'ends_at',
  createdBy: 'created_by',
  reason: 'reason',
  createdAt: 'created_at',
});
export const overrideFromRow = oncallOverrides.fromRow;
