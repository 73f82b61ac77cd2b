import { cpSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { getJson, INGEST_TOKEN, makeTempDir, removeDir, requireBinary, startBinary, startE2EVigil, writeYaml, type E2EVigil, type RunningBinary } from './support.js';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const SUITE = 'end-to-end: the Watchdog through Alertmanager 0.25 keeps Vigil\'s watchdog heartbeat up';
const installed = requireBinary(ALERTMANAGER, 'prometheus-alertmanager', SUITE);
const repoRules = path.join(import.meta.dirname, '..', '..', 'rules');

describe.skipIf(!installed)(SUITE, () => {
  let dir: string | undefined;
  let vigil: E2EVigil;
  let am: RunningBinary | undefined;
  let amArgs: string[];
  let amUrl: string;

  const heartbeat = () => getJson<{ state: string; lastPingAt: string | null }>(`${vigil.url}/api/v1/heartbeats/watchdog`);
  const dump = () => console.error(`--- vigil output ---\n${vigil?.vigil.output() ?? ''}\n--- alertmanager output ---\n${am?.output() ?? ''}`);

  /** Prometheus's part: the always-firing Watchdog, posted to Alertmanager's API. */
  async function fireWatchdog(): Promise<void> {
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'Watchdog', severity: 'none' }, endsAt: new Date(Date.now() + 3_600_000).toISOString() }]),
    });
    expect(res.status, await res.text()).toBe(200);
  }

  beforeAll(async () => {
    dir = makeTempDir('vigil-e2e-watchdog-');
    // The shipped rules, with the watchdog's durations shortened: a ping every 30s, a 3s grace.
    const rules = path.join(dir, 'rules');
    cpSync(repoRules, rules, { recursive: true });
    rmSync(path.join(rules, '60-heartbeats.yaml'));
    writeFileSync(
      path.join(rules, '60-heartbeats.yaml'),
      "heartbeats:\n  - { name: watchdog, matchers: ['alertname=\"Watchdog\"'], every: 30s, grace: 3s, severity: critical, service: monitoring }\n",
    );
    vigil = await startE2EVigil(dir, { rules: { dir: rules } });
    const amPort = await freePort();
    amUrl = `http://127.0.0.1:${amPort}`;
    // As deploy/alertmanager/alertmanager.yml routes it, with a repeat of seconds instead of a minute.
    const config = writeYaml(path.join(dir, 'alertmanager.yml'), {
      route: {
        receiver: 'vigil',
        group_by: ['alertname'],
        routes: [{ matchers: ['alertname="Watchdog"'], receiver: 'vigil', group_wait: '0s', group_interval: '1s', repeat_interval: '2s' }],
      },
      receivers: [
        {
          name: 'vigil',
          webhook_configs: [{ url: `${vigil.url}/api/v1/alerts/alertmanager`, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials: INGEST_TOKEN } } }],
        },
      ],
    });
    amArgs = [`--config.file=${config}`, `--storage.path=${path.join(dir, 'alertmanager')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='];
    am = await startBinary(ALERTMANAGER, amArgs, amUrl);
  });

  afterAll(async () => {
    await am?.stop();
    await vigil?.stop();
    removeDir(dir);
  });

  it('each delivery is a ping and never an incident; with Alertmanager stopped, one incident opens after the grace; back, it resolves', { timeout: 120_000 }, async ({ onTestFailed }) => {
    onTestFailed(dump);
    await fireWatchdog();
    const first = await waitFor(async () => {
      const h = await heartbeat();
      return h.state === 'up' && h.lastPingAt;
    }, 20_000, 'the watchdog heartbeat up');
    // Alertmanager re-sends it every few seconds: the last ping moves on, and still no incident.
    await waitFor(async () => ((await heartbeat()).lastPingAt! > first! ? true : undefined), 20_000, 'a repeated delivery');
    expect(await vigil.incidents()).toEqual([]);

    await am!.stop();
    am = undefined;
    const [opened] = await waitFor(async () => {
      const list = await vigil.incidents();
      return list.length > 0 ? list : undefined;
    }, 60_000, 'the watchdog incident');
    expect(opened).toMatchObject({ title: expect.stringMatching(/^Heartbeat watchdog missed \(last ping \d+ s ago\)$/), severity: 'critical', status: 'triggered' });
    expect((await heartbeat()).state).toBe('down');

    am = await startBinary(ALERTMANAGER, amArgs, amUrl);
    await fireWatchdog();
    const resolved = await waitFor(async () => {
      const i = await vigil.incident(opened!.id);
      return i.status === 'resolved' ? i : undefined;
    }, 20_000, 'the watchdog incident resolved');
    expect(resolved.timeline.find((e) => e.kind === 'heartbeat_up')?.message).toMatch(/^Heartbeat watchdog is up again \(alert Watchdog\) after (?:less than a second|(?:\d+[hms])+) down$/);
    expect(await vigil.incidents()).toHaveLength(1);
  });
});
