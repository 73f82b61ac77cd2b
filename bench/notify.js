// npm run bench:notify — page latency: critical alerts at 100 POSTs/s (each its own incident), time from the
// ingest answer (202) to the webhook provider's receipt, as p50/p90/p99/max. Target: p99 under 1 s.
// In the same run, a baseline: a bare node:http forwarder that POSTs each alert straight on to the same fake
// provider, the floor of two local HTTP hops. Everything listens on 127.0.0.1.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { startVigil, stop } from './lib.js';

const root = path.join(import.meta.dirname, '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = 100;
const TARGET_P99_MS = 1000;
const DELIVERY_TIMEOUT_MS = 30_000;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs a JSON body over loopback; resolves with the status once the answer has been read. */
function post(port, pathname, body) {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, path: pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

const readBody = (req) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const close = (server) => new Promise((resolve) => {
  server.closeAllConnections?.();
  server.close(() => resolve());
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The fake provider: 200 to POST /hook; the first receipt per incident id is what counts (a retry is not a page).
let receipts = new Map();
const provider = http.createServer(async (req, res) => {
  const at = Date.now();
  const body = await readBody(req).catch(() => '');
  if (req.method !== 'POST' || req.url !== '/hook') {
    res.writeHead(404).end();
    return;
  }
  try {
    const incident = JSON.parse(body).incident;
    if (incident && !receipts.has(incident.id)) receipts.set(incident.id, { at, title: incident.title });
  } catch {
    // not JSON: answered, not counted
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
});

const seqOf = (title) => {
  const m = /^bench page (\d+)$/.exec(title ?? '');
  return m ? Number(m[1]) : null;
};

const alertBody = (n) =>
  JSON.stringify({
    version: '4',
    receiver: 'vigil',
    status: 'firing',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    alerts: [
      {
        status: 'firing',
        labels: { alertname: `BenchPage${n}`, service: 'bench', instance: `host-${n}:9100`, severity: 'critical' },
        annotations: { summary: `bench page ${n}` },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
      },
    ],
  });

/**
 * Open loop: request n is sent at start + n/RATE whatever happened to the earlier ones, so a slow answer
 * shows up as latency rather than as a lower rate. Returns the time each POST was answered 202, by sequence.
 */
async function drive(port, pathname) {
  const total = Math.round(seconds * RATE);
  const ingested = new Map();
  const failures = [];
  const inflight = [];
  const t0 = Date.now() + 50;
  for (let n = 0; n < total; n++) {
    const wait = t0 + (n * 1000) / RATE - Date.now();
    if (wait > 0) await sleep(wait);
    inflight.push(
      post(port, pathname, alertBody(n)).then(
        (status) => {
          if (status === 202) ingested.set(n, Date.now());
          else failures.push(`HTTP ${status}`);
        },
        (err) => failures.push(err.message),
      ),
    );
  }
  await Promise.all(inflight);
  const sentFor = (Date.now() - t0) / 1000;
  return { total, ingested, failures, sentFor };
}

/** Waits (bounded) until the provider has a receipt for every ingested sequence number. */
async function awaitDeliveries(ingested) {
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  for (;;) {
    const seen = new Set([...receipts.values()].map((r) => seqOf(r.title)));
    const missing = [...ingested.keys()].filter((n) => !seen.has(n));
    if (missing.length === 0 || Date.now() > deadline) return missing.length;
    await sleep(100);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function stats(name, run, missing) {
  const latencies = [];
  for (const r of receipts.values()) {
    const n = seqOf(r.title);
    const at = n === null ? undefined : run.ingested.get(n);
    if (at !== undefined) latencies.push(r.at - at);
  }
  latencies.sort((a, b) => a - b);
  return {
    name,
    sent: run.total,
    'rate/s': Math.round(run.total / run.sentFor),
    accepted: run.ingested.size,
    delivered: latencies.length,
    missing,
    errors: run.failures.length,
    p50ms: percentile(latencies, 50),
    p90ms: percentile(latencies, 90),
    p99ms: percentile(latencies, 99),
    maxms: latencies.length ? latencies[latencies.length - 1] : NaN,
  };
}

async function baselineRun(providerPort) {
  receipts = new Map();
  let id = 0;
  const forwarder = http.createServer(async (req, res) => {
    const body = await readBody(req);
    let title = null;
    try {
      title = JSON.parse(body).alerts?.[0]?.annotations?.summary ?? null;
    } catch {
      res.writeHead(400).end();
      return;
    }
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}');
    post(providerPort, '/hook', { incident: { id: ++id, title } }).catch((err) => console.error(`forward failed: ${err.message}`));
  });
  const port = await listen(forwarder);
  try {
    const run = await drive(port, '/');
    const missing = await awaitDeliveries(run.ingested);
    return stats('bare node:http forwarder (2 hops)', run, missing);
  } finally {
    await close(forwarder);
  }
}

/** A config and rules dir in which critical incidents page the on-call role by webhook only. */
function writeSetup(dir, providerPort) {
  const rules = path.join(dir, 'rules');
  mkdirSync(rules);
  const policies = parse(readFileSync(path.join(root, 'rules', '00-policies.yaml'), 'utf8'));
  policies.policies.critical.notify = [{ role: 'oncall', channels: ['webhook'] }];
  writeFileSync(path.join(rules, '00-policies.yaml'), stringify(policies));
  writeFileSync(
    path.join(rules, '20-people.yaml'),
    stringify({
      people: [{ id: 'dana', name: 'Dana Oncall', email: 'dana@example.com' }],
      teams: [{ name: 'ops', members: ['dana'], roles: { oncall: ['dana'], owner: ['dana'] } }],
      defaultTeam: 'ops',
    }),
  );
  const config = path.join(dir, 'vigil.yaml');
  writeFileSync(
    config,
    stringify({
      rules: { dir: 'rules' },
      scheduler: { interval: '200ms' },
      notify: {
        webhook: { url: `http://127.0.0.1:${providerPort}/hook`, secret: 's3cret', timeout: '2s' },
        retry: { attempts: 5, initialDelay: '200ms', maxDelay: '1s' },
      },
    }),
  );
  return config;
}

async function vigilRun(work, providerPort) {
  receipts = new Map();
  const { child, port } = await startVigil({ db: path.join(work, 'vigil.db'), config: writeSetup(work, providerPort) });
  try {
    const run = await drive(port, '/api/v1/alerts/alertmanager');
    const missing = await awaitDeliveries(run.ingested);
    return stats('Vigil (outbox → webhook)', run, missing);
  } finally {
    await stop(child);
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'vigil-bench-notify-'));
const providerPort = await listen(provider);
try {
  console.log(`${RATE} critical alerts/s for ${seconds} s, one incident each; latency = provider receipt − ingest answer (ms)`);
  const baseline = await baselineRun(providerPort);
  const vigil = await vigilRun(work, providerPort);
  console.table([baseline, vigil]);
  console.log(`Vigil p99 / target (${TARGET_P99_MS} ms): ${(vigil.p99ms / TARGET_P99_MS).toFixed(3)}${vigil.p99ms < TARGET_P99_MS ? ' (met)' : ' (missed)'}`);
  console.log(`Vigil p99 − baseline p99: ${vigil.p99ms - baseline.p99ms} ms`);
  if (vigil.missing > 0 || vigil.errors > 0) {
    console.log(`Vigil: ${vigil.missing} accepted alerts never reached the provider within ${DELIVERY_TIMEOUT_MS / 1000} s; ${vigil.errors} POSTs not answered 202`);
    process.exitCode = 1;
  }
} finally {
  agent.destroy();
  await close(provider);
  rmSync(work, { recursive: true, force: true });
}
