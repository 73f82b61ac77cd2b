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

describe('schema migrations', () => {
  it('rebuilding the outbox for the cancelled status keeps every message, its attempts and its id sequence', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { migrations } = await import('../../src/store/sqlite/migrations.js');
    const file = path.join(tempDir(), 'old.db');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    const rebuild = migrations.findIndex((m) => m.includes('CREATE TABLE notifications_new'));
    for (const m of migrations.slice(0, rebuild)) old.exec(m);
    old.pragma(`user_version = ${rebuild}`);
    old.exec(`INSERT INTO incidents (group_key, title, status, severity, priority, source, created_at, updated_at) VALUES ('g', 'T', 'triggered', 'critical', 'P1', 'api', 1, 1)`);
    old.exec(`INSERT INTO notifications (incident_id, kind, channel, recipient_name, address, idempotency_key, status, due_at, created_at, updated_at, body)
              VALUES (1, 'page', 'voice', 'Bob', '+15550100002', 'k1', 'pending', 5, 1, 1, NULL), (1, 'digest', 'email', 'Carol', 'c@example.com', 'k2', 'delivered', 5, 1, 1, '{}')`);
    old.exec(`INSERT INTO notification_attempts (notification_id, at, outcome) VALUES (1, 2, 'retry')`);
    old.close();

    store = new SqliteStore({ path: file, synchronous: 'full', maxPendingWrites: 10, busyTimeoutMs: 1000 });
    expect((await store.listNotifications(1)).map((n) => [n.id, n.status])).toEqual([
      [1, 'pending'],
      [2, 'delivered'],
    ]);
    expect(await store.attemptsOf(1)).toHaveLength(1);
    expect(await store.notificationBody(2)).toBe('{}');
    await store.write((tx) => tx.updateNotification(1, { status: 'cancelled' }));
    const id = await store.write((tx) =>
      tx.insertNotification({ incidentId: 1, kind: 'page', channel: 'sms', person: null, recipientName: 'Bob', address: '+1', idempotencyKey: 'k3', dueAt: 1, bundleKey: null, fallbackOf: null }, 1),
    );
    expect(id).toBe(3);
    expect((await store.listNotifications(1)).find((n) => n.id === 1)?.status).toBe('cancelled');
  });
});
