import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { INGEST_TOKEN, makeTempDir, removeDir, requireBinary, startBinary, startE2EVigil, writeYaml, type E2EVigil, type RunningBinary } from './support.js';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const SUITE = "end-to-end: Vigil's Alertmanager API v2 answers in the shapes the real Alertmanager 0.25 answers, for the same alerts and silences";
const installed = requireBinary(ALERTMANAGER, 'prometheus-alertmanager', SUITE);

/** A JSON value's shape: objects by their keys (sorted), arrays by their first element, the rest by type. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, shape((value as Record<string, unknown>)[k])]));
  }
  return value === null ? 'null' : typeof value;
}

describe.skipIf(!installed)(SUITE, () => {
  let dir: string | undefined;
  let vigil: E2EVigil;
  let am: RunningBinary | undefined;

  const both = async (method: string, pathname: string, body?: unknown) => {
    const call = async (base: string) => {
      const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
      // Vigil's ingest door takes the ingest token (Alertmanager ignores the header).
      if (pathname === '/api/v2/alerts' && method === 'POST') headers.authorization = `Bearer ${INGEST_TOKEN}`;
      const res = await fetch(base + pathname, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text === '' ? null : (JSON.parse(text) as any) };
    };
    return { am: await call(am!.url), vigil: await call(vigil.url) };
  };

  beforeAll(async () => {
    dir = makeTempDir('vigil-e2e-am-shapes-');
    vigil = await startE2EVigil(dir);
    const amPort = await freePort();
    const config = writeYaml(path.join(dir, 'alertmanager.yml'), { route: { receiver: 'vigil', group_by: ['alertname'] }, receivers: [{ name: 'vigil' }] });
    am = await startBinary(
      ALERTMANAGER,
      [`--config.file=${config}`, `--storage.path=${path.join(dir, 'alertmanager')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='],
      `http://127.0.0.1:${amPort}`,
    );
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const alerts = [
      { labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'warning' }, annotations: { summary: 'db-1 disk' }, startsAt, generatorURL: 'http://prometheus:9090/graph' },
      { labels: { alertname: 'DiskFull', instance: 'db-2', severity: 'warning' }, annotations: { summary: 'db-2 disk' }, startsAt, generatorURL: 'http://prometheus:9090/graph' },
    ];
    const posted = await both('POST', '/api/v2/alerts', alerts);
    expect([posted.am.status, posted.vigil.status]).toEqual([200, 200]);
    // Alertmanager takes a moment to process (the group wait): ask until both list the alerts.
    await waitFor(async () => {
      const r = await both('GET', '/api/v2/alerts/groups');
      return r.am.body.length > 0 && r.vigil.body.length > 0 ? true : undefined;
    }, 30_000, 'the alerts in both');
  }, 60_000);

  afterAll(async () => {
    await am?.stop();
    await vigil?.stop();
    removeDir(dir);
  });

  it('GET /api/v2/alerts: the same shape and the same facts', async () => {
    const r = await both('GET', '/api/v2/alerts');
    expect(shape(r.vigil.body)).toEqual(shape(r.am.body));
    const facts = (list: any[]) => list.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, generatorURL: a.generatorURL, state: a.status.state })).sort((x, y) => x.labels.instance.localeCompare(y.labels.instance));
    expect(facts(r.vigil.body)).toEqual(facts(r.am.body));
  });

  it('GET /api/v2/alerts/groups: the same shape, the group labels of the same grouping', async () => {
    const r = await both('GET', '/api/v2/alerts/groups');
    expect(shape(r.vigil.body)).toEqual(shape(r.am.body));
    expect(r.vigil.body[0].alerts).toHaveLength(r.am.body[0].alerts.length);
  });

  it('silences: the same answers to create, read, list, filter and expire', async () => {
    const silence = {
      matchers: [
        { name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true },
        { name: 'instance', value: 'db-.*', isRegex: true, isEqual: true },
      ],
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'e2e',
      comment: 'side by side',
    };
    const created = await both('POST', '/api/v2/silences', silence);
    expect(created.vigil.status).toBe(created.am.status);
    expect(shape(created.vigil.body)).toEqual(shape(created.am.body));
    const ids = { am: created.am.body.silenceID as string, vigil: created.vigil.body.silenceID as string };

    const one = { am: await fetch(`${am!.url}/api/v2/silence/${ids.am}`).then((r) => r.json()), vigil: await fetch(`${vigil.url}/api/v2/silence/${ids.vigil}`).then((r) => r.json()) };
    expect(shape(one.vigil)).toEqual(shape(one.am));
    const facts = (s: any) => ({ status: s.status, matchers: s.matchers, createdBy: s.createdBy, comment: s.comment, endsAt: Date.parse(s.endsAt) });
    expect(facts(one.vigil)).toEqual(facts(one.am));

    const listed = await both('GET', '/api/v2/silences?filter=alertname%3D%22DiskFull%22');
    expect(shape(listed.vigil.body)).toEqual(shape(listed.am.body));
    expect(listed.vigil.body.map(facts)).toEqual(listed.am.body.map(facts));

    const silenced = await both('GET', '/api/v2/alerts?silenced=true');
    expect(silenced.vigil.body.map((a: any) => [a.status.state, a.status.silencedBy.length])).toEqual(silenced.am.body.map((a: any) => [a.status.state, a.status.silencedBy.length]));
    expect((await both('GET', '/api/v2/alerts?silenced=false')).vigil.body).toEqual([]);

    const expired = { am: await fetch(`${am!.url}/api/v2/silence/${ids.am}`, { method: 'DELETE' }), vigil: await fetch(`${vigil.url}/api/v2/silence/${ids.vigil}`, { method: 'DELETE' }) };
    expect(expired.vigil.status).toBe(expired.am.status);
    const after = { am: await fetch(`${am!.url}/api/v2/silence/${ids.am}`).then((r) => r.json()), vigil: await fetch(`${vigil.url}/api/v2/silence/${ids.vigil}`).then((r) => r.json()) };
    expect(after.vigil.status).toEqual(after.am.status);
  });

  it('an unknown silence and a bad filter are refused alike', async () => {
    const unknown = await both('GET', '/api/v2/silence/00000000-0000-0000-0000-000000000000');
    expect(unknown.vigil.status).toBe(unknown.am.status);
    const bad = await both('GET', '/api/v2/alerts?filter=%7Bbroken');
    expect(bad.vigil.status).toBe(bad.am.status);
    expect(typeof bad.vigil.body).toBe(typeof bad.am.body);
  });

  it('GET /api/v2/status and /api/v2/receivers: the same shapes', async () => {
    const status = await both('GET', '/api/v2/status');
    expect(shape(status.vigil.body)).toEqual(shape(status.am.body));
    const receivers = await both('GET', '/api/v2/receivers');
    expect(shape(receivers.vigil.body)).toEqual(shape(receivers.am.body));
  });
});
