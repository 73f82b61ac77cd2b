// npm run bench:storm — an alert storm: every alert is new (a fleet firing at once), each must be stored durably
// before the answer. 50 connections, 10 never-seen alerts per request (a new instance label each) in 20 alertname
// groups, warning severity, to /api/v2/alerts; against Alertmanager (when installed) and a bare node:http JSON
// parser in the same run. A second workload gives every alert its own alertname: an incident (and its pages) per alert.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, load, start, stop, summarize, waitReady } from './lib.js';

const root = path.join(import.meta.dirname, '..');
const duration = Number(process.env.BENCH_SECONDS ?? 10);
const ALERTS = 10;
const GROUPS = 20;

/**
 * Bodies made on the fly from a template (the load generator must not spend its time in JSON.stringify): each call
 * gives 10 alerts never sent before. `perAlertIncident` gives each alert its own alertname.
 */
function storm(perAlertIncident) {
  let n = 0;
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();
  const one = () => {
    const id = ++n;
    const name = perAlertIncident ? `Storm${id}` : `Storm${id % GROUPS}`;
    return `{"labels":{"alertname":"${name}","instance":"host-${id}:9100","job":"node","service":"svc-${id % 7}","severity":"warning"},"annotations":{"summary":"storm alert ${id}"},"startsAt":"${startsAt}","endsAt":"${endsAt}","generatorURL":"http://prometheus:9090/graph?g0.expr=up"}`;
  };
  return [() => `[${Array.from({ length: ALERTS }, one).join(',')}]`];
}

const bareSource = `
const http = require('node:http');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try { JSON.parse(Buffer.concat(chunks)); res.writeHead(200, {'content-type': 'application/json'}); res.end('{}'); }
    catch { res.writeHead(400); res.end(); }
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const work = mkdtempSync(path.join(tmpdir(), 'vigil-bench-storm-'));
let runs = 0;

async function bareRun() {
  const port = await freePort();
  const file = path.join(work, 'bare.cjs');
  writeFileSync(file, bareSource);
  const child = start(process.execPath, [file], { PORT: String(port) });
  const url = `http://127.0.0.1:${port}/`;
  for (const deadline = Date.now() + 10_000; ; ) {
    try {
      if ((await fetch(url, { method: 'POST', body: '{}' })).ok) break;
    } catch {
      if (Date.now() > deadline) throw new Error('bare server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    await load(url, storm(false), { duration: 2 });
    return summarize('bare node:http + JSON.parse', await load(url, storm(false), { duration }), ALERTS);
  } finally {
    await stop(child);
  }
}

async function alertmanagerRun() {
  const bin = ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager'].find((b) => existsSync(b));
  if (!bin) return null;
  const port = await freePort();
  const cfg = path.join(work, 'am.yml');
  writeFileSync(cfg, 'route:\n  receiver: blackhole\n  group_by: [alertname]\nreceivers:\n  - name: blackhole\n');
  const child = start(bin, [`--config.file=${cfg}`, `--storage.path=${path.join(work, `am-${++runs}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=']);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${base}/-/ready`, child);
    await load(`${base}/api/v2/alerts`, storm(false), { duration: 2 });
    return summarize('Alertmanager 0.25 (in memory)', await load(`${base}/api/v2/alerts`, storm(false), { duration }), ALERTS);
  } finally {
    await stop(child);
  }
}

async function vigilRun(label, perAlertIncident) {
  const port = await freePort();
  const child = start(process.execPath, [path.join(root, 'dist/cli/main.js'), 'serve'], {
    VIGIL_PORT: String(port),
    VIGIL_DB: path.join(work, `vigil-${++runs}.db`),
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_CONFIG: path.join(root, 'vigil.yaml'),
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${base}/healthz`, child);
    await load(`${base}/api/v2/alerts`, storm(perAlertIncident), { duration: 2 });
    return summarize(label, await load(`${base}/api/v2/alerts`, storm(perAlertIncident), { duration }), ALERTS);
  } finally {
    await stop(child);
  }
}

try {
  const results = [await bareRun()];
  const am = await alertmanagerRun();
  if (am) results.push(am);
  const grouped = await vigilRun('Vigil, 20 groups (SQLite, synchronous=FULL)', false);
  const perAlert = await vigilRun('Vigil, an incident per alert (pages)', true);
  results.push(grouped, perAlert);
  console.table(results);
  const bare = results[0];
  console.log(`new alerts/s, Vigil / bare: ${(grouped.alertsPerSec / bare.alertsPerSec).toFixed(2)}`);
  if (am) {
    console.log(`new alerts/s, Vigil / Alertmanager: ${(grouped.alertsPerSec / am.alertsPerSec).toFixed(2)} (target ≥ 1.0)`);
    console.log(`an incident per alert, Vigil / Alertmanager: ${(perAlert.alertsPerSec / am.alertsPerSec).toFixed(2)}`);
  } else console.log('Alertmanager not installed (Debian package prometheus-alertmanager): ratio not measured');
} finally {
  rmSync(work, { recursive: true, force: true });
}
