import { describe, expect, it } from 'vitest';
import type { ContractContext } from '../contract.js';
import { approval, newIncident, runbookRun } from '../fixtures.js';

export function runbooksContract({ store, reopen }: ContractContext): void {
  describe('runbook runs', () => {
    it('a run is queued, claimed once, started and finished', async () => {
      const s = await store();
      await s.write((tx) => tx.insertRunbookRun(runbookRun({ dryRun: true })));
      const queued = { ...runbookRun({ dryRun: true }), status: 'queued', outcome: null, summary: null, startedAt: null, endedAt: null };
      expect(await s.getRunbookRun('run-1')).toEqual(queued);
      expect(await s.queuedRunbookRuns(10)).toEqual([queued]);
      expect(await s.write((tx) => tx.claimRunbookRun('run-1', 'ledger-eu', false))).toBe(true);
      expect(await s.write((tx) => tx.claimRunbookRun('run-1', 'ledger-eu', false))).toBe(false);
      expect(await s.getRunbookRun('run-1')).toMatchObject({ status: 'running', targetKey: 'ledger-eu', dryRun: false });
      expect(await s.queuedRunbookRuns(10)).toEqual([]);
      expect((await s.runningRunbookRuns()).map((r) => r.id)).toEqual(['run-1']);
      // Its own claim is not orphaned.
      expect(await s.orphanedRunbookRuns()).toEqual([]);
      await s.write((tx) => tx.startRunbookRun('run-1', 2_000));
      expect(await s.write((tx) => tx.finishRunbookRun('run-1', 'failed', 'step restart: exit 1', 3_000))).toBe(true);
      expect(await s.write((tx) => tx.finishRunbookRun('run-1', 'interrupted', 'again', 4_000))).toBe(false);
      expect(await s.getRunbookRun('run-1')).toMatchObject({ status: 'done', outcome: 'failed', summary: 'step restart: exit 1', startedAt: 2_000, endedAt: 3_000 });
      expect(await s.runningRunbookRuns()).toEqual([]);
      expect(await s.getRunbookRun('nope')).toBeUndefined();
    });

    it('runs queued at the same instant come in the byte order of their ids', async () => {
      const s = await store();
      await s.write(async (tx) => {
        for (const id of ['run-b', 'run-B', 'run-a']) await tx.insertRunbookRun(runbookRun({ id, createdAt: 5_000 }));
      });
      expect((await s.queuedRunbookRuns(10)).map((r) => r.id)).toEqual(['run-B', 'run-a', 'run-b']);
    });

    it('queued runs come oldest first up to the limit; lists newest first, of one incident or all', async () => {
      const s = await store();
      const incident = (await s.write((tx) => tx.insertIncident(newIncident()))).id;
      await s.write(async (tx) => {
        await tx.insertRunbookRun(runbookRun({ id: 'b', createdAt: 2_000, incidentId: incident }));
        await tx.insertRunbookRun(runbookRun({ id: 'a', createdAt: 1_000 }));
        await tx.insertRunbookRun(runbookRun({ id: 'c', createdAt: 3_000, incidentId: incident, trigger: 'manual', requestedBy: 'alice' }));
      });
      expect((await s.queuedRunbookRuns(2)).map((r) => r.id)).toEqual(['a', 'b']);
      expect((await s.listRunbookRuns({ limit: 10 })).map((r) => r.id)).toEqual(['c', 'b', 'a']);
      expect((await s.listRunbookRuns({ limit: 1 })).map((r) => r.id)).toEqual(['c']);
      expect((await s.listRunbookRuns({ incidentId: incident, limit: 10 })).map((r) => r.id)).toEqual(['c', 'b']);
      expect(await s.getRunbookRun('c')).toMatchObject({ trigger: 'manual', requestedBy: 'alice', incidentId: incident });
    });

    it('recentRunbookRuns counts the real runs of a runbook for a target started after a time', async () => {
      const s = await store();
      await s.write(async (tx) => {
        const started = async (id: string, at: number, over: Parameters<typeof runbookRun>[0] = {}) => {
          await tx.insertRunbookRun(runbookRun({ id, ...over }));
          await tx.startRunbookRun(id, at);
        };
        await started('old', 1_000);
        await started('new', 5_000);
        await started('newer', 6_000);
        await started('dry', 6_000, { dryRun: true });
        await started('elsewhere', 6_000, { targetKey: 'search' });
        await started('other-book', 6_000, { runbook: 'scale-up' });
        await tx.insertRunbookRun(runbookRun({ id: 'not-started' }));
      });
      expect(await s.recentRunbookRuns('restart-service', 'ledger', 1_000)).toBe(2);
      expect(await s.recentRunbookRuns('restart-service', 'ledger', 999)).toBe(3);
      expect(await s.recentRunbookRuns('restart-service', 'ledger', 6_000)).toBe(0);
    });

    it('an approval is written once per run and step; deciding it keeps the prompt', async () => {
      const s = await store();
      await s.write(async (tx) => {
        await tx.insertRunbookRun(runbookRun({ id: 'run-1' }));
        await tx.insertRunbookRun(runbookRun({ id: 'run-2' }));
        await tx.upsertApproval(approval({ runId: 'run-1', step: 'b', createdAt: 2_000 }));
        await tx.upsertApproval(approval({ runId: 'run-1', step: 'a', createdAt: 1_000 }));
        await tx.upsertApproval(approval({ runId: 'run-2', step: 'a', createdAt: 1_500 }));
      });
      expect(
        await s.write((tx) =>
          tx.upsertApproval(approval({ runId: 'run-1', step: 'a', prompt: 'changed?', status: 'approved', decidedBy: 'alice', comment: 'ok', decidedAt: 1_200, createdAt: 9 })),
        ),
      ).toBe(true);
      // Decided once: a later decision (another person, a timeout) does not overwrite it.
      expect(await s.write((tx) => tx.upsertApproval(approval({ runId: 'run-1', step: 'a', status: 'expired', decidedAt: 1_300 })))).toBe(false);
      const decided = approval({ runId: 'run-1', step: 'a', status: 'approved', decidedBy: 'alice', comment: 'ok', decidedAt: 1_200, createdAt: 1_000 });
      expect(await s.approvalsOf('run-1')).toEqual([decided, approval({ runId: 'run-1', step: 'b', createdAt: 2_000 })]);
      expect((await s.approvalsOfRuns(['run-1', 'run-2'])).map((a) => `${a.runId}/${a.step}`)).toEqual(['run-1/a', 'run-2/a', 'run-1/b']);
      expect(await s.approvalsOfRuns([])).toEqual([]);
    });

    it('a run left running by a store that closed is orphaned for the next one; finishing it again is refused', async () => {
      const s = await store();
      await s.write(async (tx) => {
        await tx.insertRunbookRun(runbookRun({ id: 'left' }));
        await tx.claimRunbookRun('left', '', false);
      });
      expect(await s.orphanedRunbookRuns()).toEqual([]);
      const again = await reopen(s);
      expect((await again.orphanedRunbookRuns()).map((r) => r.id)).toEqual(['left']);
      expect(await again.write((tx) => tx.finishRunbookRun('left', 'interrupted', 'restart', 5_000))).toBe(true);
      expect(await again.orphanedRunbookRuns()).toEqual([]);
    });
  });
}
