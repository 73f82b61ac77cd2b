import { describe, expect, it } from 'vitest';
import type { IncidentQuery, IncidentRow, Store } from '../../../src/store/types.js';
import type { ContractContext } from '../contract.js';
import { newAlert, newIncident, newNotification } from '../fixtures.js';

const severityRank = { critical: 0, warning: 1, reminder: 2, info: 3 } as const;

/** Six incidents of several severities, statuses, teams and ages, with alerts and pages to filter by. */
async function board(s: Store) {
  return s.write(async (tx) => {
    const add = async (over: Partial<IncidentRow>, labels: Record<string, string> = { alertname: 'A' }) => {
      const row = await tx.insertIncident(newIncident({ groupKey: `g${over.title}`, ...over }));
      await tx.insertAlert(newAlert(row.id, { fingerprint: `f${row.id}`, labels }));
      return row;
    };
    const diskOld = await add({ title: 'Disk 100% full', severity: 'warning', createdAt: 1_000, team: 'payments', service: 'ledger' });
    const cpu = await add({ title: 'CPU high', severity: 'critical', createdAt: 3_000, team: 'payments', service: 'api' }, { alertname: 'CpuHigh', instance: 'WEB-7' });
    const mem = await add({ title: 'Memory', severity: 'critical', createdAt: 2_000, status: 'acknowledged', team: 'search' });
    const info = await add({ title: 'Info only', severity: 'info', createdAt: 500, team: null });
    const old = await add({ title: 'Old outage', severity: 'critical', createdAt: 100, status: 'resolved', resolvedAt: 900 });
    const reminder = await add({ title: 'Cert expires', severity: 'reminder', createdAt: 4_000, team: 'payments' });
    await tx.insertNotification(newNotification(cpu.id, { person: 'bob', idempotencyKey: 'p1' }), 1);
    await tx.insertNotification(newNotification(mem.id, { person: 'bob', kind: 'escalation', idempotencyKey: 'p2' }), 1);
    await tx.insertNotification(newNotification(reminder.id, { person: 'bob', kind: 'reminder', idempotencyKey: 'p3' }), 1);
    return { diskOld, cpu, mem, info, old, reminder };
  });
}

export function incidentListContract({ store }: ContractContext): void {
  describe('listIncidents and countIncidents', () => {
    it('newest first by default, all statuses, up to the limit, with keyset paging', async () => {
      const s = await store();
      const b = await board(s);
      const titles = (rows: IncidentRow[]) => rows.map((r) => r.title);
      const all = await s.listIncidents({ limit: 10 });
      expect(titles(all)).toEqual(['Cert expires', 'Old outage', 'Info only', 'Memory', 'CPU high', 'Disk 100% full']);
      expect(all[0]).toEqual(b.reminder);
      const first = await s.listIncidents({ limit: 4, order: 'newest' });
      expect(titles(first)).toEqual(titles(all).slice(0, 4));
      expect(titles(await s.listIncidents({ limit: 4, after: { id: first.at(-1)!.id } }))).toEqual(['CPU high', 'Disk 100% full']);
    });

    it('filters by status (open: triggered or acknowledged), severity, team, service', async () => {
      const s = await store();
      await board(s);
      const titles = async (q: Omit<IncidentQuery, 'limit'>) => (await s.listIncidents({ limit: 10, ...q })).map((r) => r.title).sort();
      expect(await titles({ status: 'open' })).toEqual(['CPU high', 'Cert expires', 'Disk 100% full', 'Info only', 'Memory']);
      expect(await titles({ status: 'resolved' })).toEqual(['Old outage']);
      expect(await titles({ status: 'acknowledged' })).toEqual(['Memory']);
      expect(await titles({ severity: 'critical' })).toEqual(['CPU high', 'Memory', 'Old outage']);
      expect(await titles({ team: 'payments', status: 'triggered' })).toEqual(['CPU high', 'Cert expires', 'Disk 100% full']);
      expect(await titles({ team: 'payments', service: 'api' })).toEqual(['CPU high']);
    });

    it('finds text in titles and alert labels, whatever its case, % and _ taken literally; and incidents a person was paged for', async () => {
      const s = await store();
      await board(s);
      const titles = async (q: Omit<IncidentQuery, 'limit'>) => (await s.listIncidents({ limit: 10, ...q })).map((r) => r.title).sort();
      expect(await titles({ text: 'disk' })).toEqual(['Disk 100% full']);
      expect(await titles({ text: '  web-7 ' })).toEqual(['CPU high']);
      expect(await titles({ text: '100%' })).toEqual(['Disk 100% full']);
      expect(await titles({ text: '0%f' })).toEqual([]);
      expect(await titles({ text: 'e_o' })).toEqual([]);
      expect((await titles({ text: '   ' })).length).toBe(6);
      // Pages and escalations count; a reminder does not.
      expect(await titles({ pagedPerson: 'bob' })).toEqual(['CPU high', 'Memory']);
      expect(await titles({ pagedPerson: 'alice' })).toEqual([]);
    });

    it('urgency order: most severe first, then the oldest, with keyset paging by its cursor', async () => {
      const s = await store();
      await board(s);
      const rows = await s.listIncidents({ limit: 10, order: 'urgency', status: 'open' });
      expect(rows.map((r) => r.title)).toEqual(['Memory', 'CPU high', 'Disk 100% full', 'Cert expires', 'Info only']);
      const page = await s.listIncidents({ limit: 2, order: 'urgency', status: 'open' });
      const last = page.at(-1)!;
      const next = await s.listIncidents({
        limit: 2,
        order: 'urgency',
        status: 'open',
        after: { id: last.id, severityRank: severityRank[last.severity], createdAt: last.createdAt },
      });
      expect(next.map((r) => r.title)).toEqual(['Disk 100% full', 'Cert expires']);
    });

    it('countIncidents counts per status under the same filters, leaving status, limit, order and cursor aside', async () => {
      const s = await store();
      const b = await board(s);
      expect(await s.countIncidents({})).toEqual({ triggered: 4, acknowledged: 1, resolved: 1 });
      expect(await s.countIncidents({ severity: 'critical', status: 'triggered', order: 'urgency', after: { id: b.cpu.id } })).toEqual({
        triggered: 1,
        acknowledged: 1,
        resolved: 1,
      });
      expect(await s.countIncidents({ team: 'payments', text: 'c' })).toEqual({ triggered: 2, acknowledged: 0, resolved: 0 });
      expect(await s.countIncidents({ pagedPerson: 'nobody' })).toEqual({ triggered: 0, acknowledged: 0, resolved: 0 });
    });
  });
}
