// npm run bench:scheduler — 10k open incidents with due reminders: tick duration and p99 lateness of the progress
// reminders. Target: p99 under 1 s. BENCH_INGEST=1 also measures ingest while the reminders fire. In one process, with
// the compiled modules in dist/: 10,000 critical incidents (the shipped rules: InstanceDown is critical,
// progressReminder 30m), left triggered; the manual clock then moves 15 min ahead first (the acknowledge SLAs and
// tier-2 escalations are due; ticks run until none is), then to exactly 30 min, so every reminder is due at once
// together with the tier-3 escalations, and scheduler ticks run back to back until no timer is due. The running
// scheduler wakes at the earliest due timer (jobs/scheduler.ts), so the first tick starts at the due instant:
// a reminder's lateness = the real time from the start of the first tick to the commit (or the end of the tick)
// that handled it, plus BENCH_CLOCK_LATE_MS (default 0; 1000 reproduces a scheduler that polls once a second). In
// the same run, a baseline: one tick with no due timers. Also shown: the same ticks spaced as the running service
// spaces them while timers are still due (50 ms apart). BENCH_STORE=postgres runs it all on a throwaway PostgreSQL
// cluster (synchronous_commit=on) instead of the SQLite file. BENCH_SAMPLE_MS sets how often the committed reminders are
// counted (default 20; each count is a query, on PostgreSQL one that costs the server about 6 ms).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { startPostgres } from './lib.js';
import { ManualClock } from '../dist/time/clock.js';
import { createLogger } from '../dist/observe/logger.js';
import { configFileSchema } from '../dist/config/schema.js';
import { fingerprintLabels } from '../dist/alerts/fingerprint.js';
import { createVigil } from '../dist/app/vigil.js';

const root = path.join(import.meta.dirname, '..');
const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 10_000);
const BATCH = 500;
const REMINDER_MS = 30 * 60_000;
const CLOCK_LATE_MS = Number(process.env.BENCH_CLOCK_LATE_MS ?? 0);
const TICK_GAP_MS = 50; // jobs/scheduler.ts MIN_WAIT_MS: the wait between ticks while timers are still due
const TARGET_P99_S = 1;
const BASELINE_TICKS = 5;
// How often the committed reminders are counted (BENCH_SAMPLE_MS). Each count is a query of its own: on PostgreSQL
// about 6 ms of the server's time, which every 20 ms took a third of what the server did while the reminders fired.
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 20);
const LIMIT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 10 * 60_000);
const START = Date.parse('2026-11-23T10:00:00Z');
// BENCH_INGEST=1: senders keep posting new alerts while the reminders fire, and once for as long with nothing due.
const INGEST_DURING = process.env.BENCH_INGEST === '1';
const INGEST_SENDERS = 4;
// BENCH_PROFILE=file.cpuprofile: a CPU profile of the ticks that handle the reminders, for DevTools.
const PROFILE = process.env.BENCH_PROFILE;

