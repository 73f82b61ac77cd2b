// npm run bench:console — the console's live updates under load: ingest alerts/s with 200 event streams open
// against the same run with none (target ≥ 0.9), the time from an alert's 202 to its event on every stream
// (p99 target < 1 s), and the board's first page with 10,000 open incidents (target < 200 ms).
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, load, start, stop, summarize, waitReady } from './lib.js';

const root = path.join(import.meta.dirname, '..');
const duration = Number(process.env.BENCH_SECONDS ?? 10);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);
const ALERTS = 10;
const TOKEN = 'bench-api-token';
const auth = { authorization: `Bearer ${TOKEN}` };

// bench:ingest's workload: 200 payloads of 10 alerts, re-sent in rotation.
const now = Date.now();
const bodies = Array.from({ length: 200 }, (_, b) =>
  JSON.stringify(
    Array.from({ length: ALERTS }, (_, i) => ({
      labels: { alertname: `Bench${b % 20}`, service: `svc-${b % 7}`, instance: `host-${b}-${i}:9100`, severity: i % 3 ? 'warning' : 'critical', job: 'node' },
      annotations: { summary: `bench alert ${b}/${i}` },
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
    })),
  ),
);

const work = mkdtempSync(path.join(tmpdir(), 'vigil-bench-console-'));
let runs = 0;

async function startVigil() {
  const port = await freePort();
  const child = start(process.execPath, [path.join(root, 'dist/cli/main.js'), 'serve'], {
    VIGIL_PORT: String(port),
    VIGIL_DB: path.join(work, `vigil-${++runs}.db`),
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_API_TOKEN: TOKEN,
    VIGIL_CONFIG: path.join(root, 'vigil.yaml'),
  });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/healthz`, child);
  return { child, base, port };
}

/** Opens an event stream; calls onBatch with each `incidents` batch's data (parsed lazily by the caller). */
function openStream(port, onData) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { accept: 'text/event-stream', ...auth } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream: ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.includes('event: incidents')) onData(block);
        }
      });
      resolve(req);
    });
    req.on('error', reject);
    req.end();
  });
}

const post = (base, pathname, body) =>
  fetch(base + pathname, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });

async function ingestRun(label, streams) {
  const { child, base, port } = await startVigil();
  const opened = [];
  const latencies = [];
  const waiting = new Map(); // probe name -> { at, seen }
  try {
    for (let i = 0; i < streams; i++) {
      opened.push(
        await openStream(port, (block) => {
          for (const [name, probe] of waiting) {
            if (!block.includes(name)) continue;
            latencies.push(performance.now() - probe.at);
            if (++probe.seen === streams) waiting.delete(name);
          }
        }),
      );
    }
    await load(`${base}/api/v2/alerts`, bodies, { duration: 2 });
    // While the load runs: a new incident every 200 ms, timed from its 202 to its event on every stream.
    let probes = 0;
    let running = true;
    const prober = (async () => {
      while (running) {
        const name = `ConsoleProbe${++probes}`;
        const res = await post(base, '/api/v1/alerts/alertmanager', {
          version: '4',
          status: 'firing',
          alerts: [{ status: 'firing', labels: { alertname: name, service: 'probe', severity: 'critical' }, startsAt: new Date().toISOString() }],
        });
        if (res.status === 202 && streams > 0) waiting.set(name, { at: performance.now(), seen: 0 });
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const result = summarize(label, await load(`${base}/api/v2/alerts`, bodies, { duration }), ALERTS);
    running = false;
    await prober;
    await new Promise((r) => setTimeout(r, 1500));
    latencies.sort((a, b) => a - b);
    const pct = (p) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]) : null);
    return { ...result, probes, eventsTimed: latencies.length, eventP50ms: pct(50), eventP99ms: pct(99), unseen: [...waiting.values()].reduce((n, p) => n + streams - p.seen, 0) };
  } finally {
    for (const r of opened) r.destroy();
    await stop(child);
  }
}

async function boardRun() {
  const { child, base } = await startVigil();
  try {
    // 10,000 open incidents: 1,000 webhooks of 10 alerts, each alert its own alertname (its own incident).
    for (let b = 0; b < 1000; b++) {
      const severity = ['critical', 'warning', 'reminder', 'info'][b % 4];
      const res = await post(base, '/api/v1/alerts/alertmanager', {
        version: '4',
        status: 'firing',
        alerts: Array.from({ length: 10 }, (_, i) => ({ status: 'firing', labels: { alertname: `Seed${b}_${i}`, service: `svc-${b % 50}`, team: 'platform', severity }, startsAt: new Date().toISOString() })),
      });
      if (res.status !== 202) throw new Error(`seed: ${res.status}`);
    }
    const times = { board: [], filtered: [] };
    for (let i = 0; i < 40; i++) {
      for (const [key, query] of [
        ['board', 'status=open&sort=urgency&counts=true&limit=50'],
        ['filtered', 'status=open&sort=urgency&counts=true&limit=50&severity=critical&q=seed12'],
      ]) {
        const t = performance.now();
        const res = await fetch(`${base}/api/v1/incidents?${query}`, { headers: auth });
        const body = await res.json();
        times[key].push(performance.now() - t);
        if (i === 0 && key === 'board' && body.counts.open !== 10_000) throw new Error(`expected 10,000 open, got ${body.counts.open}`);
      }
    }
    const p = (list, q) => Math.round(list.sort((a, b) => a - b)[Math.floor(q * (list.length - 1))] * 10) / 10;
    return { boardP50ms: p(times.board, 0.5), boardP99ms: p(times.board, 0.99), filteredP50ms: p(times.filtered, 0.5), filteredP99ms: p(times.filtered, 0.99) };
  } finally {
    await stop(child);
  }
}

try {
  const without = await ingestRun('Vigil, no event streams', 0);
  const withStreams = await ingestRun(`Vigil, ${STREAMS} event streams`, STREAMS);
  console.table([without, withStreams]);
  console.log(`ingest with ${STREAMS} streams / without: ${(withStreams.alertsPerSec / without.alertsPerSec).toFixed(2)} (target ≥ 0.9)`);
  console.log(`202 → event on every stream: p50 ${withStreams.eventP50ms} ms, p99 ${withStreams.eventP99ms} ms over ${withStreams.eventsTimed} deliveries (target p99 < 1000 ms); not seen: ${withStreams.unseen}`);
  const board = await boardRun();
  console.log(`board first page, 10,000 open incidents: p50 ${board.boardP50ms} ms, p99 ${board.boardP99ms} ms (target < 200 ms); filtered by severity and text: p50 ${board.filteredP50ms} ms, p99 ${board.filteredP99ms} ms`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
