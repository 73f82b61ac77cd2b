import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { realSleep, type Sleep } from '../../src/runbooks/timing.js';
import { approvalRunbook, json, startServer, type TestServer } from '../fixtures/runbooks/servers.js';
import { freshDatabase, requirePostgres, truncateAll } from '../helpers/postgres.js';
import { amWebhook, editDatabase, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Two Vigils in this process on one PostgreSQL database, each with its own clock: what one instance's users do
 * reaches the other (silences, approvals, the console's live stream).
 */
let db: Awaited<ReturnType<typeof freshDatabase>>;
const available = requirePostgres('two Vigil instances in one cluster');
beforeAll(async () => {
  if (available) db = await freshDatabase();
});
const started: TestVigil[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
  for (const v of started.splice(0)) await v.close();
  for (const s of servers.splice(0)) await s.close();
  if (db) await truncateAll(db.url);
});
afterAll(async () => {
  await db?.drop();
});

async function two(file: Record<string, unknown> = {}, sleep?: Sleep): Promise<[TestVigil, TestVigil]> {
  const a = await startVigil({ file, postgresUrl: db.url, sleep });
  started.push(a);
  const b = await startVigil({ file, postgresUrl: db.url, sleep });
  started.push(b);
  return [a, b];
}

/**
 * A config with the approval runbook (careful) and the shipped policies and people, without the shipped rules
 * (they name the shipped runbooks).
 */
function withApprovalRunbook(target: TestServer): Record<string, unknown> {
  const dir = path.join(tempDir(), 'runbooks');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'careful.yaml'), approvalRunbook(target));
  const rules = path.join(tempDir(), 'rules');
  mkdirSync(rules);
  const shipped = path.join(import.meta.dirname, '..', '..', 'rules');
  for (const f of ['00-policies.yaml', '20-people.yaml', '25-escalation.yaml', '30-schedules.yaml']) copyFileSync(path.join(shipped, f), path.join(rules, f));
  return { rules: { dir: rules }, runbooks: { dir } };
}

/** An approval waits in real time (capped), as a person answers within the test. */
const approvalSleep: Sleep = (ms, signal) => realSleep(Math.min(ms, 20_000), signal);

const fire = (t: TestVigil, labels: Record<string, string>) => t.post('/api/v1/alerts/alertmanager', amWebhook([{ labels }]));

