import { describe, expect, it } from 'vitest';
import type { ReportRows } from '../../../src/store/types.js';
import type { ContractContext } from '../contract.js';
import { newAlert, newEvent, newIncident, newNotification, policy } from '../fixtures.js';

const DAY = 86_400_000;
const since = 10 * DAY;
const until = 17 * DAY;

async function all(chunks: AsyncIterable<ReportRows>): Promise<ReportRows[]> {
  const out: ReportRows[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

export function reportsContract({ store }: ContractContext): void {
  describe('reportChunks', () => {
    it('reads the incidents a period touches, each in one chunk with its rows of the kinds asked for', async () => {
      const s = await store();
      const ids = await s.write(async (tx) => {
        const add = async (over: Parameters<typeof newIncident>[0]) => (await tx.insertIncident(newIncident({ groupKey: `g${over?.title}`, ...over }))).id;
        const inPeriod = await add({ title: 'in', createdAt: since + 1_000, policy, status: 'resolved', acknowledgedAt: since + 2_000, acknowledgedBy: 'alice', resolvedAt: since + 3_000 });
        const second = await add({ title: 'second', createdAt: since + 5_000 });
        const olderOpen = await add({ title: 'older open', createdAt: since - 5 * DAY });
        await add({ title: 'older closed', createdAt: since - 5 * DAY, status: 'resolved', resolvedAt: since - 4 * DAY });
        await add({ title: 'after', createdAt: until + 1 });
        await tx.addEvent(newEvent(inPeriod, { kind: 'acknowledged', at: since + 2_000, actor: 'alice' }));
        await tx.addEvent(newEvent(inPeriod, { kind: 'note', at: since + 2_500 }));
        await tx.addEvent(newEvent(inPeriod, { kind: 'resolved', at: until + 10 }));
        await tx.addEvent(newEvent(olderOpen, { kind: 'acknowledged', at: since - DAY }));
        await tx.insertNotification(newNotification(inPeriod, { idempotencyKey: 'page', dueAt: since + 1_500 }), since + 1_500);
        await tx.insertNotification(newNotification(inPeriod, { idempotencyKey: 'reminder', kind: 'reminder' }), since + 1_500);
        await tx.insertNotification(newNotification(olderOpen, { idempotencyKey: 'old page' }), since - 2 * DAY);
        await tx.insertNotification(newNotification(olderOpen, { idempotencyKey: 'recent page' }), since - DAY / 2);
        await tx.insertAlert(newAlert(inPeriod, { fingerprint: 'a', labels: { alertname: 'DiskFull', instance: 'db-1' }, receiveCount: 3 }));
        await tx.insertAlert(newAlert(second, { fingerprint: 'b', labels: { instance: 'db-2' }, severity: 'warning' }));
        await tx.insertAlert(newAlert(olderOpen, { fingerprint: 'c' }));
        return { inPeriod, second, olderOpen };
      });
      let pauses = 0;
      const chunks = await all(
        s.reportChunks(since, until, { size: 1, eventKinds: ['acknowledged', 'resolved'], pause: async () => void pauses++ }),
      );
      expect(pauses).toBeGreaterThanOrEqual(chunks.length);
      expect(chunks.every((c) => c.incidents.length === 1)).toBe(true);
      const byId = new Map(chunks.map((c) => [c.incidents[0]!.id, c]));
      expect([...byId.keys()].sort((a, b) => a - b)).toEqual([ids.inPeriod, ids.second, ids.olderOpen]);

      const first = byId.get(ids.inPeriod)!;
      expect(first.incidents[0]).toEqual({
        id: ids.inPeriod,
        title: 'in',
        status: 'resolved',
        severity: 'critical',
        priority: 'P1',
        team: 'payments',
        service: 'ledger',
        createdAt: since + 1_000,
        acknowledgedAt: since + 2_000,
        acknowledgedBy: 'alice',
        resolvedAt: since + 3_000,
        resolvedBy: null,
        reopenCount: 0,
        escalationTier: 1,
        alertCount: 1,
        policy: { ackSla: policy.ackSla, resolveSla: policy.resolveSla, digest: true },
      });
      expect(first.events).toEqual([
        { id: expect.any(Number), incidentId: ids.inPeriod, at: since + 2_000, kind: 'acknowledged', actor: 'alice', message: 'Incident opened', data: null },
      ]);
      expect(first.notifications).toEqual([
        {
          id: expect.any(Number),
          incidentId: ids.inPeriod,
          kind: 'page',
          channel: 'sms',
          person: 'alice',
          recipientName: 'Alice Example',
          status: 'pending',
          createdAt: since + 1_500,
          dueAt: since + 1_500,
          deliveredAt: null,
          fallbackOf: null,
          errorKind: null,
        },
      ]);
      expect(first.alerts).toEqual([{ incidentId: ids.inPeriod, labels: { alertname: 'DiskFull' }, receiveCount: 3, severity: 'critical' }]);
      expect(byId.get(ids.second)!.alerts).toEqual([{ incidentId: ids.second, labels: {}, receiveCount: 1, severity: 'warning' }]);
      expect(byId.get(ids.second)!.incidents[0]!.policy).toBeNull();

      // An older incident brings its events and its pages from a day before the period, never its alerts.
      const older = byId.get(ids.olderOpen)!;
      expect(older.events.map((e) => e.kind)).toEqual(['acknowledged']);
      expect(older.notifications.map((n) => n.createdAt)).toEqual([since - DAY / 2]);
      expect(older.alerts).toEqual([]);

      const together = await all(s.reportChunks(since, until, { size: 10, eventKinds: [] }));
      expect(together.flatMap((c) => c.incidents.map((i) => i.id)).sort((a, b) => a - b)).toEqual([ids.inPeriod, ids.second, ids.olderOpen]);
      expect(together.flatMap((c) => c.events)).toEqual([]);
    });

    it('reads nothing for an empty period, and refuses a chunk size below 1', async () => {
      const s = await store();
      expect(await all(s.reportChunks(since, until, { size: 5, eventKinds: ['acknowledged'] }))).toEqual([]);
      await expect(all(s.reportChunks(since, until, { size: 0, eventKinds: [] }))).rejects.toThrow(RangeError);
    });
  });
}
