import type { SilenceRow } from '../../rules/suppression-types.js';
import { rowMapping } from '../row-mapping.js';

export const silences = rowMapping<SilenceRow>({
  id: 'id',
  matchers: ['matchers', 'json'],
  startsAt: 'starts_at',
  endsAt: 'ends_at',
  createdBy: 'created_by',
  comment: 'comment',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});
export const silenceFromRow = silences.fromRow;
