import type { HeartbeatRow } from '../types/heartbeats.js';
import { rowMapping } from '../row-mapping.js';

export const heartbeats = rowMapping<HeartbeatRow>({
  id: 'id',
  name: 'name',
  origin: 'origin',
  file: 'file',
  spec: ['spec', 'json'],
  keyHash: 'key_hash',
  paused: ['paused', 'flag'],
  state: 'state',
  lastPingAt: 'last_ping_at',
  lastPingKind: 'last_ping_kind',
  lastExitCode: 'last_exit_code',
  lastOutput: 'last_output',
  startedAt: 'started_at',
  dueAt: 'due_at',
  checkAt: 'check_at',
  lateSince: 'late_since',
  downSince: 'down_since',
  firedLabels: ['fired_labels', 'json'],
  note: 'note',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
});
export const heartbeatFromRow = heartbeats.fromRow;
