import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { NewAlert, NewIncident, StoreTx } from '../../src/store/types.js';
import { tempDir } from '../helpers/vigil.js';

let store: SqliteStore;
let commits: number[];
afterEach(async () => store?.close());

function open(maxPendingWrites = 1000) {
  commits = [];
  store = new SqliteStore({
    path: path.join(tempDir(), 'v.db'),
    synchronous: 'full',
    maxPendingWrites,
    busyTimeoutMs: 1000,
    onCommit: (_s, writes) => commits.push(writes),
  });
  return store;
}

const incident: NewIncident = {
  groupKey: '{alertname="A"}', title: 'A', status: 'triggered', severity: 'warning', priority: 'P2', team: null, service: null,
  source: 'alertmanager', alertCount: 1, firingCount: 1, suppressedCount: 0, pagedAt: null, policy: null, escalationTier: 1, escalationRound: 0, ackSlaBreached: false, resolveSlaBreached: false,
  holdUntil: null, selfHealed: false, flapping: false, reopenCount: 0, createdAt: 1, updatedAt: 1,
  acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null,
};
const alert = (incidentId: number): NewAlert => ({
  fingerprint: 'f1', incidentId, source: 'alertmanager', status: 'firing', severity: 'warning', rawSeverity: 'warning',
  labels: { alertname: 'A' }, annotations: {}, startsAt: 1, endsAt: 100, expiresAt: 100, generatorURL: null, links: [], values: null,
  firstReceivedAt: 1, lastReceivedAt: 1, receiveCount: 1, resolvedAt: null, resolvedBy: null, suppressedBy: null,
});

async function seed(s: SqliteStore) {
  return s.write(async (tx: StoreTx) => {
    const i = await tx.insertIncident(incident);
    return tx.insertAlert(alert(i.id));
  });
}

describe('SqliteStore', () => {
  it('commits concurrent writes together and answers each after the commit', async () => {
    const s = open();
    await seed(s);
    commits = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => s.write(async (tx) => (await tx.getIncident(1))!.id + n)),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, n) => 1 + n));
    expect(commits).toEqual([20]);
  });

  it('a failing write is rolled back alone; the others in the same commit stay', async () => {
    const s = open();
    const id = await seed(s);
    const failing = s.write(async (tx) => {
      await tx.updateAlert(id, { endsAt: 999 });
      throw new Error('boom');
    });
    const fine = s.write((tx) => tx.updateAlert(id, { expiresAt: 500 }));
    await expect(failing).rejects.toThrow('boom');
    await fine;
    const [row] = await s.alertsOf(1);
    expect(row).toMatchObject({ endsAt: 100, expiresAt: 500 });
  });

  it('never serves rolled-back state from its alert-state cache', async () => {
    const s = open();
    const id = await seed(s);
    expect(await s.write((tx) => tx.currentAlertState('f1'))).toMatchObject({ endsAt: 100 }); // now cached
    await expect(
      s.write(async (tx) => {
        await tx.refreshAlert(id, { endsAt: 777, expiresAt: 777, lastReceivedAt: 2 });
        expect(await tx.currentAlertState('f1')).toMatchObject({ endsAt: 777 }); // re-cached inside the write
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await s.write((tx) => tx.currentAlertState('f1'))).toMatchObject({ endsAt: 100 });
  });

  it('refuses writes beyond the queue bound with a retryable error', async () => {
    const s = open(2);
    const writes = [1, 2, 3].map(() => s.write(async () => 1));
    await expect(writes[2]).rejects.toMatchObject({ status: 503, retryAfter: 1 });
    await Promise.all(writes.slice(0, 2));
  });

  it('close() finishes queued writes first', async () => {
    const s = open();
    const pending = seed(s);
    await s.close();
    await expect(pending).resolves.toBeGreaterThan(0);
    await expect(s.write(async () => 1)).rejects.toMatchObject({ status: 503 });
  });

  it('firstSighting records a key once, keeps it until it is older than forgetBefore, and rolls back with its write', async () => {
    const s = open();
    const sight = (key: string, at: number, forgetBefore = 0) => s.write((tx) => tx.firstSighting(key, at, forgetBefore));
    expect(await sight('slack:Ev1', 1000)).toBe(true);
    expect(await sight('slack:Ev1', 2000)).toBe(false);
    expect(await sight('slack:Ev2', 2000)).toBe(true);
    // Past the window, Ev1 is forgotten (Ev2 is not yet).
    expect(await sight('slack:Ev1', 5000, 1500)).toBe(true);
    expect(await sight('slack:Ev2', 5000, 1500)).toBe(false);
    // A write that fails keeps nothing of its sighting.
    await expect(s.write(async (tx) => {
      await tx.firstSighting('slack:Ev3', 6000, 0);
      throw new Error('note failed');
    })).rejects.toThrow('note failed');
    expect(await sight('slack:Ev3', 6000)).toBe(true);
  });
});
