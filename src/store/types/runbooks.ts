/** A run of a runbook: queued in the transaction that decided it, then run by the runbook runner. */
export interface RunbookRunRow {
  id: string;
  incidentId: number | null;
  runbook: string;
  /** The rate-limit target (rate_limit.key rendered from the alert). */
  targetKey: string;
  trigger: 'rule' | 'manual';
  requestedBy: string | null;
  status: 'queued' | 'running' | 'done';
  /** succeeded, failed, escalate, dry_run, aborted, refused, interrupted; null until done. */
  outcome: string | null;
  dryRun: boolean;
  /** What the templates see: the alert's labels and annotations and the incident. */
  context: { labels: Record<string, string>; annotations: Record<string, string>; incident: { id: number; title: string; severity: string } };
  /** In words: the refusal reason, or the failing step. */
  summary: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export type NewRunbookRun = Omit<RunbookRunRow, 'startedAt' | 'endedAt' | 'outcome' | 'summary' | 'status'>;

export interface ApprovalRow {
  runId: string;
  step: string;
  prompt: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired';
  decidedBy: string | null;
  comment: string | null;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
}

/** Writes of the runbook runner, inside a group-committed transaction. */
export interface RunbookTx {
  insertRunbookRun(run: NewRunbookRun): Promise<void>;
  /** queued → running, with its target and whether it is a dry run after all; false when already taken. */
  claimRunbookRun(id: string, targetKey: string, dryRun: boolean): Promise<boolean>;
  /** Records that a real run of `runbook` for `key` started at `at` (it now counts against the rate limit). */
  startRunbookRun(id: string, at: number): Promise<void>;
  /** Records the outcome; false when the run was already done (another instance recorded it first). */
  finishRunbookRun(id: string, outcome: string, summary: string | null, at: number): Promise<boolean>;
  /** Writes an approval, or decides it; false when it was already decided (a decision never overwrites another). */
  upsertApproval(a: ApprovalRow): Promise<boolean>;
}

/** Reads of runbook runs. */
export interface RunbookReads {
  queuedRunbookRuns(limit: number): Promise<RunbookRunRow[]>;
  /** Runs marked running, wherever they run. */
  runningRunbookRuns(): Promise<RunbookRunRow[]>;
  /**
   * Runs marked running that no live instance works on: those a stopped or crashed process left (SQLite: any
   * this store did not claim; PostgreSQL: their instance's lease ran out). They were interrupted.
   */
  orphanedRunbookRuns(): Promise<RunbookRunRow[]>;
  /** Real runs of `runbook` for `key` that started after `since` (the rate limit). */
  recentRunbookRuns(runbook: string, key: string, since: number): Promise<number>;
  listRunbookRuns(query: { incidentId?: number; limit: number }): Promise<RunbookRunRow[]>;
  getRunbookRun(id: string): Promise<RunbookRunRow | undefined>;
  approvalsOf(runId: string): Promise<ApprovalRow[]>;
  /** The approvals of several runs in one read (the runs list). */
  approvalsOfRuns(runIds: string[]): Promise<ApprovalRow[]>;
}
