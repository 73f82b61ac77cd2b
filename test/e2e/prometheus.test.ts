import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import {
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

const PROMETHEUS = '/usr/bin/prometheus';
const SUITE = 'end-to-end: Prometheus 2.42 alerting → Vigil as its alertmanager';
const installed = requireBinary(PROMETHEUS, 'prometheus', SUITE);

describe.skipIf(!installed)(SUITE, () => {
  let dir: string | undefined;
  let vigil: E2EVigil;
  let prometheus: RunningBinary | undefined;
  let exporter: Server | undefined;
  let exporterTarget = '';
  let queueDepth = 100;
  let incidentId: number | undefined;

  const firingAlert = async () => (await vigil.firingAlerts()).find((a) => a.labels.alertname === 'E2EQueueBacklog');
  const incident = (id: number) => vigil.incident(id);

  const dump = () =>
    console.error(`--- vigil output ---\n${vigil?.vigil.output() ?? ''}\n--- prometheus output ---\n${prometheus?.output() ?? ''}`);

  beforeAll(async () => {
    dir = makeTempDir('vigil-e2e-prometheus-');
    vigil = await startE2EVigil(dir);

    // The scrape target: one gauge the test moves.
    exporter = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(
        ['# HELP e2e_queue_depth Items waiting in the e2e queue.', '# TYPE e2e_queue_depth gauge', `e2e_queue_depth ${queueDepth}`, ''].join('\n'),
      );
    });
    const exporterPort = await freePort();
    await new Promise<void>((resolve, reject) => {
      exporter!.once('error', reject);
      exporter!.listen(exporterPort, '127.0.0.1', resolve);
    });
    exporterTarget = `127.0.0.1:${exporterPort}`;

    const rules = writeYaml(path.join(dir, 'rules.yml'), {
      groups: [
        {
          name: 'e2e',
          rules: [
            {
              alert: 'E2EQueueBacklog',
              expr: 'e2e_queue_depth > 50',
              for: '0s',
              labels: { severity: 'warning', service: 'queue' },
              annotations: { summary: 'Queue depth is {{ $value }}' },
            },
          ],
        },
      ],
    });
    const config = writeYaml(path.join(dir, 'prometheus.yml'), {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [rules],
      scrape_configs: [{ job_name: 'e2e', static_configs: [{ targets: [exporterTarget] }] }],
      alerting: {
        alertmanagers: [
          {
            api_version: 'v2',
            static_configs: [{ targets: [`127.0.0.1:${vigil.port}`] }],
            authorization: { type: 'Bearer', credentials: INGEST_TOKEN },
          },
        ],
      },
    });
    const promPort = await freePort();
    prometheus = await startBinary(
      PROMETHEUS,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'prometheus')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        // Resend firing alerts every second (default 1m); their endsAt is then a few seconds ahead.
        '--rules.alert.resend-delay=1s',
      ],
      `http://127.0.0.1:${promPort}`,
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await vigil?.stop();
    if (exporter) {
      exporter.closeAllConnections();
      await new Promise<void>((resolve) => exporter!.close(() => resolve()));
    }
    removeDir(dir);
  });

  it('opens a triggered P2 incident when the rule fires', async ({ onTestFailed }) => {
    onTestFailed(dump);
    const alert = await waitFor(firingAlert, 40_000, 'Prometheus to fire E2EQueueBacklog into Vigil');
    const checkedAt = Date.now();
    expect(alert).toMatchObject({
      source: 'prometheus',
      status: 'firing',
      severity: 'warning',
      labels: { alertname: 'E2EQueueBacklog', severity: 'warning', service: 'queue', job: 'e2e', instance: exporterTarget },
      annotations: { summary: 'Queue depth is 100' },
    });
    // Prometheus sends endsAt a few resend intervals ahead; Vigil expires the alert then unless refreshed.
    expect(Date.parse(alert.endsAt ?? '')).toBeGreaterThan(checkedAt);
    expect(Date.parse(alert.expiresAt ?? '')).toBeGreaterThan(checkedAt);
    expect(Date.parse(alert.startsAt)).toBeLessThanOrEqual(checkedAt);

    incidentId = alert.incidentId;
    const detail = await incident(alert.incidentId);
    expect(detail).toMatchObject({
      status: 'triggered',
      severity: 'warning',
      priority: 'P2',
      service: 'queue',
      alertCount: 1,
      resolvedAt: null,
    });
    expect(detail.alerts).toHaveLength(1);
    expect(timelineKinds(detail)).toEqual(expect.arrayContaining(['triggered', 'alert_firing']));

    // Prometheus keeps refreshing the alert; it stays one alert in one incident.
    await waitFor(
      async () => ((await incident(alert.incidentId)).alerts[0]?.receiveCount ?? 0) >= 2,
      10_000,
      'Prometheus to resend the firing alert',
    );
    const list = await vigil.incidents();
    expect(list.map((i) => i.id)).toEqual([alert.incidentId]);
    expect(list[0]!.alertCount).toBe(1);
  });

  it('resolves the incident when Prometheus sends the resolved alert', async ({ onTestFailed }) => {
    onTestFailed(dump);
    expect(incidentId, 'needs the incident from the previous test').toBeDefined();
    queueDepth = 0;

    const resolved = await waitFor(
      async () => {
        const detail = await incident(incidentId!);
        return detail.status === 'resolved' && detail;
      },
      40_000,
      `Vigil to resolve incident ${incidentId} after the queue drained`,
    );
    expect(resolved.resolvedAt).not.toBeNull();
    // Resolved by Prometheus's resolved notification, not by Vigil expiring the alert.
    expect(resolved.resolvedBy).toBe('prometheus');
    expect(resolved.alerts).toHaveLength(1);
    expect(resolved.alerts[0]).toMatchObject({ status: 'resolved', source: 'prometheus', expiresAt: null });
    expect(Date.parse(resolved.alerts[0]!.endsAt ?? '')).toBeLessThanOrEqual(Date.parse(resolved.resolvedAt ?? ''));
    expect(timelineKinds(resolved)).toEqual(expect.arrayContaining(['triggered', 'alert_firing', 'alert_resolved', 'resolved']));
    expect(timelineKinds(resolved)).not.toContain('alert_expired');
    expect(await firingAlert()).toBeUndefined();
  });
});
