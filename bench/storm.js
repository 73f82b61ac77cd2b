// npm run bench:storm — an alert storm: every alert is new (a fleet firing at once), each must be stored durably
// before the answer. 50 connections, 10 never-seen alerts per request (a new instance label each) in 20 alertname
// groups, warning severity, to /api/v2/alerts; against Alertmanager (when installed) and a bare node:http JSON
// parser in the same run. A second workload gives every alert its own alertname: an incident (and its pages) per alert;
// a third is the grouped storm on PostgreSQL (a throwaway local cluster) when the postgresql package is installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load, startAlertmanager, startBare, startPostgres, startVigil, stop, summarize } from './lib.js';

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

const work = mkdtempSync(path.join(tmpdir(), 'vigil-bench-storm-'));
let runs = 0;

/** Two seconds of warm-up, then the measured run. */
async function measure(label, url, bodies) {
  await load(url, bodies, { duration: 2 });
  return summarize(label, await load(url, bodies, { duration }), ALERTS);
}

async function bareRun() {
  const { child, url } = await startBare(work);
  try {
    return await measure('bare node:http + JSON.parse', url, storm(false));
  } finally {
    await stop(child);
  }
}

async function alertmanagerRun() {
  const am = await startAlertmanager(work, '  group_by: [alertname]\n', `am-${++runs}`);
  if (!am) return null;
  try {
    return await measure('Alertmanager 0.25 (in memory)', `${am.base}/api/v2/alerts`, storm(false));
  } finally {
    await stop(am.child);
  }
}

async function vigilRun(label, perAlertIncident, db = path.join(work, `vigil-${++runs}.db`)) {
  const { child, base } = await startVigil({ db, config: path.join(root, 'vigil.yaml') });
  try {
    return await measure(label, `${base}/api/v2/alerts`, storm(perAlertIncident));
  } finally {
    await stop(child);
  }
}

try {
  const results = [await bareRun()];
  const am = await alertmanagerRun();
  if (am) results.push(am);
  const grouped = await vigilRun('Vigil, 20 alertnames, 140 incidents (SQLite, synchronous=FULL)', false);
  const perAlert = await vigilRun('Vigil, an incident per alert (pages)', true);
  results.push(grouped, perAlert);
  // The grouped storm on PostgreSQL (a throwaway local cluster, synchronous_commit=on), when installed.
  const postgres = await startPostgres(work);
  let onPostgres = null;
  if (postgres) {
    try {
      onPostgres = await vigilRun('Vigil, 20 alertnames, 140 incidents (PostgreSQL, synchronous_commit=on)', false, await postgres.database());
      results.push(onPostgres);
    } finally {
      postgres.stop();
    }
  }
  console.table(results);
  const bare = results[0];
  console.log(`new alerts/s, Vigil / bare: ${(grouped.alertsPerSec / bare.alertsPerSec).toFixed(2)}`);
  if (am) {
    console.log(`new alerts/s, Vigil / Alertmanager: ${(grouped.alertsPerSec / am.alertsPerSec).toFixed(2)} (target ≥ 1.0)`);
    console.log(`an incident per alert, Vigil / Alertmanager: ${(perAlert.alertsPerSec / am.alertsPerSec).toFixed(2)}`);
  } else console.log('Alertmanager not installed (Debian package prometheus-alertmanager): ratio not measured');
  if (onPostgres && am) console.log(`new alerts/s, Vigil on PostgreSQL / Alertmanager: ${(onPostgres.alertsPerSec / am.alertsPerSec).toFixed(2)}`);
  else if (!postgres) console.log('PostgreSQL not installed (Debian package postgresql): its run not measured');
} finally {
  rmSync(work, { recursive: true, force: true });
}
