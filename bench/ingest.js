// npm run bench:ingest — durable ingest throughput of Vigil against a bare node:http JSON parser and, when
// installed, Alertmanager, all in this run with the same 10-alert payloads at 50 connections.
// Also reports Vigil's p99 accept latency at a fixed 1,000 POSTs/s, and, when the postgresql package is installed,
// both workloads with Vigil on PostgreSQL (a throwaway local cluster, synchronous_commit=on), and the repeats
// against two Vigil instances sharing that database (25 connections each).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load, startAlertmanager, startBare, startPostgres, startVigil, stop, summarize } from './lib.js';

const root = path.join(import.meta.dirname, '..');
const duration = Number(process.env.BENCH_SECONDS ?? 10);
const ALERTS = 10;

// 200 distinct payloads of 10 alerts (2,000 alerts), re-sent in rotation like Prometheus does.
const now = Date.now();
const bodies = Array.from({ length: 200 }, (_, b) =>
  JSON.stringify(
    Array.from({ length: ALERTS }, (_, i) => ({
      labels: { alertname: `Bench${b % 20}`, service: `svc-${b % 7}`, instance: `host-${b}-${i}:9100`, severity: i % 3 ? 'warning' : 'critical', job: 'node' },
      annotations: { summary: `bench alert ${b}/${i}`, description: 'CPU above threshold for 5m on this instance' },
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
    })),
  ),
);

// The same alerts, but each delivery carries a later endsAt, as Prometheus sends them: every repeat is a write.
let tick = 0;
const refreshing = bodies.map((b) => {
  const template = b.split(new Date(now + 3_600_000).toISOString());
  return () => template.join(new Date(now + 3_600_000 + ++tick).toISOString());
});

const work = mkdtempSync(path.join(tmpdir(), 'vigil-bench-'));
const results = [];
let vigilRuns = 0;

/** Two seconds of warm-up, then the measured run (at `rate` POSTs/s when given). */
async function measure(label, url, payloads, rate, connections) {
  await load(url, payloads, { duration: 2 });
  return summarize(label, await load(url, payloads, { duration, overallRate: rate, connections }), ALERTS);
}

async function bareRun() {
  const { child, url } = await startBare(work);
  try {
    return await measure('bare node:http + JSON.parse', url, bodies);
  } finally {
    await stop(child);
  }
}

async function vigilRun(label, rate, connections = 50, payloads = bodies, db = path.join(work, `vigil-${++vigilRuns}.db`)) {
  const { child, base } = await startVigil({ db, config: path.join(root, 'vigil.yaml') });
  try {
    return await measure(label, `${base}/api/v2/alerts`, payloads, rate, connections);
  } finally {
    await stop(child);
  }
}

/** Two instances on one PostgreSQL database, the connections split between them; one row for both. */
async function twoInstancesRun(label, payloads, db) {
  const vigils = [await startVigil({ db, config: path.join(root, 'vigil.yaml') }), await startVigil({ db, config: path.join(root, 'vigil.yaml') })];
  try {
    const urls = vigils.map((v) => `${v.base}/api/v2/alerts`);
    await Promise.all(urls.map((u) => load(u, payloads, { duration: 2, connections: 25 })));
    const runs = await Promise.all(urls.map((u) => load(u, payloads, { duration, connections: 25 })));
    // The latency figures are the worse instance's (p99 of the two, not of the merged requests).
    const merged = {
      '2xx': runs.reduce((n, r) => n + r['2xx'], 0),
      duration: Math.max(...runs.map((r) => r.duration)),
      latency: { p50: Math.max(...runs.map((r) => r.latency.p50)), p99: Math.max(...runs.map((r) => r.latency.p99)) },
      non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      timeouts: runs.reduce((n, r) => n + r.timeouts, 0),
    };
    return summarize(label, merged, ALERTS);
  } finally {
    for (const v of vigils) await stop(v.child);
  }
}

async function alertmanagerRun(label, rate, connections = 50) {
  const am = await startAlertmanager(work, '', 'am-data');
  if (!am) return null;
  try {
    return await measure(label, `${am.base}/api/v2/alerts`, bodies, rate, connections);
  } finally {
    await stop(am.child);
  }
}

try {
  results.push(await bareRun());
  const am = await alertmanagerRun('Alertmanager 0.25 (in memory)');
  if (am) results.push(am);
  const vigil = await vigilRun('Vigil (SQLite, synchronous=FULL)');
  results.push(vigil);
  const writing = await vigilRun('Vigil, every repeat moves endsAt (a write)', undefined, 50, refreshing);
  results.push(writing);
  // The same two workloads on PostgreSQL (a throwaway local cluster, synchronous_commit=on), when installed.
  const postgres = await startPostgres(work);
  let onPostgres = null;
  let onPostgresWriting = null;
  let twoOnPostgres = null;
  let twoOnPostgresWriting = null;
  if (postgres) {
    try {
      onPostgres = await vigilRun('Vigil (PostgreSQL, synchronous_commit=on)', undefined, 50, bodies, await postgres.database());
      onPostgresWriting = await vigilRun('Vigil on PostgreSQL, every repeat a write', undefined, 50, refreshing, await postgres.database());
      twoOnPostgres = await twoInstancesRun('2 Vigil instances, one PostgreSQL', bodies, await postgres.database());
      twoOnPostgresWriting = await twoInstancesRun('2 instances, every repeat a write', refreshing, await postgres.database());
      results.push(onPostgres, onPostgresWriting, twoOnPostgres, twoOnPostgresWriting);
    } finally {
      postgres.stop();
    }
  }
  // Latency at a fixed 1,000 POSTs/s: 50 connections send in bursts, 10 connections more like a few senders.
  const paced = [];
  for (const connections of [50, 10]) {
    const a = await alertmanagerRun(`Alertmanager at 1,000 POSTs/s, ${connections} conns`, 1000, connections);
    if (a) paced.push(a);
    paced.push(await vigilRun(`Vigil at 1,000 POSTs/s, ${connections} conns`, 1000, connections));
  }
  results.push(...paced);

  console.table(results);
  const bareR = results[0];
  console.log(`Vigil/bare POSTs/s ratio:          ${(vigil.postsPerSec / bareR.postsPerSec).toFixed(2)}`);
  if (am) {
    console.log(`Vigil/Alertmanager POSTs/s ratio:  ${(vigil.postsPerSec / am.postsPerSec).toFixed(2)}`);
    console.log(`Vigil/Alertmanager, every repeat a write: ${(writing.postsPerSec / am.postsPerSec).toFixed(2)}`);
  }
  else console.log('Alertmanager not installed (Debian package prometheus-alertmanager): ratio not measured');
  if (onPostgres && am) {
    console.log(`Vigil on PostgreSQL/Alertmanager POSTs/s ratio: ${(onPostgres.postsPerSec / am.postsPerSec).toFixed(2)}; every repeat a write: ${(onPostgresWriting.postsPerSec / am.postsPerSec).toFixed(2)}`);
    console.log(
      `two instances/one on PostgreSQL: ${(twoOnPostgres.postsPerSec / onPostgres.postsPerSec).toFixed(2)}; every repeat a write: ${(twoOnPostgresWriting.postsPerSec / onPostgresWriting.postsPerSec).toFixed(2)} (the load generator, both instances and the server share the cores)`,
    );
  } else if (!postgres) console.log('PostgreSQL not installed (Debian package postgresql): its runs not measured');
  for (const p of paced.filter((r) => r.name.startsWith('Vigil'))) {
    console.log(`${p.name}: p99 accept latency ${p.p99ms} ms (target < 50 ms)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
