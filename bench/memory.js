// npm run bench:memory — RSS of Vigil holding 100k open alerts (target: under 150 MB), measured against the
// same process before any alert arrived, and after every alert was repeated once (the state cache full).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startVigil, stop } from './lib.js';

const TOTAL = Number(process.env.BENCH_ALERTS ?? 100_000);
const PER_POST = 100;
const work = mkdtempSync(path.join(tmpdir(), 'vigil-bench-mem-'));

async function rss(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('process_resident_memory_bytes '));
  return Number(line.split(' ')[1]) / 1024 / 1024;
}

const { child, base } = await startVigil({ db: path.join(work, 'vigil.db') });
try {
  const idle = await rss(base);
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
  const loaded = await rss(base);
  const open = await (await fetch(`${base}/api/v1/alerts?status=firing&limit=1`)).json();
  console.table([
    { state: 'idle', rssMB: Math.round(idle) },
    { state: `${TOTAL.toLocaleString('en')} open alerts, each sent twice`, rssMB: Math.round(loaded) },
  ]);
  console.log(`open alerts stored: ${open.alerts.length ? 'yes' : 'no'}; load took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`RSS with ${TOTAL.toLocaleString('en')} open alerts: ${Math.round(loaded)} MB (target < 150 MB; idle ${Math.round(idle)} MB, ratio ${(loaded / idle).toFixed(2)})`);
} finally {
  await stop(child);
  rmSync(work, { recursive: true, force: true });
}
