// npm run bench:report — the incident report (GET /api/v1/reports/summary) over 200,000 incidents while
// bench:ingest's workload runs. Seeds a week of incidents with their timelines, alerts and pages straight
// into a fresh SQLite file (the real schema, from the migrations; bench/report-seed.js), starts Vigil on it,
// times one report on an idle Vigil, then measures ingest throughput in rounds of three runs: alone, with
// reports requested back to back, and with three report clients at once (the machine's speed drifts by more
// than the effect measured, so the runs alternate and the figures are means over the rounds). It prints the
// longest event-loop stall inside Vigil in each kind of run (prom-client's nodejs_eventloop_lag_max_seconds,
// the maximum since the previous scrape, folded over every scrape), the report steps and how long they kept
// the event loop (vigil_report_step_seconds), each report's duration and size, and Vigil's peak RSS (VmHWM).
// BENCH_INCIDENTS sets the number of incidents (default 200,000), BENCH_SECONDS each run's length (10),
// BENCH_ROUNDS the number of rounds (3).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { load, startVigil, stop, summarize } from './lib.js';
import { seedDatabase } from './report-seed.js';

const root = path.join(import.meta.dirname, '..');
const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 200_000);
const duration = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ALERTS = 10;

// ---- the ingest workload of bench:ingest (200 rotating bodies of 10 alerts)

const bodies = Array.from({ length: 200 }, (_, b) =>
  JSON.stringify(
    Array.from({ length: ALERTS }, (_, i) => ({
      labels: { alertname: `Bench${b % 20}`, service: `svc-${b % 7}`, instance: `host-${b}-${i}:9100`, severity: i % 3 ? 'warning' : 'critical', job: 'node' },
      annotations: { summary: `bench alert ${b}/${i}`, description: 'CPU above threshold for 5m on this instance' },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
    })),
  ),
);

/**
 * Reads Vigil's metrics. Every scrape also resets prom-client's nodejs_eventloop_lag_max_seconds
 * (the longest event-loop delay since the previous scrape), so each scrape folds it into `stall`.
 */