async function startProfile() {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const started = performance.now();
const overdue = () => performance.now() - started > LIMIT_MS;
// A tick that never returns still ends the run.
const watchdog = setTimeout(() => {
  console.error(`aborted: still running after ${(LIMIT_MS + 60_000) / 1000} s`);
  process.exit(2);
}, LIMIT_MS + 60_000);
watchdog.unref();

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const ms = (n) => n.toFixed(1);

/** A firing InstanceDown as the Alertmanager webhook door normalizes it: its own job, so its own incident. */
function alertFor(i, receivedAt) {
  const labels = { alertname: 'InstanceDown', instance: `host-${i}:9100`, job: `node-${i}`, severity: 'critical' };
  return {
    fingerprint: fingerprintLabels(labels),
    source: 'alertmanager',
    status: 'firing',
    labels,
    annotations: { summary: `host-${i} is not answering scrapes` },
    startsAt: receivedAt - 60_000,
    endsAt: null,
    expiresAt: null,
    generatorURL: null,
    links: [],
    values: null,
    rawSeverity: 'critical',
    receivedAt,
  };
}

/** New warning alerts of one group, 10 per request from each sender, until stop() (what ingest keeps doing). */
function ingestLoad(engine, clock) {
  let n = 0;
  let running = true;
  const started = performance.now();
  const sender = async () => {
    while (running) {
      const alerts = [];
      for (let i = 0; i < 10; i++) {
        const labels = { alertname: 'LoadWhileDue', instance: `load-${++n}:9100`, job: 'load', severity: 'warning' };
        alerts.push({ ...alertFor(0, clock.now()), labels, fingerprint: fingerprintLabels(labels), rawSeverity: 'warning' });
      }
      await engine.ingest(alerts);
    }
  };
  const senders = Array.from({ length: INGEST_SENDERS }, sender);
  return async () => {
    running = false;
    await Promise.all(senders);
    return n / ((performance.now() - started) / 1000);
  };
}

const work = mkdtempSync(path.join(tmpdir(), 'vigil-bench-scheduler-'));
const rulesDir = path.join(work, 'rules');
mkdirSync(rulesDir);
for (const name of readdirSync(path.join(root, 'rules'))) {
  if (name.endsWith('.yaml')) copyFileSync(path.join(root, 'rules', name), path.join(rulesDir, name));
}
const parsed = configFileSchema.parse({ rules: { dir: rulesDir } });
parsed.store.path = path.join(work, 'vigil.db');
const config = { ...parsed, auth: { ingestTokens: [], apiTokens: [] }, source: null };
const postgres = process.env.BENCH_STORE === 'postgres' ? await startPostgres(work) : null;
if (process.env.BENCH_STORE === 'postgres' && !postgres) throw new Error('BENCH_STORE=postgres: the postgresql package is not installed');
if (postgres) config.store.url = await postgres.database();

/** Reads beside Vigil's own connections (committed rows only): `?` placeholders, as the store's SQL has them. */
async function openReader() {
  if (!config.store.url) {
    const db = new Database(config.store.path, { readonly: true });
    return { rows: async (sql, ...args) => db.prepare(sql).all(...args), close: async () => db.close() };
  }
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: config.store.url });
  await c.connect();
  const numbered = (sql) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    rows: async (sql, ...args) => (await c.query(numbered(sql), args)).rows.map((r) => ('n' in r ? { ...r, n: Number(r.n) } : r)),
    close: () => c.end(),
  };
}

const clock = new ManualClock(START);
const vigil = createVigil(config, { clock, logger: createLogger('silent') });
let reader = null;

