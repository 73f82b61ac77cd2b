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
 * `vigil serve` from dist/ on a free port (log level warn), with this database (a SQLite file or a postgres://
 * URL) and config file; resolves once /readyz answers (the store open and migrated).
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
    await waitReady(`${base}/readyz`, child, timeoutMs);
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

/**
 * A throwaway PostgreSQL 15 cluster in `work` on a free port (as the postgres user when root, which the server
 * requires), or null when the postgresql package is not installed. database() makes an empty database and
 * returns its URL.
 */
export async function startPostgres(work) {
  const bin = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'].find((d) => existsSync(`${d}/initdb`));
  if (!bin) return null;
  const { execFileSync } = await import('node:child_process');
  const { chmodSync, mkdirSync } = await import('node:fs');
  const dir = `${work}/pg`;
  mkdirSync(dir, { recursive: true });
  chmodSync(work, 0o777);
  chmodSync(dir, 0o777);
  const root = process.getuid?.() === 0;
  const run = (cmd, args) => (root ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' }));
  const port = await freePort();
  run(`${bin}/initdb`, ['-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  // Defaults otherwise: synchronous_commit=on, fsync=on (a commit waits for the WAL flush, like SQLite's FULL).
  run(`${bin}/pg_ctl`, ['-D', `${dir}/data`, '-l', `${dir}/server.log`, '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const { default: pg } = await import('pg');
  let n = 0;
  return {
    async database() {
      const name = `vigil_bench_${++n}`;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop() {
      run(`${bin}/pg_ctl`, ['-D', `${dir}/data`, '-m', 'fast', 'stop']);
    },
  };
}
