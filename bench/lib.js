// Shared helpers for the benchmarks: start processes, wait for readiness, run autocannon.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function start(cmd, args, env = {}) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  child.errors = () => err;
  return child;
}

export async function waitReady(url, child, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`process exited: ${child.errors?.()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`not ready: ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

/** Runs autocannon against url with a rotating pool of JSON bodies (strings, or functions that make one). */
export function load(url, bodies, { connections = 50, duration = 10, overallRate, headers = {} } = {}) {
  let i = 0;
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url,
        method: 'POST',
        connections,
        duration,
        overallRate,
        headers: { 'content-type': 'application/json', ...headers },
        requests: [
          {
            setupRequest(req) {
              const body = bodies[i++ % bodies.length];
              req.body = typeof body === 'function' ? body() : body;
              return req;
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    autocannon.track(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

export function summarize(name, result, alertsPerPost) {
  const ok = result['2xx'];
  const secs = result.duration;
  return {
    name,
    postsPerSec: Math.round(ok / secs),
    alertsPerSec: Math.round((ok * alertsPerPost) / secs),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const root = new URL('..', import.meta.url).pathname;

/**
 * `vigil serve` from dist/ on a free port (log level warn), with this SQLite file and config file; resolves
 * once /healthz answers.
 */
export async function startVigil({ db, config, env = {}, timeoutMs, nodeArgs = [] }) {
  const port = await freePort();
  const child = start(process.execPath, [...nodeArgs, `${root}dist/cli/main.js`, 'serve'], {
    VIGIL_PORT: String(port),
    VIGIL_DB: db,
    VIGIL_LOG_LEVEL: 'warn',
    ...(config ? { VIGIL_CONFIG: config } : {}),
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${base}/healthz`, child, timeoutMs);
  } catch (err) {
    await stop(child);
    throw err;
  }
  return { child, base, port };
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

/** A bare node:http server that only parses each JSON body: the baseline of the ingest benchmarks. */
export async function startBare(work) {
  const port = await freePort();
  const file = `${work}/bare.cjs`;
  writeFileSync(file, bareSource);
  const child = start(process.execPath, [file], { PORT: String(port) });
  const url = `http://127.0.0.1:${port}/`;
  for (const deadline = Date.now() + 10_000; ; ) {
    try {
      if ((await fetch(url, { method: 'POST', body: '{}' })).ok) return { child, url };
    } catch {
      if (Date.now() > deadline) {
        await stop(child);
        throw new Error('bare server did not start');
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Alertmanager from the Debian package (in memory, not durable) with this route, or null when not installed. */
export async function startAlertmanager(work, route, dataDir) {
  const bin = ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager'].find((b) => existsSync(b));
  if (!bin) return null;
  const port = await freePort();
  const cfg = `${work}/am.yml`;
  writeFileSync(cfg, `route:\n  receiver: blackhole\n${route}receivers:\n  - name: blackhole\n`);
  const child = start(bin, [`--config.file=${cfg}`, `--storage.path=${work}/${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=']);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${base}/-/ready`, child);
  } catch (err) {
    await stop(child);
    throw err;
  }
  return { child, base };
}
