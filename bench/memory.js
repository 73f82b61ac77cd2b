// npm run bench:memory — RSS of Vigil holding 100k open alerts (target: under 150 MB), measured against the
// same process before any alert arrived, and after every alert was repeated once (the state cache full).
// BENCH_NODE_ARGS passes V8 flags to the Vigil process (e.g. --max-semi-space-size=2) to compare tunings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startVigil, stop } from './lib.js';

const TOTAL = Number(process.env.BENCH_ALERTS ?? 100_000);
const PER_POST = 100;
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 150);
const work = mkdtempSync(path.join(tmpdir(), 'vigil-bench-mem-'));

async function memory(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const mb = (name) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN) / 1024 / 1024;
  return { rss: mb('process_resident_memory_bytes'), heapTotal: mb('nodejs_heap_size_total_bytes'), heapUsed: mb('nodejs_heap_size_used_bytes'), external: mb('nodejs_external_memory_bytes') };
}
const rounded = (m) => ({ rssMB: Math.round(m.rss), heapTotalMB: Math.round(m.heapTotal), heapUsedMB: Math.round(m.heapUsed), externalMB: Math.round(m.external) });

const { child, base } = await startVigil({ db: path.join(work, 'vigil.db'), nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [] });
try {
  const idle = await memory(base);
  const endsAt = new Date(Date.now() + 24 * 3_600_000).toISOString();
  const send = async (from) => {
    const alerts = Array.from({ length: PER_POST }, (_, i) => ({
      labels: { alertname: `Mem${(from + i) % 500}`, service: `svc-${(from + i) % 50}`, instance: `host-${from + i}:9100`, severity: 'warning' },
      annotations: { summary: `memory bench alert ${from + i}`, description: 'a typical description of a typical alert' },
      startsAt: new Date().toISOString(),
      endsAt,
    }));
    const res = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  };
  const started = Date.now();
  for (let pass = 0; pass < 2; pass++) {
    for (let from = 0; from < TOTAL; from += PER_POST * 8) {
      await Promise.all(Array.from({ length: 8 }, (_, k) => from + k * PER_POST).filter((f) => f < TOTAL).map(send));
    }
  }
  const loaded = await memory(base);
  const loadedFor = Date.now() - started;
  // V8 gives the storm's garbage back once allocation quiets down (its memory reducer, within about a minute):
  // the steady state of holding the alerts is read once a full collection has shrunk the used heap (the load's
  // garbage counts as used until then) and RSS stops falling, or after SETTLE_S at the most.
  let settled = loaded;
  const settleStarted = Date.now();
  for (let previous = loaded; Date.now() - settleStarted < SETTLE_S * 1000; previous = settled) {
    await new Promise((r) => setTimeout(r, 5_000));
    settled = { ...(await memory(base)), seconds: Math.round((Date.now() - settleStarted) / 1000) };
    if (settled.heapUsed < loaded.heapUsed * 0.8 && settled.rss >= previous.rss - 1) break;
  }
  const open = await (await fetch(`${base}/api/v1/alerts?status=firing&limit=1`)).json();
  console.table([
    { state: 'idle', ...rounded(idle) },
    { state: `${TOTAL.toLocaleString('en')} open alerts, each sent twice`, ...rounded(loaded) },
    { state: `settled, ${settled.seconds ?? 0} s later`, ...rounded(settled) },
  ]);
  console.log(`open alerts stored: ${open.alerts.length ? 'yes' : 'no'}; load took ${(loadedFor / 1000).toFixed(1)} s`);
  console.log(
    `RSS with ${TOTAL.toLocaleString('en')} open alerts: ${Math.round(settled.rss)} MB settled, ${Math.round(loaded.rss)} MB right after the load (target < 150 MB; idle ${Math.round(idle.rss)} MB, ratio ${(settled.rss / idle.rss).toFixed(2)})`,
  );
} finally {
  await stop(child);
  rmSync(work, { recursive: true, force: true });
}
