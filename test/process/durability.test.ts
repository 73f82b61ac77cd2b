import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { columnOf, dropProcessDatabases, freePort, processDatabase, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { fingerprintLabels } from '../../src/alerts/fingerprint.js';
import { amWebhook, fixture, tempDir } from '../helpers/vigil.js';

const dirs: string[] = [];
const running: RunningVigil[] = [];
afterAll(async () => {
  for (const r of running) await r.stop('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropProcessDatabases();
});

async function start(db: string) {
  const r = await spawnVigil({ VIGIL_DB: db }, await freePort());
  running.push(r);
  return r;
}

const post = (url: string, body: unknown) =>
  fetch(`${url}/api/v1/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('durability', () => {
  it('incidents survive a restart (SIGTERM drains, the next start sees everything)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = await processDatabase(dir);
    const first = await start(db);
    expect((await post(first.url, fixture('alertmanager-v4-firing.json'))).status).toBe(202);
    await fetch(`${first.url}/api/v1/incidents/1/acknowledge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'alice' }),
    });
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await start(db);
    const incident = await (await fetch(`${second.url}/api/v1/incidents/1`)).json();
    expect(incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice', alertCount: 2 });
    // A repeat after the restart is still a duplicate.
    await post(second.url, fixture('alertmanager-v4-firing.json'));
    expect(((await (await fetch(`${second.url}/api/v1/incidents`)).json())).incidents).toHaveLength(1);
    await second.stop('SIGTERM');
  });

  it('SIGKILL during concurrent ingest loses no alert that was answered 2xx', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = await processDatabase(dir);
    const victim = await start(db);
    const acked = new Set<string>();
    let stop = false;
    let seq = 0;
    const worker = async (w: number) => {
      while (!stop) {
        const n = seq++;
        const alerts = Array.from({ length: 5 }, (_, i) => ({
          labels: { alertname: `Crash${w}`, service: 'crash', instance: `${n}-${i}` },
        }));
        try {
          const res = await post(victim.url, amWebhook(alerts));
          if (res.status === 202) for (const a of alerts) acked.add(fingerprintLabels(a.labels));
        } catch {
          // connection cut by the kill: not answered, so not promised
        }
      }
    };
    const workers = Array.from({ length: 32 }, (_, w) => worker(w));
    while (acked.size < 2000) await new Promise((r) => setTimeout(r, 20));
    victim.child.kill('SIGKILL');
    await victim.stop('SIGKILL');
    stop = true;
    await Promise.all(workers);
    expect(acked.size).toBeGreaterThanOrEqual(2000);

    const after = await start(db);
    const stored = (await (await fetch(`${after.url}/api/v1/alerts?limit=5000&status=firing`)).json());
    let all = stored.alerts.map((a: { fingerprint: string }) => a.fingerprint);
    if (all.length === 5000) {
      // More than one page: read the database directly instead.
      all = await columnOf(db, 'alerts', 'fingerprint');
    }
    const present = new Set(all);
    const lost = [...acked].filter((f) => !present.has(f));
    expect(lost).toEqual([]);
    await after.stop('SIGTERM');
  });
});
