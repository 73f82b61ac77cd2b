import { approvalFromRow, runFromRow } from '../rows/runbooks.js';
import type { RunbookReads, RunbookTx } from '../types/runbooks.js';
import type { Raw, Read, Stmt } from './statements.js';

/**
 * The runbook tables' writes, for the store's transaction object. `mine` holds the runs this store claimed:
 * one process serves the file, so any other run marked running was left by a process that stopped.
 */
export function runbookTx(stmt: Stmt, mine: Set<string>, afterCommit: (fn: () => void) => void): RunbookTx {
  return {
    insertRunbookRun(run) {
      stmt(
        `INSERT INTO runbook_runs (id, incident_id, runbook, target_key, trigger, requested_by, status, dry_run, context, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      ).run(run.id, run.incidentId, run.runbook, run.targetKey, run.trigger, run.requestedBy, run.dryRun ? 1 : 0, JSON.stringify(run.context), run.createdAt);
      return Promise.resolve();
    },
    claimRunbookRun(id, targetKey, dryRun) {
      const info = stmt("UPDATE runbook_runs SET status = 'running', target_key = ?, dry_run = ? WHERE id = ? AND status = 'queued'").run(
        targetKey,
        dryRun ? 1 : 0,
        id,
      );
      if (info.changes > 0) mine.add(id);
      return Promise.resolve(info.changes > 0);
    },
    startRunbookRun(id, at) {
      stmt('UPDATE runbook_runs SET started_at = ? WHERE id = ?').run(at, id);
      return Promise.resolve();
    },
    finishRunbookRun(id, outcome, summary, at) {
      const info = stmt("UPDATE runbook_runs SET status = 'done', outcome = ?, summary = ?, ended_at = ? WHERE id = ? AND status <> 'done'").run(outcome, summary, at, id);
      // Not before the commit: a run whose outcome fails to commit is still this store's, not orphaned.
      afterCommit(() => mine.delete(id));
      return Promise.resolve(info.changes > 0);
    },
    upsertApproval(a) {
      const info = stmt(
        `INSERT INTO runbook_approvals (run_id, step, prompt, status, decided_by, comment, created_at, expires_at, decided_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step) DO UPDATE SET status = excluded.status, decided_by = excluded.decided_by,
           comment = excluded.comment, decided_at = excluded.decided_at
         WHERE runbook_approvals.status = 'pending'`,
      ).run(a.runId, a.step, a.prompt, a.status, a.decidedBy, a.comment, a.createdAt, a.expiresAt, a.decidedAt);
      return Promise.resolve(info.changes > 0);
    },
  };
}

/** The runbook tables' reads; `read` classifies errors like every other read of the store. */
export function runbookReads(stmt: Stmt, read: Read, mine: ReadonlySet<string>): RunbookReads {
  const many = (sql: string, ...args: unknown[]) => read(() => (stmt(sql).all(...args) as Raw[]).map(runFromRow));
  return {
    queuedRunbookRuns: (limit) => many("SELECT * FROM runbook_runs WHERE status = 'queued' ORDER BY created_at, id LIMIT ?", limit),
    runningRunbookRuns: () => many("SELECT * FROM runbook_runs WHERE status = 'running' ORDER BY created_at"),
    orphanedRunbookRuns: async () => (await many("SELECT * FROM runbook_runs WHERE status = 'running' ORDER BY created_at")).filter((r) => !mine.has(r.id)),
    recentRunbookRuns: (runbook, key, since) =>
      read(
        () =>
          (
            stmt('SELECT COUNT(*) AS n FROM runbook_runs WHERE runbook = ? AND target_key = ? AND started_at > ? AND dry_run = 0').get(
              runbook,
              key,
              since,
            ) as { n: number }
          ).n,
      ),
    listRunbookRuns: ({ incidentId, limit }) =>
      incidentId === undefined
        ? many('SELECT * FROM runbook_runs ORDER BY created_at DESC, id LIMIT ?', limit)
        : many('SELECT * FROM runbook_runs WHERE incident_id = ? ORDER BY created_at DESC, id LIMIT ?', incidentId, limit),
    getRunbookRun: (id) => read(() => {
      const r = stmt('SELECT * FROM runbook_runs WHERE id = ?').get(id) as Raw | undefined;
      return r ? runFromRow(r) : undefined;
    }),
    approvalsOfRuns: (runIds) =>
      read(() =>
        (stmt('SELECT * FROM runbook_approvals WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY created_at').all(JSON.stringify(runIds)) as Raw[]).map(
          approvalFromRow,
        ),
      ),
    approvalsOf: (runId) => read(() => (stmt('SELECT * FROM runbook_approvals WHERE run_id = ? ORDER BY created_at').all(runId) as Raw[]).map(approvalFromRow)),
  };
}
