import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import {
  getJson,
  INGEST_TOKEN,
  makeTempDir,
  removeDir,
  requireBinary,
  startBinary,
  startE2EVigil,
  timelineKinds,
  writeYaml,
  type E2EVigil,
  type RunningBinary,
} from './support.js';

// Debian's name for the alertmanager binary (package prometheus-alertmanager, 0.25).
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const SUITE = 'end-to-end: Alertmanager 0.25 webhook → Vigil';
const installed = requireBinary(ALERTMANAGER, 'prometheus-alertmanager', SUITE);

describe.skipIf(!installed)(SUITE, () => {
  let dir: string | undefined;
  let vigil: E2EVigil;
  let am: RunningBinary | undefined;
  let incidentId: number | undefined;

  const labels = { alertname: 'E2EDiskFull', service: 'e2e', severity: 'critical', instance: 'host-1' };
  const annotations = { summary: 'Disk on host-1 is full' };
  const startsAt = new Date().toISOString();

  /** Posts alerts to Alertmanager's own API, as Prometheus would. */
  async function postToAlertmanager(alerts: unknown[]): Promise<void> {
    const res = await fetch(`${am!.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status, await res.text()).toBe(200);
  }

  const incidents = () => vigil.incidents();
  const incident = (id: number) => vigil.incident(id);

  const dump = () =>
    console.error(`--- vigil output ---\n${vigil?.vigil.output() ?? ''}\n--- alertmanager output ---\n${am?.output() ?? ''}`);

  beforeAll(async () => {
    dir = makeTempDir('vigil-e2e-alertmanager-');
    vigil = await startE2EVigil(dir);
    const amPort = await freePort();
    const config = writeYaml(path.join(dir, 'alertmanager.yml'), {
      route: {
        receiver: 'vigil',
        group_by: ['alertname', 'service'],
        group_wait: '1s',
        group_interval: '1s',
        repeat_interval: '1h',
      },
      receivers: [
        {
          name: 'vigil',
          webhook_configs: [
            {
              url: `${vigil.url}/api/v1/alerts/alertmanager`,
              send_resolved: true,
              http_config: { authorization: { type: 'Bearer', credentials: INGEST_TOKEN } },
            },
          ],
        },
      ],
    });
    am = await startBinary(
      ALERTMANAGER,
      [
        `--config.file=${config}`,
        `--storage.path=${path.join(dir, 'alertmanager')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        // An empty cluster address turns gossip off: a single, self-contained Alertmanager.
        '--cluster.listen-address=',
      ],
      `http://127.0.0.1:${amPort}`,
    );
  });

  afterAll(async () => {
    await am?.stop();
    await vigil?.stop();
    removeDir(dir);
  });

  it('refuses webhook posts without the ingest token', async () => {
    const res = await fetch(`${vigil.url}/api/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: '4', status: 'firing', alerts: [] }),
    });
    expect(res.status).toBe(401);
  });

  it('turns the firing notification into one triggered P1 incident', async ({ onTestFailed }) => {
    onTestFailed(dump);
    const endsAt = new Date(Date.now() + 60 * 60_000).toISOString();
    await postToAlertmanager([{ labels, annotations, startsAt, endsAt }]);

    const opened = await waitFor(
      async () => {
        const list = await incidents();
        return list[0];
      },
      20_000,
      'Vigil to open an incident from the Alertmanager webhook',
    );
    expect(opened).toMatchObject({
      status: 'triggered',
      severity: 'critical',
      priority: 'P1',
      service: 'e2e',
      alertCount: 1,
      resolvedAt: null,
    });
    incidentId = opened.id;

    const detail = await incident(opened.id);
    expect(detail.alerts).toHaveLength(1);
    expect(detail.alerts[0]).toMatchObject({ source: 'alertmanager', status: 'firing', labels, annotations });
    expect(timelineKinds(detail)).toEqual(expect.arrayContaining(['triggered', 'alert_firing']));

    // Vigil computes the fingerprint from the labels as Alertmanager does, so the ids agree.
    const amAlerts = await getJson<{ fingerprint: string; labels: Record<string, string> }[]>(`${am!.url}/api/v2/alerts`);
    const amAlert = amAlerts.find((a) => a.labels.alertname === labels.alertname);
    expect(amAlert?.fingerprint).toBe(detail.alerts[0]!.fingerprint);
  });

  it('does not open a second incident for the same alert', async ({ onTestFailed }) => {
    onTestFailed(dump);
    expect(incidentId, 'needs the incident from the previous test').toBeDefined();
    const before = (await incident(incidentId!)).alerts[0]!;

    // Alertmanager deduplicates the repeat itself; give it a few group intervals to (not) notify.
    const endsAt = new Date(Date.now() + 60 * 60_000).toISOString();
    await postToAlertmanager([{ labels, annotations, startsAt, endsAt }]);
    await new Promise((r) => setTimeout(r, 3000));

    // The same label set straight from a Prometheus-style sender has the same fingerprint: still one alert.
    const direct = await fetch(`${vigil.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_TOKEN}` },
      body: JSON.stringify([{ labels, annotations, startsAt, endsAt }]),
    });
    expect(direct.status, await direct.text()).toBe(200);

    const list = await incidents();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: incidentId, status: 'triggered', alertCount: 1 });
    const detail = await incident(incidentId!);
    expect(detail.alerts).toHaveLength(1);
    expect(detail.alerts[0]!.fingerprint).toBe(before.fingerprint);
    expect(detail.alerts[0]!.receiveCount).toBeGreaterThan(before.receiveCount);
    const firing = await vigil.firingAlerts();
    expect(firing.map((a) => a.fingerprint)).toEqual([before.fingerprint]);
  });

  it('resolves the incident from the resolved notification', async ({ onTestFailed }) => {
    onTestFailed(dump);
    expect(incidentId, 'needs the incident from the previous tests').toBeDefined();
    await postToAlertmanager([{ labels, annotations, startsAt, endsAt: new Date().toISOString() }]);

    const resolved = await waitFor(
      async () => {
        const detail = await incident(incidentId!);
        return detail.status === 'resolved' && detail;
      },
      20_000,
      `Vigil to resolve incident ${incidentId} from Alertmanager's resolved notification`,
    );
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.resolvedBy).toBe('alertmanager');
    expect(resolved.alerts).toHaveLength(1);
    expect(resolved.alerts[0]).toMatchObject({ status: 'resolved', source: 'alertmanager' });
    expect(timelineKinds(resolved)).toEqual(expect.arrayContaining(['triggered', 'alert_firing', 'alert_resolved', 'resolved']));
    expect(timelineKinds(resolved)).not.toContain('alert_expired');

    expect(await incidents()).toHaveLength(1);
    expect(await vigil.firingAlerts()).toEqual([]);
  });
});
