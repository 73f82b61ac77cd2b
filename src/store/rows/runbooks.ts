import { rowMapping } from '../row-mapping.js';
import type { ApprovalRow, RunbookRunRow } from '../types/runbooks.js';

export const runFromRow = rowMapping<RunbookRunRow>({
  id: 'id',
  incidentId: 'incident_id',
  runbook: 'runbook',
  targetKey: 'target_key',
  trigger: 'trigger',
  requestedBy: 'requested_by',
  status: 'status',
  outcome: 'outcome',
  dryRun: ['dry_run', 'flag'],
  context: ['context', 'json'],
  summary: 'summary',
  createdAt: 'created_at',
  startedAt: 'started_at',
  endedAt: 'ended_at',
}).fromRow;

export const approvalFromRow = rowMapping<ApprovalRow>({
  runId: 'run_id',
  step: 'step',
  prompt: 'prompt',
  status: 'status',
  decidedBy: 'decided_by',
  comment: 'comment',
  createdAt: 'created_at',
  expiresAt: 'expires_at',
  decidedAt: 'decided_at',
}).fromRow;
