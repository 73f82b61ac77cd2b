import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { amWebhook, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
afterEach(async () => v?.close());

const MIN = 60_000;
const critical = (t: TestVigil) => t.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'InstanceDown', instance: 'web-1', job: 'node' } }]));
const timeline = async (t: TestVigil) => (await t.json('/api/v1/incidents/1')).timeline as any[];
const kinds = async (t: TestVigil, kind: string) => (await timeline(t)).filter((e) => e.kind === kind);
/** Moves the clock to `minutes` after the incident opened and runs one scheduler tick. */
const at = async (t: TestVigil, start: number, minutes: number) => {
  t.clock.set(start + minutes * MIN);
  await t.vigil.scheduler.tick();
};

/** Three critical incidents opened together (one job each, so one incident each): their ids. */
const threeIncidents = async (t: TestVigil) => {
  await t.post('/api/v1/alerts/alertmanager', amWebhook(['a', 'b', 'c'].map((h) => ({ labels: { alertname: 'InstanceDown', instance: `web-${h}`, job: `node-${h}` } }))));
  const ids = ((await t.json('/api/v1/incidents')).incidents as any[]).map((i) => i.id as number).sort();
  expect(ids).toHaveLength(3);
  return ids;
};

// The test clock starts Sunday 2026-11-22 17:30 in Berlin: bob is tier 1, alice tier 2, carol tier 3.
describe('escalation tiers', () => {
  it('escalating by hand pages the next tier now, with the note given on the timeline', async () => {
    v = await startVigil();
    await critical(v);
    const res = await v.post('/api/v1/incidents/1/escalate', { by: 'bob', note: 'database on fire, need Alice' });
    expect(res.status).toBe(200);
    const [escalated] = await kinds(v, 'escalated');
    expect(escalated.message).toMatch(/^escalated to tier 2 \(Alice Example\b.*escalation requested by bob: database on fire, need Alice$/);
  });

  it('an unanswered critical page climbs to tier 2 at 15 minutes and tier 3 at 30, counting the SLA breach', async () => {
    v = await startVigil();
    const start = v.clock.now();
    await critical(v);
    await at(v, start, 14);
    expect(await kinds(v, 'escalated')).toEqual([]);
    await at(v, start, 15);
    const [tier2] = await kinds(v, 'escalated');
    expect(tier2.message).toBe('escalated to tier 2 (Alice Example, #platform-alerts): nobody acknowledged within 15m');
    expect((await kinds(v, 'sla_breached'))[0].message).toMatch(/acknowledge SLA missed: not acknowledged within 15m \(P1\)/);
    const escalations = (await v.json('/api/v1/notifications?incident=1')).notifications.filter((n: any) => n.kind === 'escalation');
    expect(escalations.map((n: any) => `${n.channel}:${n.recipient.person ?? n.recipient.address}`).sort()).toEqual([
      'chat:#platform-alerts',
      'chat:alice',
      'voice:alice',
    ]);
    expect(await (await v.get('/metrics')).text()).toContain('vigil_sla_breaches_total{priority="P1",kind="ack"} 1');

    await at(v, start, 30);
    const tiers = (await kinds(v, 'escalated')).map((e) => e.message);
    expect(tiers[1]).toMatch(/^escalated to tier 3 \(Carol Example \(support manager\)\)/);
    // The shipped policy repeats once: tier 1 again at 45 minutes, then tiers 2 and 3, then it gives up.
    await at(v, start, 45);
    expect((await kinds(v, 'escalated'))[2].message).toMatch(/^escalated to tier 1 \(round 2\) \(Bob Example\)/);
    for (const m of [60, 75]) await at(v, start, m);
    expect(await kinds(v, 'escalation_exhausted')).toEqual([]);
    await at(v, start, 90);
    expect((await kinds(v, 'escalation_exhausted'))[0].message).toMatch(/every tier has been paged/);
    expect((await v.json('/api/v1/incidents/1')).sla).toMatchObject({ acknowledge: 'missed', resolve: null, acknowledgeBy: '2026-11-22T16:45:00.000Z', resolveBy: '2026-11-22T20:30:00.000Z' });
  });

  it('incidents whose escalation falls due at the same instant each climb their own tiers; an acknowledged one stops', async () => {
    v = await startVigil();
    const start = v.clock.now();
    const ids = await threeIncidents(v);
    await at(v, start, 15);
    v.clock.set(start + 20 * MIN);
    await v.post(`/api/v1/incidents/${ids[2]}/acknowledge`, { by: 'alice' });
    await at(v, start, 30);
    for (const id of ids) {
      const incident = await v.json(`/api/v1/incidents/${id}`);
      const climbed = (incident.timeline as any[]).filter((e) => e.kind === 'escalated').map((e) => e.message.split(':')[0]);
      const tier3 = 'escalated to tier 3 (Carol Example (support manager))';
      expect(climbed).toEqual(['escalated to tier 2 (Alice Example, #platform-alerts)', ...(id === ids[2] ? [] : [tier3])]);
      const escalations = (await v.json(`/api/v1/notifications?incident=${id}`)).notifications.filter((n: any) => n.kind === 'escalation');
      expect(escalations.filter((n: any) => n.recipient.person === 'alice').map((n: any) => n.channel).sort()).toEqual(['chat', 'voice']);
      expect(escalations.some((n: any) => n.recipient.person === 'carol')).toBe(id !== ids[2]);
    }
    // Nothing is due again at the same instant; the next climb was set for each incident still unacknowledged.
    await v.vigil.scheduler.tick();
    for (const id of ids) expect((await v.json(`/api/v1/incidents/${id}`)).timeline.filter((e: any) => e.kind === 'escalated')).toHaveLength(id === ids[2] ? 1 : 2);
    await at(v, start, 45);
    for (const id of ids) {
      const climbed = ((await v.json(`/api/v1/incidents/${id}`)).timeline as any[]).filter((e) => e.kind === 'escalated').map((e) => e.message);
      if (id === ids[2]) expect(climbed).toHaveLength(1);
      else expect(climbed[2]).toMatch(/^escalated to tier 1 \(round 2\) \(Bob Example\)/);
    }
  });

  it('an acknowledgement stops escalation', async () => {
    v = await startVigil();
    const start = v.clock.now();
    await critical(v);
    v.clock.set(start + 10 * MIN);
    await v.post('/api/v1/incidents/1/acknowledge', { by: 'bob' });
    for (const m of [15, 30, 45]) await at(v, start, m);
    expect(await kinds(v, 'escalated')).toEqual([]);
    expect((await v.json('/api/v1/incidents/1')).sla.acknowledge).toBe('met');
  });

  it('a restart in the middle of an escalation resumes it on time', async () => {
    const db = path.join(tempDir(), 'vigil.db');
    v = await startVigil({ dbPath: db });
    const start = v.clock.now();
    await critical(v);
    await at(v, start, 10);
    await v.close();
    v = await startVigil({ dbPath: db, now: start + 15 * MIN });
    await v.vigil.scheduler.tick();
    expect((await kinds(v, 'escalated')).map((e) => e.message)).toEqual(['escalated to tier 2 (Alice Example, #platform-alerts): nobody acknowledged within 15m']);
    // Nothing is sent twice after the restart either.
    await v.vigil.scheduler.tick();
    expect(await kinds(v, 'escalated')).toHaveLength(1);
  });
});

describe('progress reminders', () => {
  it('every 30 minutes while open, to responders and management; none after resolve', async () => {
    v = await startVigil();
    const start = v.clock.now();
    await critical(v);
    v.clock.set(start + 5 * MIN);
    await v.post('/api/v1/incidents/1/acknowledge', { by: 'bob' });
    await at(v, start, 29);
    expect(await kinds(v, 'progress_reminder')).toEqual([]);
    for (const m of [30, 60]) await at(v, start, m);
    expect(await kinds(v, 'progress_reminder')).toHaveLength(2);
    const reminders = (await v.json('/api/v1/notifications?incident=1')).notifications.filter((n: any) => n.kind === 'reminder');
    // Responders (bob, paged by voice, is asked by text) and management (carol, by email), each interval.
    expect(new Set(reminders.map((n: any) => `${n.channel}:${n.recipient.person}`))).toEqual(new Set(['sms:bob', 'chat:bob', 'email:carol']));
    await v.post('/api/v1/incidents/1/notes', { by: 'bob', text: 'restarting the node' });
    await at(v, start, 90);
    expect(await kinds(v, 'progress_reminder')).toHaveLength(3);
    v.clock.set(start + 95 * MIN);
    await v.post('/api/v1/incidents/1/resolve', { by: 'bob' });
    for (const m of [120, 150]) await at(v, start, m);
    expect(await kinds(v, 'progress_reminder')).toHaveLength(3);
    expect((await v.json('/api/v1/incidents/1')).sla).toMatchObject({ acknowledge: 'met', resolve: 'met' });
  });

  it('no update for two intervals escalates to the next tier', async () => {
    v = await startVigil();
    const start = v.clock.now();
    await critical(v);
    v.clock.set(start + MIN);
    await v.post('/api/v1/incidents/1/acknowledge', { by: 'bob' });
    await at(v, start, 31);
    expect(await kinds(v, 'escalated')).toEqual([]);
    await at(v, start, 61);
    expect((await kinds(v, 'escalated'))[0].message).toMatch(/^escalated to tier 2 \(Alice Example, #platform-alerts\): no update for 1h/);
  });

  it('incidents due for a reminder at the same instant are each reminded; of those without an update, each escalates', async () => {
    v = await startVigil();
    const start = v.clock.now();
    const ids = await threeIncidents(v);
    v.clock.set(start + MIN);
    for (const id of ids) await v.post(`/api/v1/incidents/${id}/acknowledge`, { by: 'bob' });
    await at(v, start, 31);
    v.clock.set(start + 50 * MIN);
    await v.post(`/api/v1/incidents/${ids[1]}/notes`, { by: 'bob', text: 'draining the node' });
    await at(v, start, 61);
    for (const id of ids) {
      const events = (await v.json(`/api/v1/incidents/${id}`)).timeline as any[];
      expect(events.filter((e) => e.kind === 'progress_reminder').map((e) => e.message)).toEqual([
        'progress reminder: asked 3 recipients for an update',
        'progress reminder: asked 3 recipients for an update',
      ]);
      const reminders = (await v.json(`/api/v1/notifications?incident=${id}`)).notifications.filter((n: any) => n.kind === 'reminder');
      expect(reminders.map((n: any) => `${n.channel}:${n.recipient.person}`).sort()).toEqual(['chat:bob', 'chat:bob', 'email:carol', 'email:carol', 'sms:bob', 'sms:bob']);
      expect(events.filter((e) => e.kind === 'escalated').map((e) => e.message.split(':')[0])).toEqual(
        id === ids[1] ? [] : ['escalated to tier 2 (Alice Example, #platform-alerts)'],
      );
    }
  });

  it('a missed resolve SLA is recorded, counted and escalates', async () => {
    v = await startVigil();
    const start = v.clock.now();
    await critical(v);
    v.clock.set(start + MIN);
    await v.post('/api/v1/incidents/1/acknowledge', { by: 'bob' });
    for (let m = 30; m <= 240; m += 30) {
      v.clock.set(start + m * MIN - 1);
      await v.post('/api/v1/incidents/1/notes', { by: 'bob', text: `still on it (${m}m)` });
      await at(v, start, m);
    }
    const breach = (await kinds(v, 'sla_breached')).find((e) => e.data.kind === 'resolve');
    expect(breach.message).toMatch(/resolve SLA missed: not resolved within 4h \(P1\)/);
    expect((await v.json('/api/v1/incidents/1')).sla).toMatchObject({ acknowledge: 'met', resolve: 'missed' });
    expect(await (await v.get('/metrics')).text()).toContain('vigil_sla_breaches_total{priority="P1",kind="resolve"} 1');
  });
});

describe('warnings', () => {
  it('are notified again every hour while unacknowledged, and not after an acknowledgement', async () => {
    v = await startVigil();
    const start = v.clock.now();
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'DiskFilling', service: 'db', severity: 'warning' } }]));
    await at(v, start, 59);
    expect(await kinds(v, 'renotified')).toEqual([]);
    await at(v, start, 60);
    expect((await kinds(v, 'renotified'))[0].message).toMatch(/^not acknowledged yet: notifying again \(3 messages\)/);
    v.clock.set(start + 70 * MIN);
    await v.post('/api/v1/incidents/1/acknowledge', { by: 'alice' });
    await at(v, start, 120);
    expect(await kinds(v, 'renotified')).toHaveLength(1);
  });
});
