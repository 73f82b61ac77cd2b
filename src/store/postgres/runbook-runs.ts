import { approvalFromRow, runFromRow } from '../rows/runbooks.js';
import type { RunbookReads, RunbookTx } from '../types/runbooks.js';
import { LEASE_SET, leaseArgs, UNLEASED, type Lease } from './lease.js';
import type { Query } from './pool.js';

/**
 * The runbook tables' writes, for the store's transaction object. A claimed run is leased to this instance,
 * which renews the lease while the run goes on (PostgresStore); a run whose lease ran out was interrupted.
 */
export function runbookTx(q: Query, lease: Lease): RunbookTx {
  return {
    async insertRunbookRun(run) {
      await q(
        `INSERT INTO runbook_runs (id, incident_id, runbook, target_key, trigger, requested_by, status, dry_run, context, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
        [run.id, run.incidentId, run.runbook, run.targetKey, run.trigger, run.requestedBy, run.dryRun ? 1 : 0, JSON.stringify(run.context), run.createdAt],
      );
    },
    async claimRunbookRun(id, targetKey, dryRun) {
      const claimed = await q(`UPDATE runbook_runs SET status = 'running', target_key = ?, dry_run = ?, ${LEASE_SET} WHERE id = ? AND status = 'queued' RETURNING id`, [
        targetKey,
        dryRun ? 1 : 0,
        ...leaseArgs(lease),
        id,
      ]);
      return claimed.length > 0;
    },
    async startRunbookRun(id, at) {
      await q('UPDATE runbook_runs SET started_at = ? WHERE id = ?', [at, id]);
    },
    async finishRunbookRun(id, outcome, summary, at) {
      const done = await q("UPDATE runbook_runs SET status = 'done', outcome = ?, summary = ?, ended_at = ?, lease_until = NULL WHERE id = ? AND status <> 'done' RETURNING id", [
        outcome,
        summary,
        at,
        id,
      ]);
      return done.length > 0;
    },
    async upsertApproval(a) {
      const written = await q(
        `INSERT INTO runbook_approvals (run_id, step, prompt, status, decided_by, comment, created_at, expires_at, decided_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step) DO UPDATE SET status = excluded.status, decided_by = excluded.decided_by,
           comment = excluded.comment, decided_at = excluded.decided_at
         WHERE runbook_approvals.status = 'pending'
         RETURNING run_id`,
        [a.runId, a.step, a.prompt, a.status, a.decidedBy, a.comment, a.createdAt, a.expiresAt, a.decidedAt],
      );
      return written.length > 0;
    },
  };
}

/** The runbook tables' reads. */
export function runbookReads(q: Query, lease: Lease): RunbookReads {
  const many = async (sql: string, ...args: unknown[]) => (await q(sql, args)).map(runFromRow);
  // Text ids sort byte by byte as in SQLite, whatever the database's collation.
  return {
    queuedRunbookRuns: (limit) => many(`SELECT * FROM runbook_runs WHERE status = 'queued' ORDER BY created_at, id COLLATE "C" LIMIT ?`, limit),
    orphanedRunbookRuns: () =>
      many(`SELECT * FROM runbook_runs WHERE status = 'running' AND lease_owner IS DISTINCT FROM ? AND ${UNLEASED} ORDER BY created_at`, lease.owner),
    runningRunbookRuns: () => many("SELECT * FROM runbook_runs WHERE status = 'running' ORDER BY created_at"),
    recentRunbookRuns: async (runbook, key, since) => {
      const [r] = await q('SELECT COUNT(*) AS n FROM runbook_runs WHERE runbook = ? AND target_key = ? AND started_at > ? AND dry_run = 0', [runbook, key, since]);
      return r!.n as number;
    },
    listRunbookRuns: ({ incidentId, limit }) =>
      incidentId === undefined
        ? many('SELECT * FROM runbook_runs ORDER BY created_at DESC, id COLLATE "C" LIMIT ?', limit)
        : many('SELECT * FROM runbook_runs WHERE incident_id = ? ORDER BY created_at DESC, id COLLATE "C" LIMIT ?', incidentId, limit),
    getRunbookRun: async (id) => {
      const [r] = await q('SELECT * FROM runbook_runs WHERE id = ?', [id]);
      return r ? runFromRow(r) : undefined;
    },
    // Ties in created_at in the order SQLite reads them: along the (run_id, step) key.
    approvalsOfRuns: async (runIds) =>
      (await q('SELECT * FROM runbook_approvals WHERE run_id = ANY(?::text[]) ORDER BY created_at, run_id COLLATE "C", step COLLATE "C"', [runIds])).map(
        approvalFromRow,
      ),
    approvalsOf: async (runId) =>
      (await q('SELECT * FROM runbook_approvals WHERE run_id = ? ORDER BY created_at, step COLLATE "C"', [runId])).map(approvalFromRow),
  };
}
