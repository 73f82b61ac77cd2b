// Shared helpers for the benchmarks: start processes, wait for readiness, run autocannon.
import { spawn } from 'node:child_process';
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
