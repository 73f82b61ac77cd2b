import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { dropProcessDatabases, freePort, processDatabase, repoRoot, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { amWebhook, tempDir } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';

interface Event {
  at: string;
  kind: string;
  message: string;
  data: Record<string, unknown> | null;
}

interface Notification {
  kind: string;
  channel: string;
  status: string;
  mode: string | null;
}

const dirs: string[] = [];
const running: RunningVigil[] = [];
afterAll(async () => {
  for (const r of running) await r.stop('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropProcessDatabases();
});

/** The repository's rules with the critical policy's clocks shortened to seconds; a 200ms scheduler tick. */
function writeSetup(dir: string): string {
  const rules = path.join(dir, 'rules');
  mkdirSync(rules);
  const source = path.join(repoRoot, 'rules');
  for (const name of readdirSync(source)) {
    if (name.endsWith('.yaml') && name !== '00-policies.yaml') copyFileSync(path.join(source, name), path.join(rules, name));
  }
  const policies = parse(readFileSync(path.join(source, '00-policies.yaml'), 'utf8'));
  Object.assign(policies.policies.critical, { ackSla: '2s', progressReminder: '2s', resolveSla: '1h' });
  writeFileSync(path.join(rules, '00-policies.yaml'), stringify(policies));
  const config = path.join(dir, 'vigil.yaml');
  writeFileSync(config, stringify({ rules: { dir: 'rules' }, scheduler: { interval: '200ms' } }));
  return config;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('escalation and progress reminders in real time', () => {
  it('escalates an unacknowledged critical incident after ackSla, reminds every interval, stops escalating on acknowledge and reminding on resolve', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const vigil = await spawnVigil({ VIGIL_CONFIG: writeSetup(dir), VIGIL_DB: await processDatabase(dir) }, await freePort());
    running.push(vigil);

    const post = (pathname: string, body: unknown) =>
      fetch(vigil.url + pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const incident = async () => {
      const res = await fetch(`${vigil.url}/api/v1/incidents/1`);
      if (!res.ok) throw new Error(`GET /api/v1/incidents/1: ${res.status}`);
      return (await res.json()) as { status: string; sla: { acknowledge: string | null }; timeline: Event[] };
    };
    const events = (i: { timeline: Event[] }, kind: string) => i.timeline.filter((e) => e.kind === kind);
    const notifications = async () =>
      ((await (await fetch(`${vigil.url}/api/v1/notifications?incident=1`)).json()) as { notifications: Notification[] }).notifications;

    const res = await post(
      '/api/v1/alerts/alertmanager',
      amWebhook([{ labels: { alertname: 'InstanceDown', instance: 'db-1:9100', job: 'node', severity: 'critical' } }]),
    );
    expect(res.status).toBe(202);

    const opened = await waitFor(async () => events(await incident(), 'triggered')[0], 5_000, 'incident 1 to open');
    const escalated = await waitFor(
      async () => events(await incident(), 'escalated').find((e) => e.data?.tier === 2),
      10_000,
      'the escalation to tier 2',
    );
    expect(Date.parse(escalated.at) - Date.parse(opened.at)).toBeGreaterThanOrEqual(2_000);
    expect(escalated.message).toMatch(/^escalated to tier 2 \(.+\): nobody acknowledged within 2s$/);
    expect(escalated.data?.paged).toEqual(expect.any(String));

    await waitFor(async () => events(await incident(), 'progress_reminder').length >= 2, 10_000, 'two progress reminders');
    const before = await incident();
    expect(before.status).toBe('triggered');
    expect(before.sla.acknowledge).toBe('missed');
    for (const e of events(before, 'progress_reminder')) expect(Date.parse(e.at) - Date.parse(opened.at)).toBeGreaterThanOrEqual(2_000);

    // Channels have no credentials here: every message is delivered in log mode.
    const delivered = await waitFor(
      async () => {
        const list = await notifications();
        const done = (kind: string) => list.some((n) => n.kind === kind && n.status === 'delivered' && n.mode === 'log');
        return done('escalation') && done('reminder') ? list : undefined;
      },
      10_000,
      'escalation and reminder messages delivered in log mode',
    );
    expect(delivered.filter((n) => n.kind === 'escalation').length).toBeGreaterThanOrEqual(1);
    expect(delivered.filter((n) => n.kind === 'reminder').length).toBeGreaterThanOrEqual(1);

    // Acknowledged: escalation stops; progress reminders go on until the incident resolves.
    const ack = await post('/api/v1/incidents/1/acknowledge', { by: 'alice' });
    expect(ack.status).toBe(200);
    expect((await ack.json()).status).toBe('acknowledged');
    const atAck = await incident();
    const escalations = events(atAck, 'escalated').length;
    const remindersAtAck = events(atAck, 'progress_reminder').length;
    await sleep(3_000);
    const afterAck = await incident();
    expect(afterAck.status).toBe('acknowledged');
    expect(events(afterAck, 'escalated')).toHaveLength(escalations);
    expect(events(afterAck, 'progress_reminder').length).toBeGreaterThan(remindersAtAck);

    // Resolved: no more reminders (nor escalations).
    const resolved = await post('/api/v1/incidents/1/resolve', { by: 'alice' });
    expect(resolved.status).toBe(200);
    expect((await resolved.json()).status).toBe('resolved');
    const atResolve = await incident();
    const reminders = events(atResolve, 'progress_reminder').length;
    await sleep(3_000);
    const afterResolve = await incident();
    expect(afterResolve.status).toBe('resolved');
    expect(events(afterResolve, 'progress_reminder')).toHaveLength(reminders);
    expect(events(afterResolve, 'escalated')).toHaveLength(escalations);
  });
});
