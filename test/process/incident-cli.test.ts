import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot, runCli } from '../helpers/process.js';
import { databaseOf, startVigil, type TestVigil } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';

/** The incident and silence commands, run as processes against a running Vigil over its HTTP API. */
const TOKEN = 'cli-api-token';
let v: TestVigil;
let env: Record<string, string>;

const cli = (...args: string[]) => runCli(args, env);
const alert = (alertname: string, severity: string, instance: string) => ({ labels: { alertname, severity, instance, service: 'checkout' }, startsAt: '2026-12-01T09:00:00Z' });

beforeAll(async () => {
  v = await startVigil({ auth: { apiTokens: [TOKEN] }, now: '2026-12-01T10:00:00Z' });
  env = { VIGIL_URL: v.url, VIGIL_TOKEN: TOKEN, VIGIL_DB: databaseOf(v) };
  const res = await v.post('/api/v2/alerts', [alert('DiskFull', 'critical', 'db-1'), alert('QueueBacklog', 'warning', 'mq-1')]);
  expect(res.status).toBe(200);
});
afterAll(async () => v?.close());

describe('vigil incidents', () => {
  it('lists incidents as a table sized to the terminal, or as JSON, with filters', async () => {
    const table = await cli('incidents');
    expect(table.code, table.stderr).toBe(0);
    const [header, , ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+PRI\s+SEVERITY\s+STATUS\s+AGE\s+TEAM\s+TITLE$/);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.includes('DiskFull'))).toMatch(/^#\d+\s+P1\s+critical\s+triggered\s/);
    const json = JSON.parse((await cli('incidents', '--severity', 'warning', '-o', 'json')).stdout);
    expect(json.incidents.map((i: any) => i.severity)).toEqual(['warning']);
    expect((await cli('incidents', '--status', 'resolved')).stdout).toBe('no incidents match\n');
    expect((await cli('incidents', '-o', 'wide')).stdout.split('\n')[0]).toMatch(/SERVICE\s+ALERTS\s+BY\s+OPENED\s+TITLE/);
  });

  it('shows one incident with its alerts, timeline and pages', async () => {
    const id = String(JSON.parse((await cli('incidents', '--severity', 'critical', '-o', 'json')).stdout).incidents[0].id);
    const shown = await cli('incident', 'show', id);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^#${id} `));
    for (const heading of ['ALERTS', 'TIMELINE', 'PAGES']) expect(shown.stdout).toContain(`\n${heading}\n`);
    expect(shown.stdout).toMatch(/firing\s+2026-12-01 09:00Z\s+1x\s+alertname=DiskFull/);
    expect(shown.stdout).toMatch(/\s+triggered\s+/);
  });

  it('acknowledges with a note, notes, escalates and resolves; the API sees each', async () => {
    const id = String(JSON.parse((await cli('incidents', '--severity', 'critical', '-o', 'json')).stdout).incidents[0].id);
    const ack = await cli('ack', id, '--note', 'looking at it');
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stdout).toMatch(new RegExp(`^#${id} acknowledged by api: `));
    expect((await cli('note', id, 'failover', 'started')).stdout).toBe(`note added to #${id}\n`);
    expect((await cli('escalate', id)).code).toBe(0);
    const resolved = await cli('resolve', id);
    expect(resolved.stdout).toMatch(new RegExp(`^#${id} resolved by api`));
    const incident = await v.json(`/api/v1/incidents/${id}`, { authorization: `Bearer ${TOKEN}` });
    expect(incident.status).toBe('resolved');
    const kinds = incident.timeline.map((e: any) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['acknowledged', 'note', 'escalated', 'resolved']));
    expect(incident.timeline.find((e: any) => e.kind === 'note').message).toContain('failover started');
  });

  it('fails with the API\'s message and exit code 1, trying every id it was given', async () => {
    const [known] = JSON.parse((await cli('incidents', '--status', 'open', '-o', 'json')).stdout).incidents;
    const both = await cli('ack', '9999', String(known.id));
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('#9999: Vigil answered 404: incident 9999 not found');
    expect(both.stdout).toMatch(new RegExp(`^#${known.id} acknowledged`));
    const wrong = await runCli(['incidents'], { ...env, VIGIL_TOKEN: 'wrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Vigil answered 401/);
    const away = await runCli(['incidents', '--url', 'http://127.0.0.1:9'], env);
    expect(away.code).toBe(1);
    expect(away.stderr).toMatch(/could not reach Vigil at http:\/\/127\.0\.0\.1:9/);
  });

  it('tail follows new incidents and changes live', async () => {
    const child = spawn(process.execPath, [cliPath, 'tail'], { cwd: repoRoot, env: { ...process.env, ...env } });
    let out = '';
    let said = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (said += d));
    try {
      // It says when it has taken the feed's position: what changes after that is printed.
      await waitFor(async () => said.includes('following ') || undefined, 10_000, 'vigil tail to start following');
      await v.post('/api/v2/alerts', [alert('NodeDown', 'critical', 'node-7')]);
      await waitFor(async () => /#\d+ {2}opened {2}P1 critical {2}triggered {2}/.test(out), 10_000, 'a line for the new incident from vigil tail');
    } finally {
      child.kill();
    }
  });
});

