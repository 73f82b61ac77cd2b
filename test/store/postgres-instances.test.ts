import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { IncidentChange, PeerTopic, Store } from '../../src/store/types.js';
import { freshDatabase, requirePostgres, truncateAll } from '../helpers/postgres.js';
import { waitFor } from '../helpers/wait.js';
import { newAlert, newIncident, newNotification, runbookRun } from './fixtures.js';

/**
 * Two stores on one database are two Vigil instances: what one claims the other does not get until the
 * claim is given back or its lease runs out (made to run out here by moving the lease in the database, not by
 * waiting); one instance's changes reach the other.
 */
let db: Awaited<ReturnType<typeof freshDatabase>>;
const available = requirePostgres('PostgreSQL: several instances');
beforeAll(async () => {
  if (available) db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const opened: Store[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function instance(): Promise<Store> {
  const store = new PostgresStore({ url: db.url, poolSize: 4, maxPendingWrites: 1000, connectTimeoutMs: 5000, statementTimeoutMs: 10_000, serving: true });
  opened.push(store);
  await store.opened();
  return store;
}

async function two(): Promise<[Store, Store]> {
  const a = await instance();
  await truncateAll(db.url);
  return [a, await instance()];
}

/** Runs SQL on the database directly (what time passing does to a lease). */
async function sql(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

if (available)
  describe('PostgreSQL: several instances on one database', () => {
    it('an outbox message claimed by one instance is not given to another until its lease runs out', async () => {
      const [a, b] = await two();
      const ids = await a.write(async (tx) => {
        const incident = (await tx.insertIncident(newIncident())).id;
        const out: number[] = [];
        for (const who of ['alice', 'bob', 'carol']) out.push((await tx.insertNotification(newNotification(incident, { person: who, idempotencyKey: `page:${who}` }), 1_000))!);
        return out;
      });
      expect((await a.write((tx) => tx.dueNotifications(1_000, 2))).map((n) => n.id)).toEqual(ids.slice(0, 2));
      // The same instance reads its claim again; the other gets only what is left.
      expect((await a.write((tx) => tx.dueNotifications(1_000, 2))).map((n) => n.id)).toEqual(ids.slice(0, 2));
      expect((await b.write((tx) => tx.dueNotifications(1_000, 10))).map((n) => n.id)).toEqual([ids[2]]);
      expect(await a.write((tx) => tx.dueNotifications(1_000, 10))).toHaveLength(2);

      // Recording the attempt gives the claim back: a retry is free for whoever is first when it is due.
      await a.write((tx) => tx.updateNotification(ids[0]!, { attempts: 1, dueAt: 2_000 }));
      expect((await b.write((tx) => tx.dueNotifications(2_000, 10))).map((n) => n.id)).toEqual([ids[2], ids[0]]);

      // a dies holding ids[1]: once its lease has run out, b takes it over.
      expect(await b.write((tx) => tx.dueNotifications(2_000, 10))).toHaveLength(2);
      await sql(`UPDATE notifications SET lease_until = now() - interval '1 second' WHERE id = ${ids[1]}`);
      expect((await b.write((tx) => tx.dueNotifications(2_000, 10))).map((n) => n.id).sort()).toEqual([...ids].sort());
    });

    it('a message another instance took over is not recorded by the one whose lease ran out; a live instance keeps its claims', async () => {
      const [a, b] = await two();
      const id = await a.write(async (tx) => tx.insertNotification(newNotification((await tx.insertIncident(newIncident())).id, { dueAt: 100 }), 100));
      expect(await a.write((tx) => tx.dueNotifications(100, 10))).toHaveLength(1);
      // a still lives: its renewal keeps the claim however long the send takes.
      await sql(`UPDATE notifications SET lease_until = now() - interval '1 second'`);
      await (a as unknown as { renewLeases(): Promise<void> }).renewLeases();
      expect(await b.write((tx) => tx.dueNotifications(100, 10))).toEqual([]);
      // a stops renewing (it hangs, or lost the database): b takes the message over and delivers it.
      await sql(`UPDATE notifications SET lease_until = now() - interval '1 second'`);
      expect(await b.write((tx) => tx.dueNotifications(100, 10))).toHaveLength(1);
      await b.write((tx) => tx.updateNotification(id!, { status: 'delivered', attempts: 1, deliveredAt: 200 }));
      // a's late failure does not make it pending again (it would go out a third time).
      await a.write((tx) => tx.updateNotification(id!, { status: 'pending', attempts: 1, dueAt: 300, lastError: 'timed out' }));
      expect((await a.listNotifications())[0]).toMatchObject({ status: 'delivered', lastError: null });
    });

    it('a serving instance refuses to start while an older Vigil serves the database alone', async () => {
      // The schema is there; nothing of this version serves now.
      await (await instance()).close();
      const older = new pg.Client({ connectionString: db.url });
      await older.connect();
      try {
        // What an older Vigil holds while it serves: the serve lock, exclusively.
        await older.query('SELECT pg_advisory_lock($1)', [0x76696773]);
        const store = new PostgresStore({ url: db.url, poolSize: 4, maxPendingWrites: 10, connectTimeoutMs: 5000, statementTimeoutMs: 10_000, serving: true });
        opened.push(store);
        await expect(store.opened()).rejects.toThrow(/an older Vigil, which serves a PostgreSQL database alone, is serving this one: stop it/);
      } finally {
        await older.end();
      }
      // And while this version serves, the older one cannot take the lock.
      await instance();
      const late = new pg.Client({ connectionString: db.url });
      await late.connect();
      try {
        expect((await late.query('SELECT pg_try_advisory_lock($1) AS locked', [0x76696773])).rows[0].locked).toBe(false);
      } finally {
        await late.end();
      }
    });

    it('whatever arrives on the channel, an instance goes on hearing its peers', async () => {
      const [a, b] = await two();
      const topics: PeerTopic[] = [];
      b.onPeerChange((t) => topics.push(t));
      for (const junk of ['null', '42', 'not json', '{"from":"x","i":[1]}', '{"from":"x","i":[["1"]]}', '{"from":"x","t":"other"}']) {
        await sql(`SELECT pg_notify('vigil', '${junk}')`);
      }
      await a.tellPeers('approvals');
      await waitFor(async () => topics.includes('approvals'), 5_000, 'the real message after the junk');
      expect(topics).toEqual(['approvals']);
    });

    it('a bundle is sent by the instance that claimed its members; members claimed elsewhere are left to it', async () => {
      const [a, b] = await two();
      const [first, second] = await a.write(async (tx) => {
        const incident = (await tx.insertIncident(newIncident())).id;
        const one = await tx.insertNotification(newNotification(incident, { idempotencyKey: 'b1', bundleKey: 'team:email', dueAt: 100 }), 100);
        const two = await tx.insertNotification(newNotification(incident, { idempotencyKey: 'b2', bundleKey: 'team:email', dueAt: 100 }), 100);
        return [one!, two!];
      });
      expect((await b.write((tx) => tx.dueNotifications(100, 1))).map((n) => n.id)).toEqual([first]);
      expect((await a.write((tx) => tx.bundleMembers('team:email', 100))).map((n) => n.id)).toEqual([second]);
      expect((await b.write((tx) => tx.bundleMembers('team:email', 100))).map((n) => n.id)).toEqual([first]);
    });

    it('due timers are shared out: one instance’s claim is skipped by the other, and a timer is taken once', async () => {
      const [a, b] = await two();
      const incident = (await a.write((tx) => tx.insertIncident(newIncident()))).id;
      await a.write(async (tx) => {
        await tx.setTimer(incident, 'escalate', 100);
        await tx.setTimer(incident, 'progress', 200);
      });
      expect((await a.write((tx) => tx.dueTimers(500, 1))).map((t) => t.kind)).toEqual(['escalate']);
      expect((await b.write((tx) => tx.dueTimers(500, 10))).map((t) => t.kind)).toEqual(['progress']);
      // Each sees only its own when waking.
      expect(await a.nextTimerDueAt()).toBe(100);
      expect(await b.nextTimerDueAt()).toBe(200);
      const escalate = [{ incidentId: incident, kind: 'escalate' as const, dueAt: 100 }];
      expect((await a.write((tx) => tx.takeTimers(escalate))).length > 0).toBe(true);
      expect((await b.write((tx) => tx.takeTimers(escalate))).length > 0).toBe(false);
      // Moving a claimed timer releases it: the new due time is anyone's.
      await a.write((tx) => tx.setTimer(incident, 'progress', 300));
      expect((await a.write((tx) => tx.dueTimers(500, 10))).map((t) => t.kind)).toEqual(['progress']);
    });

    it('a stopped instance gives back its claims at once; a run it left is orphaned for another, and recorded once', async () => {
      const [a, b] = await two();
      const incident = (await a.write((tx) => tx.insertIncident(newIncident()))).id;
      await a.write(async (tx) => {
        await tx.setTimer(incident, 'escalate', 100);
        await tx.insertNotification(newNotification(incident, { dueAt: 100 }), 100);
        await tx.insertRunbookRun(runbookRun({ id: 'run-a' }));
        await tx.claimRunbookRun('run-a', '', false);
      });
      await a.write(async (tx) => [await tx.dueTimers(100, 10), await tx.dueNotifications(100, 10)]);
      expect(await b.write((tx) => tx.dueTimers(100, 10))).toEqual([]);
      expect(await b.orphanedRunbookRuns()).toEqual([]);
      await a.close();
      expect(await b.write((tx) => tx.dueTimers(100, 10))).toHaveLength(1);
      expect(await b.write((tx) => tx.dueNotifications(100, 10))).toHaveLength(1);
      expect((await b.orphanedRunbookRuns()).map((r) => r.id)).toEqual(['run-a']);
      const c = await instance();
      // b and c both find it; only the first to record the interruption does.
      const finished = await Promise.all([b, c].map((s) => s.write((tx) => tx.finishRunbookRun('run-a', 'interrupted', 'its instance stopped', 9_000))));
      expect(finished.sort()).toEqual([false, true]);
    });

    it('a runbook run’s lease is renewed while its instance lives, so no other instance takes it', async () => {
      const [a, b] = await two();
      await a.write(async (tx) => {
        await tx.insertRunbookRun(runbookRun({ id: 'long' }));
        await tx.claimRunbookRun('long', '', false);
      });
      await sql(`UPDATE runbook_runs SET lease_until = now() - interval '1 second'`);
      expect((await b.orphanedRunbookRuns()).map((r) => r.id)).toEqual(['long']);
      // a's renewal (every third of its lease, 10 s by default) would restore it; run it now as time would.
      await (a as unknown as { renewLeases(): Promise<void> }).renewLeases();
      expect(await b.orphanedRunbookRuns()).toEqual([]);
    });

    it('two instances inserting the same firing alert, or the same group’s open incident, cannot both succeed', async () => {
      const [a, b] = await two();
      const incident = (await a.write((tx) => tx.insertIncident(newIncident({ groupKey: 'g' })))).id;
      await a.write((tx) => tx.insertAlert(newAlert(incident, { fingerprint: 'same', status: 'firing' })));
      // Each is run again (the engine would then find the other's row); a write that only inserts keeps
      // colliding, and is answered 503 so that its sender tries later.
      await expect(b.write((tx) => tx.insertAlert(newAlert(incident, { fingerprint: 'same', status: 'firing' })))).rejects.toMatchObject({ status: 503 });
      await expect(b.write((tx) => tx.insertIncident(newIncident({ groupKey: 'g' })))).rejects.toMatchObject({ status: 503 });
      // A resolved one beside a firing one is history, not a duplicate.
      await b.write((tx) => tx.insertAlert(newAlert(incident, { fingerprint: 'same', status: 'resolved' })));
    });

    it('a write that reads an incident holds it: the other instance’s write waits and counts on top, nothing is lost', async () => {
      const [a, b] = await two();
      const id = (await a.write((tx) => tx.insertIncident(newIncident({ alertCount: 0 })))).id;
      const bump = (s: Store) =>
        s.write(async (tx) => {
          const row = (await tx.getIncident(id))!;
          await new Promise((r) => setTimeout(r, 5));
          await tx.updateIncident(id, { alertCount: row.alertCount + 1 });
        });
      await Promise.all(Array.from({ length: 10 }, (_, i) => bump(i % 2 ? a : b)));
      expect((await a.getIncident(id))!.alertCount).toBe(10);
    });

    it('a once-per-cluster job runs on one instance at a time', async () => {
      const [a, b] = await two();
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let running = false;
      const first = a.runAlone('digests', async () => {
        running = true;
        await held;
        return 'a ran';
      });
      await waitFor(async () => running, 5_000, 'the job running on a');
      expect(await b.runAlone('digests', async () => 'b ran')).toBeUndefined();
      // Another job is not held up.
      expect(await b.runAlone('reviews', async () => 'b ran')).toBe('b ran');
      release();
      expect(await first).toBe('a ran');
      expect(await b.runAlone('digests', async () => 'b ran')).toBe('b ran');
    });

    it('the incidents one instance changes and the topics it tells reach the other', async () => {
      const [a, b] = await two();
      const changes: IncidentChange[] = [];
      const topics: PeerTopic[] = [];
      b.onIncidentChanges((c) => changes.push(...c));
      b.onPeerChange((t) => topics.push(t));
      // LISTEN is set up as the store starts; give it a moment to be in place before anything is told.
      await waitFor(
        async () => {
          await a.tellPeers('approvals');
          await new Promise((r) => setTimeout(r, 50));
          return topics.includes('approvals');
        },
        5_000,
        'b listening',
      );
      const id = (await a.write((tx) => tx.insertIncident(newIncident()))).id;
      await a.tellPeers('suppression');
      await waitFor(async () => changes.some((c) => c.incidentId === id) && topics.includes('suppression'), 5_000, 'b to hear of the incident and the topic');
      // An instance does not hear its own.
      const own: IncidentChange[] = [];
      a.onIncidentChanges((c) => own.push(...c));
      await b.write((tx) => tx.updateIncident(id, { title: 'renamed' }));
      await waitFor(async () => own.some((c) => c.incidentId === id), 5_000, 'a to hear of b’s change');
      // b heard a's insert from a, and its own update once, from its own commit.
      expect(changes.filter((c) => c.incidentId === id)).toHaveLength(2);
    });
  });