const stall = { maxMs: 0 };
async function scrape(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (n) => {
    const line = text.split('\n').find((l) => l.startsWith(`${n} `));
    return line ? Number(line.split(' ')[1]) : null;
  };
  stall.maxMs = Math.max(stall.maxMs, Math.round(value('nodejs_eventloop_lag_max_seconds') * 1000));
  // The report steps' histogram: cumulative counts by upper bound (s).
  const steps = [...text.matchAll(/^vigil_report_step_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  return { value, steps };
}

/** The report steps between two scrapes: how many, how many over 10 ms, the p99 and the longest (histogram bucket bounds, s). */
function stepsBetween(before, after) {
  const counts = after.steps.map(([le, n], k) => [le, n - (before.steps[k]?.[1] ?? 0)]);
  const steps = counts.at(-1)?.[1] ?? 0;
  const bound = (q) => counts.find(([, n]) => n >= q * steps)?.[0] ?? 0;
  return { steps, over10ms: steps - (counts.find(([le]) => le === 0.01)?.[1] ?? 0), p99: steps ? bound(0.99) : 0, longest: steps ? bound(1) : 0 };
}

const bucket = (le) => (le === 0 ? '' : le === Infinity ? '> 250 ms' : `≤ ${Math.round(le * 1000)} ms`);

const peakRssMB = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

/** Requests reports back to back from `clients` clients until stopped; each report's time and size. */
function reporter(base, clients) {
  const runs = [];
  let stopping = false;
  const client = async () => {
    while (!stopping) {
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1/reports/summary?since=8d`);
      const body = await res.text();
      runs.push({ status: res.status, ms: performance.now() - t0, bytes: Buffer.byteLength(body) });
      if (res.status === 503) await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
    }
  };
  const all = Promise.all(Array.from({ length: clients }, client));
  return {
    runs,
    async stop() {
      stopping = true;
      await all;
      return runs;
    },
  };
}

/** One ingest run of `duration` seconds, with the longest event-loop stall seen inside Vigil during it. */
async function ingestRun(base, label, during) {
  const before = await scrape(base);
  stall.maxMs = 0;
  const extra = during?.();
  const r = await load(`${base}/api/v2/alerts`, bodies, { duration });
  const after = await scrape(base);
  const maxStallMs = stall.maxMs;
  // Reports still running finish without ingest; the stalls after the load do not count.
  const reports = extra ? await extra.stop() : [];
  return { ...summarize(label, r, ALERTS), maxStallMs, steps: stepsBetween(before, after), reports };
}

const work = mkdtempSync(path.join(tmpdir(), 'vigil-bench-report-'));
try {
  const db = path.join(work, 'vigil.db');
  const seededAt = Date.now();
  const counts = await seedDatabase(db, INCIDENTS, seededAt);
  console.log(
    `seeded ${INCIDENTS.toLocaleString('en')} incidents, ${counts.events.toLocaleString('en')} timeline events, ${counts.alerts.toLocaleString('en')} alerts, ${counts.pages.toLocaleString('en')} pages in ${((Date.now() - seededAt) / 1000).toFixed(1)} s`,
  );

  const { child, base } = await startVigil({ db, config: path.join(root, 'vigil.yaml'), timeoutMs: 60_000 });
  try {
    // One report on its own, Vigil otherwise idle (after its start-up work).
    await new Promise((r) => setTimeout(r, 5000));
    const startPeak = peakRssMB(child.pid);
    const quiet = await scrape(base);
    stall.maxMs = 0;
    const t0 = performance.now();
    const res = await fetch(`${base}/api/v1/reports/summary?since=8d`);
    const single = { ms: performance.now() - t0, bytes: Buffer.byteLength(await res.text()) };
    const singleSteps = stepsBetween(quiet, await scrape(base));
    const singleStall = stall.maxMs;
    const singlePeak = peakRssMB(child.pid);

    // Warm-up: the bench's incidents exist and the code is hot from here on. The machine's speed drifts by more
    // than the effect measured, so the runs alternate, and the figures are means over the rounds.
    await load(`${base}/api/v2/alerts`, bodies, { duration: 10 });
    const runs = { alone: [], one: [], three: [] };
    let alonePeak = 0;
    for (let round = 0; round < ROUNDS; round++) {
      runs.alone.push(await ingestRun(base, 'ingest alone'));
      alonePeak = Math.max(alonePeak, peakRssMB(child.pid));
      runs.one.push(await ingestRun(base, 'ingest + reports back to back', () => reporter(base, 1)));
      runs.three.push(await ingestRun(base, 'ingest + 3 report clients at once', () => reporter(base, 3)));
    }
    const peak = peakRssMB(child.pid);

    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const table = Object.values(runs).map((rs) => {
      const reports = rs.flatMap((r) => r.reports).filter((x) => x.status === 200);
      return {
        name: rs[0].name,
        alertsPerSec: Math.round(mean(rs.map((r) => r.alertsPerSec))),
        'runs (alerts/s)': rs.map((r) => r.alertsPerSec).join(' '),
        p99ms: Math.max(...rs.map((r) => r.p99ms)),
        maxStallMs: Math.max(...rs.map((r) => r.maxStallMs)),
        reports: reports.length,
        refused503: rs.flatMap((r) => r.reports).filter((x) => x.status === 503).length,
        reportMs: reports.length ? `${Math.round(Math.min(...reports.map((x) => x.ms)))}–${Math.round(Math.max(...reports.map((x) => x.ms)))}` : '',
        'report steps': rs.reduce((a, r) => a + r.steps.steps, 0) || '',
        'steps > 10 ms': reports.length ? rs.reduce((a, r) => a + r.steps.over10ms, 0) : '',
        'step p99': bucket(Math.max(...rs.map((r) => r.steps.p99))),
        'longest step': bucket(Math.max(...rs.map((r) => r.steps.longest))),
      };
    });
    console.table(table);
    const [alone, one, three] = table;
    const ok = [...runs.one, ...runs.three].flatMap((r) => r.reports).filter((x) => x.status === 200);
    console.log(
      `one report, Vigil idle: ${Math.round(single.ms)} ms, ${(single.bytes / 1024).toFixed(1)} KB, ${singleSteps.steps} steps (p99 ${bucket(singleSteps.p99)}, ${singleSteps.over10ms} over 10 ms, longest ${bucket(singleSteps.longest)}), longest event-loop stall ${singleStall} ms`,
    );
    for (const run of [one, three]) {
      console.log(`${run.name}: ${run.alertsPerSec.toLocaleString('en')} alerts/s against ${alone.alertsPerSec.toLocaleString('en')} alone, ratio ${(run.alertsPerSec / alone.alertsPerSec).toFixed(2)} (target ≥ 0.9)`);
    }
    console.log(
      `longest event-loop stall: ${Math.max(one.maxStallMs, three.maxStallMs)} ms with reports (target < 50 ms), ${alone.maxStallMs} ms without`,
    );
    console.log(
      `report under ingest: ${ok.length} answered, ${Math.round(Math.min(...ok.map((x) => x.ms)))}–${Math.round(Math.max(...ok.map((x) => x.ms)))} ms each (waiting included), ${(Math.max(...ok.map((x) => x.bytes)) / 1024).toFixed(1)} KB`,
    );
    console.log(
      `Vigil peak RSS: ${Math.round(startPeak)} MB after start-up, ${Math.round(singlePeak)} MB after one report, ${Math.round(alonePeak)} MB after the first ingest runs, ${Math.round(peak)} MB at the end`,
    );
  } finally {
    await stop(child);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