describe('vigil tail ID', () => {
  it("prints an incident's timeline, then each event as it is added", async () => {
    const [open] = JSON.parse((await cli('incidents', '--status', 'open', '-o', 'json')).stdout).incidents;
    const child = spawn(process.execPath, [cliPath, 'tail', String(open.id)], { cwd: repoRoot, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await waitFor(async () => out.includes(`#${open.id}  triggered`) || undefined, 10_000, 'the timeline so far');
      await v.post(`/api/v1/incidents/${open.id}/notes`, { text: 'checking the broker' }, { authorization: `Bearer ${TOKEN}` });
      await waitFor(async () => /#\d+ {2}note {2}\S+ {2}.*checking the broker/.test(out) || undefined, 10_000, 'the new note from vigil tail');
    } finally {
      child.kill();
    }
  });
});

describe('vigil silence', () => {
  it('adds, queries and expires silences in amtool syntax', async () => {
    const add = await cli('silence', 'add', 'alertname=QueueBacklog', 'instance=~mq-.*', '--duration', '2h', '--comment', 'queue drain', '--author', 'ops');
    expect(add.code, add.stderr).toBe(0);
    const id = add.stdout.trim();
    const query = await cli('silence', 'query', 'alertname=QueueBacklog');
    expect(query.stdout).toMatch(new RegExp(`${id}\\s+alertname="QueueBacklog" instance=~"mq-\\.\\*"\\s+active\\s+2026-12-01 12:00Z\\s+ops\\s+queue drain`));
    expect((await cli('silence', 'query', 'alertname=Other')).stdout).toBe('no silences match\n');
    expect((await cli('silence', 'expire', id)).stdout).toBe(`expired ${id}\n`);
    expect((await cli('silence', 'query')).stdout).not.toContain(id);
    const expired = JSON.parse((await cli('silence', 'query', '--expired', '-o', 'json')).stdout);
    expect(expired.silences.map((s: any) => s.id)).toContain(id);
  });

  it('refuses a bad matcher or a missing comment before asking Vigil', async () => {
    expect(await cli('silence', 'add', 'alertname=~(', '--comment', 'x')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^bad matcher/) });
    expect(await cli('silence', 'add', 'alertname=X')).toMatchObject({ code: 2, stderr: expect.stringContaining('--comment is required') });
  });
});

describe('vigil oncall override', () => {
  it('hands a shift over without a YAML edit: listed, shown by vigil oncall beside the files\' schedules, removable', async () => {
    const add = await cli('oncall', 'override', '--schedule', 'platform-primary', '--person', 'carol', '--from', '2026-12-01T10:00:00Z', '--to', '2026-12-01T12:00:00Z', '--reason', 'handover');
    expect(add.code, add.stderr).toBe(0);
    const id = add.stdout.split(':')[0]!;
    expect(add.stdout).toBe(`${id}: carol on call for platform-primary from 2026-12-01 10:00Z until 2026-12-01 12:00Z\n`);
    expect((await cli('oncall', 'overrides')).stdout).toMatch(new RegExp(`${id}\\s+platform-primary\\s+carol\\s+2026-12-01 10:00Z\\s+2026-12-01 12:00Z\\s+\\S+\\s+handover`));
    // The API answers with it, and so does the local command reading the same database.
    const tier1 = (await v.json('/api/v1/oncall?team=platform', { authorization: `Bearer ${TOKEN}` })).teams[0].tiers[0];
    expect(tier1).toMatchObject({ schedule: 'platform-primary', person: { id: 'carol' }, override: true });
    const shown = await cli('oncall', '--team', 'platform', '--at', '2026-12-01T11:00:00Z');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/platform\s+1\s+platform-primary\s+Carol Example \(support manager\) \(carol\)\s+override/);

    expect((await cli('oncall', 'overrides', '--remove', id)).stdout).toBe(`removed ${id}\n`);
    expect((await cli('oncall', 'overrides')).stdout).toMatch(/^no overrides made through the API/);
    expect((await cli('oncall', 'override', '--schedule', 'nope', '--person', 'carol', '--for', '1h'))).toMatchObject({ code: 1, stderr: expect.stringContaining('"nope" is not a schedule') });
    expect((await cli('oncall', 'override', '--schedule', 'platform-primary', '--person', 'carol'))).toMatchObject({ code: 2 });
  });
});