if (available)
  describe('two Vigil instances on one PostgreSQL database', () => {
    it('a silence created through one instance mutes new alerts on the other', async () => {
      const [a, b] = await two();
      const created = await b.post('/api/v1/silences', { matchers: ['service="quiet"'], duration: '1h', createdBy: 'ops', comment: 'maintenance' });
      expect(created.status).toBe(201);
      const { id } = await created.json();
      // a reads its mirrors again when b tells it.
      await waitFor(async () => a.vigil.engine.silences.matching({ service: 'quiet' }, a.clock.now())?.id === id, 5_000, 'the silence on the other instance');
      expect((await fire(a, { alertname: 'InstanceDown', instance: 'q-1', service: 'quiet', severity: 'critical' })).status).toBe(202);
      const [incident] = (await a.json('/api/v1/incidents')).incidents;
      expect(incident).toMatchObject({ suppressedCount: 1 });
      expect((await a.json('/api/v1/notifications')).notifications).toEqual([]);
    });

    it('an incident opened through one instance reaches the live stream of the other', async () => {
      const [a, b] = await two();
      const controller = new AbortController();
      const res = await fetch(`${b.url}/api/v1/events`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      const seen = (async () => {
        const decoder = new TextDecoder();
        while (!/event: incident[\s\S]*"id":1\b/.test(text)) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
      })();
      expect((await fire(a, { alertname: 'DiskFull', instance: 'db-1', severity: 'warning' })).status).toBe(202);
      // b's feed batches changes: drain it rather than wait for its window.
      await waitFor(
        async () => {
          await b.vigil.feed.drain();
          return /"id":1\b/.test(text);
        },
        5_000,
        'the incident on the other instance’s stream',
      );
      // Cancelling the body ends the connection (an abort alone leaves the server's side open until it times out).
      await reader.cancel().catch(() => {});
      controller.abort();
      await seen.catch(() => {});
    });

    it('an approval given through one instance resumes the run waiting on the other', async () => {
      const target = await startServer((_req, res) => json(res, 200, {}));
      servers.push(target);
      const [a, b] = await two(withApprovalRunbook(target), approvalSleep);
      expect((await fire(a, { alertname: 'DiskFull', instance: 'db-1', service: 'checkout', severity: 'warning' })).status).toBe(202);
      const run = await (await a.post('/api/v1/incidents/1/runbooks/careful/run', { by: 'alice' })).json();
      await waitFor(async () => (await b.json(`/api/v1/runbooks/runs/${run.id}`)).approvals[0]?.status === 'pending', 5_000, 'the run waiting on a');
      expect(a.vigil.runner.active('careful')).toBe(1);
      expect(b.vigil.runner.active('careful')).toBe(0);
      const ok = await b.post(`/api/v1/runbooks/runs/${run.id}/approve`, { by: 'bob', comment: 'go' });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ runId: run.id, step: 'ask', approved: true });
      const done = await waitFor(
        async () => {
          const r = await a.json(`/api/v1/runbooks/runs/${run.id}`);
          return r.status === 'done' ? r : undefined;
        },
        5_000,
        'the run to end on a',
      );
      expect(done).toMatchObject({ outcome: 'succeeded' });
      expect(done.approvals[0]).toMatchObject({ status: 'approved', decidedBy: 'bob', comment: 'go' });
      expect(target.requests.filter((r) => r.url === '/restart')).toHaveLength(1);
      // Decided: a second decision through either instance is a conflict.
      expect((await b.post(`/api/v1/runbooks/runs/${run.id}/reject`, { by: 'carol' })).status).toBe(409);
      expect((await a.post(`/api/v1/runbooks/runs/${run.id}/reject`, { by: 'carol' })).status).toBe(409);
    });

    it('a run that another instance recorded as interrupted (its lease ran out) stops acting here', async () => {
      const target = await startServer((_req, res) => json(res, 200, {}));
      servers.push(target);
      const [a] = await two(withApprovalRunbook(target), approvalSleep);
      expect((await fire(a, { alertname: 'DiskFull', instance: 'db-1', service: 'checkout', severity: 'warning' })).status).toBe(202);
      const run = await (await a.post('/api/v1/incidents/1/runbooks/careful/run', { by: 'alice' })).json();
      await waitFor(async () => (await a.json(`/api/v1/runbooks/runs/${run.id}`)).approvals[0]?.status === 'pending', 5_000, 'the run waiting on a');
      // What another instance writes when it finds the run's lease run out.
      await editDatabase(a.vigil.config, [["UPDATE runbook_runs SET status = 'done', outcome = 'interrupted', summary = 'taken over' WHERE id = ?", run.id]]);
      await a.vigil.runner.poll();
      await waitFor(async () => a.vigil.runner.active('careful') === 0, 5_000, 'the run to stop on a');
      expect(await a.json(`/api/v1/runbooks/runs/${run.id}`)).toMatchObject({ status: 'done', outcome: 'interrupted', summary: 'taken over' });
      expect(target.requests.filter((r) => r.url === '/restart')).toEqual([]);
    });
  
  it('on-call overrides: one made on one instance pages its person from the other at once; removed there, it is gone here', async () => {
    const [a, b] = await two();
    for (const v of [a, b]) v.clock.set('2026-03-10T09:00:00Z');
    const tier1 = async (v: TestVigil) => (await v.json('/api/v1/oncall?team=platform')).teams[0].tiers[0].person.id;
    expect(await tier1(b)).toBe('bob');
    const made = await (await a.post('/api/v1/oncall/overrides', { schedule: 'platform-primary', person: 'alice', duration: '2h', by: 'bob' })).json();
    await waitFor(async () => ((await tier1(b)) === 'alice' ? true : undefined), 5_000, 'b to hear of the override');
    expect((await b.json('/api/v1/oncall/overrides')).overrides.map((o: { id: string }) => o.id)).toEqual([made.id]);
    expect((await fetch(`${b.url}/api/v1/oncall/overrides/${made.id}`, { method: 'DELETE' })).status).toBe(200);
    await waitFor(async () => ((await tier1(a)) === 'bob' ? true : undefined), 5_000, 'a to hear the override is gone');
  });

  it('heartbeats: a monitor made on one instance takes the Watchdog on the other; down, it opens one incident however many instances sweep; a ping on either resolves it', async () => {
    const [a, b] = await two();
    let heard = false;
    const stopListening = b.vigil.store.onPeerChange((topic) => void (heard ||= topic === 'heartbeats'));
    const made = await a.post('/api/v1/heartbeats', { name: 'pipeline', every: '1m', grace: '2m', matchers: ['alertname="PipelineAlive"'] });
    expect(made.status).toBe(201);
    // Until b hears (NOTIFY) it cannot know the monitor: an alert before that is an alert like any other.
    await waitFor(async () => heard, 5_000, 'b to hear of the new monitor');
    stopListening();
    const alive = () => b.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'PipelineAlive' } }]));
    // b hears of the new monitor from a (NOTIFY), then takes the alert as a ping, never an incident.
    await waitFor(async () => {
      await alive();
      return (await b.json('/api/v1/heartbeats/pipeline')).state === 'up';
    }, 5_000, 'b to take the alert as a ping');
    expect((await a.json('/api/v1/incidents')).incidents).toEqual([]);
    for (const v of [a, b]) v.clock.set(v.clock.now() + 4 * 60_000);
    await Promise.all([a.vigil.scheduler.tick(), b.vigil.scheduler.tick()]);
    await Promise.all([a.vigil.scheduler.tick(), b.vigil.scheduler.tick()]);
    const opened = (await b.json('/api/v1/incidents')).incidents;
    expect(opened.map((i: { title: string }) => i.title)).toEqual([expect.stringMatching(/^Heartbeat pipeline missed/)]);
    await alive();
    expect((await a.json(`/api/v1/incidents/${opened[0].id}`)).status).toBe('resolved');
  });
});

