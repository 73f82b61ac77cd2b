import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, repoRoot, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';
import { makeTempDir, removeDir, requireBinary, startBinary, stopChild, writeYaml, type RunningBinary } from './support.js';

const PROMETHEUS = '/usr/bin/prometheus';
const SUITE = "end-to-end: the compose stack's API alert rules see Vigil's own HTTP metrics";
const installed = requireBinary(PROMETHEUS, 'prometheus', SUITE);

type Obj = Record<string, any>;
const deploy = (rel: string) => parse(readFileSync(path.join(repoRoot, 'deploy', 'prometheus', rel), 'utf8')) as Obj;

/** A handbook rule's expression without its threshold: what Prometheus compares against 0.5 or 0.001. */
function measured(alert: string): string {
  const rule = deploy('alerts.yml').groups.flatMap((g: Obj) => g.rules).find((r: Obj) => r.alert === alert);
  return String(rule.expr).replace(/\s*>\s*[\d.]+\s*$/, '');
}

describe.skipIf(!installed)(SUITE, () => {
  let dir: string | undefined;
  let vigil: RunningVigil | undefined;
  let prometheus: RunningBinary | undefined;

  beforeAll(async () => {
    dir = makeTempDir('vigil-e2e-stack-metrics-');
    cpSync(path.join(repoRoot, 'rules'), path.join(dir, 'rules'), { recursive: true });
    const config = writeYaml(path.join(dir, 'vigil.yaml'), { server: { host: '127.0.0.1' }, rules: { dir: 'rules', watch: false } });
    vigil = await spawnVigil({ VIGIL_CONFIG: config, VIGIL_DB: path.join(dir, 'vigil.db') }, await freePort());
    // The stack's own scrape job for Vigil (its `service` label included), pointed at this Vigil.
    const job = deploy('prometheus.yml').scrape_configs.find((j: Obj) => j.job_name === 'vigil');
    const scrape = {
      ...job,
      scrape_interval: '1s',
      static_configs: job.static_configs.map((sc: Obj) => ({ ...sc, targets: [vigil!.url.replace('http://', '')] })),
    };
    const promPort = await freePort();
    prometheus = await startBinary(
      PROMETHEUS,
      [
        `--config.file=${writeYaml(path.join(dir, 'prometheus.yml'), { global: { scrape_interval: '1s' }, scrape_configs: [scrape] })}`,
        `--storage.tsdb.path=${path.join(dir, 'prometheus')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      `http://127.0.0.1:${promPort}`,
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await stopChild(vigil?.child);
    removeDir(dir);
  });

  const query = async (expr: string) => {
    const res = await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result;
  };

  it('HighAPILatency and HighErrorRate measure Vigil by service, so the scale-up demo can fire', async () => {
    // Traffic with some 5xx: a reload that fails on a broken rules file answers 500 (the old rules stay).
    writeFileSync(path.join(dir!, 'rules', '98-broken.yaml'), 'rules:\n  - name: broken\n    sett: {}\n');
    const traffic = async () => {
      for (let i = 0; i < 10; i++) await fetch(`${vigil!.url}/api/v1/incidents`);
      expect((await fetch(`${vigil!.url}/-/reload`, { method: 'POST' })).status).toBe(500);
    };

    for (const alert of ['HighAPILatency', 'HighErrorRate']) {
      const expr = measured(alert);
      const result = await waitFor(
        async () => {
          // rate() sees a counter move only between two scrapes: keep the traffic going while waiting.
          await traffic();
          const r = await query(expr);
          return r.length > 0 && Number(r[0]!.value[1]) > 0 && r;
        },
        30_000,
        `${alert} (${expr}) to return a series`,
      );
      expect(result.map((r) => r.metric.service), alert).toEqual(['vigil']);
      expect(Number(result[0]!.value[1]), alert).toBeGreaterThan(0);
    }
  });
});