try {
  // ---- 10,000 triggered critical incidents, each paged with its timers set
  const ingestStarted = performance.now();
  for (let i = 0; i < INCIDENTS; i += BATCH) {
    const alerts = [];
    for (let j = i; j < Math.min(INCIDENTS, i + BATCH); j++) alerts.push(alertFor(j, clock.now()));
    await vigil.engine.ingest(alerts);
  }
  const ingestMs = performance.now() - ingestStarted;

  reader = await openReader();
  const count = async (sql, ...args) => (await reader.rows(sql, ...args))[0].n;
  const incidents = await count("SELECT COUNT(*) AS n FROM incidents WHERE status = 'triggered'");
  const timersByKind = await reader.rows('SELECT kind, COUNT(*) AS n FROM incident_timers GROUP BY kind ORDER BY kind');

  // The first tick after ingest checks every new firing alert against silences and inhibition once.
  let t0 = performance.now();
  await vigil.scheduler.tick();
  const firstTickMs = performance.now() - t0;

  // The shipped rules run restart-service (a dry run) for every InstanceDown incident when it opens. Those runs
  // end long before reminders are due (30 min later), so they are drained here, as the running service would.
  const openRuns = () => count("SELECT COUNT(*) AS n FROM runbook_runs WHERE status <> 'done'");
  const runbookRuns = await count('SELECT COUNT(*) AS n FROM runbook_runs');
  const drainStarted = performance.now();
  while ((await openRuns()) > 0 && !overdue()) {
    await vigil.scheduler.tick();
    await new Promise((r) => setTimeout(r, 20));
  }
  const drainMs = performance.now() - drainStarted;

  // ---- baseline: ticks with nothing due
  const idle = [];
  for (let i = 0; i < BASELINE_TICKS; i++) {
    t0 = performance.now();
    await vigil.scheduler.tick();
    idle.push(performance.now() - t0);
  }
  idle.sort((a, b) => a - b);

  // ---- 15 minutes on: every acknowledge SLA and tier-2 escalation is due (as the running service would see them)
  clock.set(START + REMINDER_MS / 2);
  const fifteen = performance.now();
  const fifteenDue = await count('SELECT COUNT(*) AS n FROM incident_timers WHERE due_at <= ?', clock.now());
  let fifteenTicks = 0;
  while ((await count('SELECT COUNT(*) AS n FROM incident_timers WHERE due_at <= ?', clock.now())) > 0 && !overdue()) {
    await vigil.scheduler.tick();
    fifteenTicks++;
  }
  const fifteenMs = performance.now() - fifteen;

  // ---- ingest with nothing due, as long as the reminders will take (about), for the comparison
  let ingestIdleRate = null;
  if (INGEST_DURING) {
    const stop = ingestLoad(vigil.engine, clock);
    await new Promise((r) => setTimeout(r, 3000));
    ingestIdleRate = await stop();
  }

  // ---- every reminder due at once, 1 s late
  clock.set(START + REMINDER_MS + CLOCK_LATE_MS);
  const now = clock.now();
  const dueAtStart = await reader.rows('SELECT kind, COUNT(*) AS n FROM incident_timers WHERE due_at <= ? GROUP BY kind ORDER BY kind', now);
  const duePending = () => count('SELECT COUNT(*) AS n FROM incident_timers WHERE due_at <= ?', now);
  const progressPending = () => count("SELECT COUNT(*) AS n FROM incident_timers WHERE kind = 'progress' AND due_at <= ?", now);
  const escalatePending = () => count("SELECT COUNT(*) AS n FROM incident_timers WHERE kind = 'escalate' AND due_at <= ?", now);
  const remindersDue = await progressPending();
  let escalationsLeft = await escalatePending();
  const escalationLateness = [];

  const profiling = PROFILE ? await startProfile() : null;
  const ticks = [];
  let remaining = remindersDue;
  let aborted = false;
  const firstTick = performance.now();
  const stopIngest = INGEST_DURING ? ingestLoad(vigil.engine, clock) : null;
  // Timers are committed in chunks (100 timers, a write per kind) inside a tick, and each commit wakes the dispatcher: sampling the
  // committed rows every SAMPLE_MS (another connection sees only committed writes) dates each reminder by its commit.
  const committed = [];
  let sampledLeft = remindersDue;
  let sampling = false;
  const sampler = setInterval(() => {
    if (sampling) return;
    sampling = true;
    void progressPending()
      .then((left) => {
        if (left < sampledLeft) committed.push({ atMs: performance.now() - firstTick, n: sampledLeft - left });
        sampledLeft = left;
      })
      .finally(() => (sampling = false));
  }, SAMPLE_MS);
  for (;;) {
    if (overdue()) {
      aborted = true;
      break;
    }
    const before = performance.now();
    await vigil.scheduler.tick();
    const after = performance.now();
    const left = await progressPending();
    ticks.push({ durationMs: after - before, endMs: after - firstTick, reminders: remaining - left });
    remaining = left;
    const escLeft = await escalatePending();
    for (let i = 0; i < escalationsLeft - escLeft; i++) escalationLateness.push((after - firstTick + CLOCK_LATE_MS) / 1000);
    escalationsLeft = escLeft;
    if ((await duePending()) === 0) break;
  }
  clearInterval(sampler);
  while (sampling) await new Promise((r) => setTimeout(r, 5));
  if (profiling) await profiling.stop(PROFILE);
  const ingestDueRate = stopIngest ? await stopIngest() : null;
  const lastLeft = await progressPending();
  if (lastLeft < sampledLeft) committed.push({ atMs: performance.now() - firstTick, n: sampledLeft - lastLeft });
  const byCommit = committed.flatMap((c) => Array.from({ length: c.n }, () => (c.atMs + CLOCK_LATE_MS) / 1000)).sort((a, b) => a - b);
  const totalMs = performance.now() - firstTick;

  // Lateness of each reminder: back to back as measured, and spaced as the running scheduler spaces ticks.
  const interval = config.scheduler.interval;
  const lateness = [];
  const paced = [];
  let pacedStart = 0;
  for (const t of ticks) {
    const pacedEnd = pacedStart + t.durationMs;
    for (let i = 0; i < t.reminders; i++) {
      lateness.push((t.endMs + CLOCK_LATE_MS) / 1000);
      paced.push((pacedEnd + CLOCK_LATE_MS) / 1000);
    }
    pacedStart = pacedEnd + TICK_GAP_MS;
  }
  lateness.sort((a, b) => a - b);
  paced.sort((a, b) => a - b);
  const durations = ticks.map((t) => t.durationMs).sort((a, b) => a - b);
  const reminderTicks = ticks.filter((t) => t.reminders > 0);

  const afterIdle = [];
  if (!aborted) {
    for (let i = 0; i < BASELINE_TICKS; i++) {
      t0 = performance.now();
      await vigil.scheduler.tick();
      afterIdle.push(performance.now() - t0);
    }
    afterIdle.sort((a, b) => a - b);
  }

  const reminderEvents = await count("SELECT COUNT(*) AS n FROM timeline WHERE kind = 'progress_reminder'");
  const reminderMessages = await count("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'reminder'");
  const byKind = await reader.rows('SELECT kind, COUNT(*) AS n FROM notifications GROUP BY kind ORDER BY kind');
  const p99 = percentile(lateness, 99);

  const kinds = (rows) => rows.map((r) => `${r.kind} ${r.n.toLocaleString('en')}`).join(', ');
  console.log(
    `${incidents.toLocaleString('en')} triggered critical incidents (ingested in ${(ingestMs / 1000).toFixed(1)} s); ` +
      `store ${config.store.url ? 'PostgreSQL (synchronous_commit=on)' : `SQLite synchronous=${config.store.synchronous}`}; scheduler.interval ${interval} ms; timers: ${kinds(timersByKind)}`,
  );
  console.log(`runbook runs at incident creation (dry runs of restart-service): ${runbookRuns.toLocaleString('en')}, drained in ${(drainMs / 1000).toFixed(1)} s before the clock moves`);
  console.log(
    `clock moved 15 min ahead: ${fifteenDue.toLocaleString('en')} timers (acknowledge SLAs, tier-2 escalations) handled in ${fifteenTicks} ticks, ${(fifteenMs / 1000).toFixed(1)} s`,
  );
  console.log(`clock moved to ${REMINDER_MS / 60_000} min ${CLOCK_LATE_MS / 1000} s (lateness counted from the due time); due at once: ${kinds(dueAtStart)}`);
  console.table({
    'first tick after ingest (suppression pass)': { ticks: 1, 'total ms': ms(firstTickMs), 'p50 ms': ms(firstTickMs), 'p99 ms': ms(firstTickMs), 'max ms': ms(firstTickMs) },
    'baseline: nothing due': { ticks: idle.length, 'total ms': ms(idle.reduce((a, b) => a + b, 0)), 'p50 ms': ms(percentile(idle, 50)), 'p99 ms': ms(percentile(idle, 99)), 'max ms': ms(idle.at(-1)) },
    'until nothing due': { ticks: ticks.length, 'total ms': ms(totalMs), 'p50 ms': ms(percentile(durations, 50)), 'p99 ms': ms(percentile(durations, 99)), 'max ms': ms(durations.at(-1) ?? NaN) },
    ...(afterIdle.length
      ? { 'afterwards: nothing due': { ticks: afterIdle.length, 'total ms': ms(afterIdle.reduce((a, b) => a + b, 0)), 'p50 ms': ms(percentile(afterIdle, 50)), 'p99 ms': ms(percentile(afterIdle, 99)), 'max ms': ms(afterIdle.at(-1)) } }
      : {}),
  });
  console.log(
    `reminders handled in ticks ${reminderTicks.length ? `${ticks.indexOf(reminderTicks[0]) + 1}-${ticks.indexOf(reminderTicks.at(-1)) + 1}` : '-'} of ${ticks.length} ` +
      `(timers are handled in due order, in chunks of 100, until none is due or the tick has run 3 s)`,
  );
  console.log(
    `reminder lateness by tick end, ticks back to back (s): p50 ${percentile(lateness, 50).toFixed(2)}, p99 ${p99.toFixed(2)}, max ${(lateness.at(-1) ?? NaN).toFixed(2)}; ` +
      `p99 / target (${TARGET_P99_S} s): ${(p99 / TARGET_P99_S).toFixed(2)}${p99 < TARGET_P99_S ? ' (met)' : ' (missed)'}`,
  );
  console.log(
    `reminder lateness by commit (sampled every ${SAMPLE_MS} ms; the dispatcher is woken by each commit) (s): p50 ${percentile(byCommit, 50).toFixed(2)}, ` +
      `p99 ${percentile(byCommit, 99).toFixed(2)}, max ${(byCommit.at(-1) ?? NaN).toFixed(2)}; p99 / target (${TARGET_P99_S} s): ` +
      `${(percentile(byCommit, 99) / TARGET_P99_S).toFixed(2)}${percentile(byCommit, 99) < TARGET_P99_S ? ' (met)' : ' (missed)'}`,
  );
  escalationLateness.sort((a, b) => a - b);
  if (escalationLateness.length) {
    console.log(
      `tier-3 escalations due at the same instant (handled after the reminders, due order): lateness p50 ${percentile(escalationLateness, 50).toFixed(2)} s, ` +
        `p99 ${percentile(escalationLateness, 99).toFixed(2)} s`,
    );
  }
  console.log(
    `reminder lateness, ticks ${TICK_GAP_MS} ms apart as the service runs them while timers are due (s): p50 ${percentile(paced, 50).toFixed(2)}, ` +
      `p99 ${percentile(paced, 99).toFixed(2)}, max ${(paced.at(-1) ?? NaN).toFixed(2)}`,
  );
  console.log(
    `progress reminders: ${lateness.length.toLocaleString('en')} of ${remindersDue.toLocaleString('en')} due handled; ` +
      `${reminderEvents.toLocaleString('en')} progress_reminder timeline events; ${reminderMessages.toLocaleString('en')} reminder notifications written ` +
      `(${(reminderMessages / Math.max(1, reminderEvents)).toFixed(1)} per reminder); outbox by kind: ${kinds(byKind)}`,
  );
  if (ingestIdleRate !== null) {
    console.log(
      `ingest while the reminders fire (${INGEST_SENDERS} senders, 10 new alerts per request): ${Math.round(ingestDueRate)} alerts/s, ` +
        `against ${Math.round(ingestIdleRate)} alerts/s with nothing due (ratio ${(ingestDueRate / ingestIdleRate).toFixed(2)})`,
    );
  }
  if (aborted) console.log(`aborted after ${LIMIT_MS / 1000} s with ${remaining.toLocaleString('en')} reminders still due`);
  if (aborted || lateness.length !== remindersDue || reminderEvents !== remindersDue) process.exitCode = 1;
} finally {
  await reader?.close();
  await vigil.close();
  postgres?.stop();
  rmSync(work, { recursive: true, force: true });
}
