import { describe, expect, it } from 'vitest';
import { detailsDigest } from '../../../src/alerts/details-digest.js';
import type { Store } from '../../../src/store/types.js';
import type { ContractContext } from '../contract.js';
import { newAlert, newIncident } from '../fixtures.js';

let seededIncidents = 0;

/** An incident (of its own group: one open incident per group key) with one alert per fingerprint given (overrides apply to every alert). */
async function seeded(s: Store, fingerprints: string[], over: Parameters<typeof newAlert>[1] = {}) {
  return s.write(async (tx) => {
    const incident = await tx.insertIncident(newIncident({ groupKey: `{alertname="Seeded${++seededIncidents}"}` }));
    const ids: number[] = [];
    for (const fingerprint of fingerprints) ids.push(await tx.insertAlert(newAlert(incident.id, { fingerprint, ...over })));
    return { incidentId: incident.id, ids };
  });
}

export function alertsContract({ store, reopen }: ContractContext): void {
  describe('alerts', () => {
    it('keeps every field of an alert as written, JSON fields included', async () => {
      const s = await store();
      const { incidentId } = await seeded(s, []);
      const written = newAlert(incidentId, { suppressedBy: { kind: 'silence', id: 'sil-1', reason: 'muted by alice', until: 5_000 } });
      const id = await s.write((tx) => tx.insertAlert(written));
      expect(await s.write((tx) => tx.getAlert(id))).toEqual({ id, ...written });
      expect(await s.alertsOf(incidentId)).toEqual([{ id, ...written }]);
      expect(await s.write((tx) => tx.getAlert(id + 100))).toBeUndefined();
    });

    it('addAlert: a new alert without its id, read by the same write\'s next statement and kept by its commit', async () => {
      const s = await store();
      const { incidentId } = await seeded(s, []);
      const written = newAlert(incidentId, { fingerprint: 'added-1' });
      const seen = await s.write(async (tx) => {
        await tx.addAlert(written);
        await tx.addAlert(newAlert(incidentId, { fingerprint: 'added-2' }));
        return [await tx.currentAlertState('added-1'), await tx.currentAlert('added-2')];
      });
      expect(seen[0]).toMatchObject({ incidentId, status: 'firing' });
      expect(seen[1]).toMatchObject({ fingerprint: 'added-2', incidentId });
      const rows = await s.alertsOf(incidentId);
      expect(rows.map((r) => r.fingerprint)).toEqual(['added-1', 'added-2']);
      expect(rows[0]).toEqual({ id: rows[0]!.id, ...written });
      // Added at the end of a write, with nothing after it: kept too.
      await s.write((tx) => tx.addAlert(newAlert(incidentId, { fingerprint: 'added-3' })));
      expect((await s.alertsOf(incidentId)).map((r) => r.fingerprint)).toEqual(['added-1', 'added-2', 'added-3']);
      // One added in a write that then fails is not kept.
      await expect(
        s.write(async (tx) => {
          await tx.addAlert(newAlert(incidentId, { fingerprint: 'added-4' }));
          throw new Error('the write fails');
        }),
      ).rejects.toThrow('the write fails');
      expect((await s.alertsOf(incidentId)).map((r) => r.fingerprint)).toEqual(['added-1', 'added-2', 'added-3']);
    });

    it('currentAlert and currentAlertState give the newest row of a fingerprint, undefined for an unknown one', async () => {
      const s = await store();
      // An older, resolved row of the fingerprint, then the firing one (a fingerprint fires in one row at a time).
      const { incidentId, ids } = await seeded(s, ['fp-1'], { status: 'resolved', resolvedAt: 950 });
      const firing = await s.write((tx) => tx.insertAlert(newAlert(incidentId, { fingerprint: 'fp-1' })));
      expect(firing).toBeGreaterThan(ids[0]!);
      expect((await s.write((tx) => tx.currentAlert('fp-1')))?.id).toBe(firing);
      expect(await s.write((tx) => tx.currentAlertState('fp-1'))).toEqual({
        id: firing,
        incidentId,
        status: 'firing',
        severity: 'critical',
        rawSeverity: 'critical',
        startsAt: 900,
        endsAt: 100_000,
        expiresAt: 100_000,
        resolvedBy: null,
        annotationsDigest: detailsDigest(JSON.stringify({ summary: 'Disk almost full' })),
        valuesDigest: detailsDigest(JSON.stringify({ A: 97.5, B: null })),
      });
      expect(await s.write((tx) => tx.currentAlert('fp-2'))).toBeUndefined();
      expect(await s.write((tx) => tx.currentAlertState('fp-2'))).toBeUndefined();
      // Read ahead for a write (a fingerprint given twice, an unknown one): the same newest row, the unknown absent.
      const single = await s.write((tx) => tx.currentAlertState('fp-1'));
      const ahead = await s.write(async (tx) => {
        await tx.prefetchAlertStates(['fp-2', 'fp-1', 'fp-1']);
        return [await tx.currentAlertState('fp-1'), await tx.currentAlertState('fp-2')];
      });
      expect(ahead).toEqual([single, undefined]);
      // After a restart, a fingerprint stored before it is known (not taken for a new alert).
      const again = await reopen(s);
      expect((await again.write((tx) => tx.currentAlertState('fp-1')))?.id).toBe(firing);
      expect(await again.write((tx) => tx.currentAlertState('fp-2'))).toBeUndefined();
      // One inserted in a write that then fails is looked up as before (and found absent).
      await expect(
        again.write(async (tx) => {
          await tx.insertAlert(newAlert(incidentId, { fingerprint: 'fp-3' }));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await again.write((tx) => tx.currentAlertState('fp-3'))).toBeUndefined();
    });

    it('the alert state follows every committed write, and a new row of the fingerprint', async () => {
      const s = await store();
      const { incidentId, ids } = await seeded(s, ['fp-1']);
      const id = ids[0]!;
      const state = () => s.write((tx) => tx.currentAlertState('fp-1'));
      expect(await state()).toMatchObject({ endsAt: 100_000 });
      await s.write((tx) => tx.refreshAlert(id, { endsAt: 200_000, expiresAt: 200_000, lastReceivedAt: 2_000 }));
      expect(await state()).toMatchObject({ id, endsAt: 200_000, expiresAt: 200_000 });
      await s.write((tx) => tx.updateAlert(id, { status: 'resolved', resolvedAt: 3_000, resolvedBy: 'alice' }));
      expect(await state()).toMatchObject({ id, status: 'resolved', resolvedBy: 'alice' });
      const next = await s.write((tx) => tx.insertAlert(newAlert(incidentId, { startsAt: 4_000 })));
      expect(await state()).toMatchObject({ id: next, status: 'firing', startsAt: 4_000 });
    });

    it('a write that fails leaves the alert state as committed, though it read the state it changed', async () => {
      const s = await store();
      const { ids } = await seeded(s, ['fp-1']);
      const id = ids[0]!;
      const state = () => s.write((tx) => tx.currentAlertState('fp-1'));
      expect(await state()).toMatchObject({ endsAt: 100_000 });
      await expect(
        s.write(async (tx) => {
          await tx.refreshAlert(id, { endsAt: 777, expiresAt: 777, lastReceivedAt: 2, severity: 'warning', rawSeverity: 'warn' });
          expect(await tx.currentAlertState('fp-1')).toMatchObject({ endsAt: 777, severity: 'warning' });
          await tx.updateAlert(id, { status: 'resolved' });
          expect(await tx.currentAlertState('fp-1')).toMatchObject({ status: 'resolved' });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await state()).toMatchObject({ endsAt: 100_000, severity: 'critical', status: 'firing' });
    });

    it('refreshes within one write are seen by its later reads, and every delivery is counted', async () => {
      const s = await store();
      const { incidentId, ids } = await seeded(s, ['fp-1', 'fp-2']);
      const seen = await s.write(async (tx) => {
        await tx.prefetchAlertStates(['fp-1', 'fp-2', 'fp-unknown']);
        expect(await tx.currentAlertState('fp-unknown')).toBeUndefined();
        await tx.refreshAlert(ids[0]!, { endsAt: 200_000, expiresAt: 200_000, lastReceivedAt: 2_000 });
        await tx.refreshAlert(ids[1]!, { endsAt: 210_000, expiresAt: 210_000, lastReceivedAt: 2_000 });
        await tx.refreshAlert(ids[0]!, { endsAt: 300_000, expiresAt: 300_000, lastReceivedAt: 3_000 });
        const state = await tx.currentAlertState('fp-1');
        const rows = await tx.firingAlertsOf(incidentId);
        return { state, rows };
      });
      expect(seen.state).toMatchObject({ id: ids[0], endsAt: 300_000, expiresAt: 300_000 });
      expect(seen.rows.map((r) => [r.fingerprint, r.endsAt, r.lastReceivedAt, r.receiveCount])).toEqual([
        ['fp-1', 300_000, 3_000, 3],
        ['fp-2', 210_000, 2_000, 2],
      ]);
      // A new firing row of a fingerprint read ahead is what the next read gives.
      const again = await s.write(async (tx) => {
        await tx.prefetchAlertStates(['fp-3']);
        const id = await tx.insertAlert(newAlert(incidentId, { fingerprint: 'fp-3' }));
        return { id, state: await tx.currentAlertState('fp-3') };
      });
      expect(again.state?.id).toBe(again.id);
    });

    it('refreshAlert moves the lifetime and counts the delivery; details change only when given', async () => {
      const s = await store();
      const { ids } = await seeded(s, ['fp-1']);
      const id = ids[0]!;
      const get = () => s.write((tx) => tx.getAlert(id));
      await s.write((tx) => tx.refreshAlert(id, { endsAt: null, expiresAt: 300_000, lastReceivedAt: 2_000 }));
      expect(await get()).toMatchObject({ endsAt: null, expiresAt: 300_000, lastReceivedAt: 2_000, receiveCount: 2, annotations: { summary: 'Disk almost full' }, severity: 'critical' });
      await s.write((tx) =>
        tx.refreshAlert(id, {
          endsAt: 400_000,
          expiresAt: 400_000,
          lastReceivedAt: 3_000,
          annotationsJson: JSON.stringify({ summary: 'Disk full' }),
          valuesJson: JSON.stringify({ A: 100 }),
          severity: 'warning',
          rawSeverity: 'warn',
        }),
      );
      expect(await get()).toMatchObject({ endsAt: 400_000, receiveCount: 3, annotations: { summary: 'Disk full' }, values: { A: 100 }, severity: 'warning', rawSeverity: 'warn' });
      // Without a severity the raw severity stays, whatever is given for it.
      await s.write((tx) => tx.refreshAlert(id, { endsAt: 500_000, expiresAt: 500_000, lastReceivedAt: 4_000, valuesJson: '{"A":1}', rawSeverity: null }));
      expect(await get()).toMatchObject({ receiveCount: 4, values: { A: 1 }, severity: 'warning', rawSeverity: 'warn', annotations: { summary: 'Disk full' } });
      // The cached state the next repeat compares with follows every refresh.
      expect(await s.write((tx) => tx.currentAlertState('fp-1'))).toMatchObject({
        endsAt: 500_000,
        annotationsDigest: detailsDigest(JSON.stringify({ summary: 'Disk full' })),
        valuesDigest: detailsDigest('{"A":1}'),
        severity: 'warning',
        rawSeverity: 'warn',
      });
      // A severity with a null raw severity clears it.
      await s.write((tx) => tx.refreshAlert(id, { endsAt: 500_000, expiresAt: 500_000, lastReceivedAt: 5_000, severity: 'info', rawSeverity: null }));
      expect(await get()).toMatchObject({ severity: 'info', rawSeverity: null });
    });

    it('addReceipts adds deliveries and never moves lastReceivedAt back', async () => {
      const s = await store();
      const { ids } = await seeded(s, ['fp-1', 'fp-2']);
      await s.write((tx) => tx.addReceipts([{ id: ids[0]!, at: 5_000, count: 3 }, { id: ids[1]!, at: 500, count: 1 }]));
      const [a, b] = await Promise.all(ids.map((id) => s.write((tx) => tx.getAlert(id))));
      expect(a).toMatchObject({ lastReceivedAt: 5_000, receiveCount: 4 });
      expect(b).toMatchObject({ lastReceivedAt: 1_000, receiveCount: 2 });
    });

    it('updateAlert writes only the fields given', async () => {
      const s = await store();
      const { ids } = await seeded(s, ['fp-1']);
      const id = ids[0]!;
      const suppressedBy = { kind: 'maintenance' as const, id: 'db-window', reason: 'maintenance window db-window', until: null };
      await s.write((tx) => tx.updateAlert(id, { suppressedBy, labels: { alertname: 'DiskFull', extra: 'x' } }));
      expect(await s.write((tx) => tx.getAlert(id))).toMatchObject({ suppressedBy, labels: { alertname: 'DiskFull', extra: 'x' }, status: 'firing', endsAt: 100_000 });
      await s.write((tx) => tx.updateAlert(id, {}));
      await s.write((tx) => tx.updateAlert(id, { suppressedBy: null }));
      expect(await s.write((tx) => tx.getAlert(id))).toMatchObject({ suppressedBy: null });
    });

    it('firing alerts: of an incident, all of them, and past a suppressed filter and an id, in id order', async () => {
      const s = await store();
      const { incidentId, ids } = await seeded(s, ['a', 'b', 'c', 'd']);
      const other = await seeded(s, ['e']);
      const [a, b, c, d] = ids as [number, number, number, number];
      await s.write(async (tx) => {
        await tx.updateAlert(b, { status: 'resolved', resolvedAt: 2_000 });
        await tx.updateAlert(c, { suppressedBy: { kind: 'inhibited', id: 'rule', reason: 'inhibited', until: null } });
      });
      const idsOf = (rows: { id: number }[]) => rows.map((r) => r.id);
      expect(idsOf(await s.write((tx) => tx.firingAlertsOf(incidentId)))).toEqual([a, c, d]);
      expect(idsOf(await s.allFiringAlerts())).toEqual([a, c, d, other.ids[0]]);
      expect(idsOf(await s.write((tx) => tx.firingAlerts(false, 0, 10)))).toEqual([a, d, other.ids[0]]);
      expect(idsOf(await s.write((tx) => tx.firingAlerts(false, a, 1)))).toEqual([d]);
      expect(idsOf(await s.write((tx) => tx.firingAlerts(true, 0, 10)))).toEqual([c]);
      expect(idsOf(await s.write((tx) => tx.firingAlerts(true, c, 10)))).toEqual([]);
    });

    it('dueExpiredAlerts: firing alerts whose expiry has come, earliest first, up to the limit', async () => {
      const s = await store();
      const [late, early] = await s.write(async (tx) => {
        const incident = (await tx.insertIncident(newIncident())).id;
        const late = await tx.insertAlert(newAlert(incident, { fingerprint: 'late', expiresAt: 3_000 }));
        const early = await tx.insertAlert(newAlert(incident, { fingerprint: 'early', expiresAt: 2_000 }));
        await tx.insertAlert(newAlert(incident, { fingerprint: 'never', expiresAt: null, endsAt: null }));
        await tx.insertAlert(newAlert(incident, { fingerprint: 'future', expiresAt: 9_000 }));
        await tx.insertAlert(newAlert(incident, { fingerprint: 'resolved', expiresAt: 1_000, status: 'resolved' }));
        return [late, early];
      });
      expect((await s.write((tx) => tx.dueExpiredAlerts(3_000, 10))).map((a) => a.id)).toEqual([early, late]);
      expect((await s.write((tx) => tx.dueExpiredAlerts(3_000, 1))).map((a) => a.id)).toEqual([early]);
      expect(await s.write((tx) => tx.dueExpiredAlerts(1_999, 10))).toEqual([]);
    });

    it('listAlerts: newest first, by status and incident, a page before an id', async () => {
      const s = await store();
      const one = await seeded(s, ['a', 'b', 'c']);
      const two = await seeded(s, ['d']);
      await s.write((tx) => tx.updateAlert(one.ids[1]!, { status: 'resolved' }));
      const idsOf = (rows: { id: number }[]) => rows.map((r) => r.id);
      const [a, b, c] = one.ids as [number, number, number];
      const d = two.ids[0]!;
      expect(idsOf(await s.listAlerts({ limit: 10 }))).toEqual([d, c, b, a]);
      expect(idsOf(await s.listAlerts({ limit: 2 }))).toEqual([d, c]);
      expect(idsOf(await s.listAlerts({ limit: 10, before: c }))).toEqual([b, a]);
      expect(idsOf(await s.listAlerts({ limit: 10, status: 'firing' }))).toEqual([d, c, a]);
      expect(idsOf(await s.listAlerts({ limit: 10, incidentId: one.incidentId, status: 'resolved' }))).toEqual([b]);
      expect(idsOf(await s.alertsOf(one.incidentId))).toEqual([a, b, c]);
      expect(await s.alertsOf(999)).toEqual([]);
    });
  });
}
