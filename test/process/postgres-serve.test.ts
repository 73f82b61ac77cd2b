import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, relayTo, requirePostgres, type DatabaseRelay } from '../helpers/postgres.js';
import { freePort, runCli, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { amWebhook } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';

const running: RunningVigil[] = [];
const relays: DatabaseRelay[] = [];
let db: Awaited<ReturnType<typeof freshDatabase>>;
const dropLater: Awaited<ReturnType<typeof freshDatabase>>[] = [];
const available = requirePostgres('Vigil on PostgreSQL');
beforeAll(async () => {
  if (available) db = await freshDatabase();
});
afterAll(async () => {
  for (const r of running) await r.stop('SIGKILL');
  for (const r of relays) r.close();
  await db?.drop();
  for (const d of dropLater) await d.drop();
});

const vigil = runCli;

const post = (url: string, labels: Record<string, string>) =>
  fetch(`${url}/api/v1/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(amWebhook([{ labels, startsAt: new Date(Date.now() - 60_000).toISOString() }])),
  });

if (available) describe('Vigil on PostgreSQL', () => {
  it('serves from a postgres:// URL: incidents survive a restart, a second instance serves beside it, reports read beside it', async () => {
    const first = await spawnVigil({ VIGIL_DB: db.url }, await freePort());
    running.push(first);
    await waitFor(async () => (await fetch(`${first.url}/readyz`)).status === 200, 20_000, 'the first Vigil ready');
    expect((await post(first.url, { alertname: 'DiskFull', service: 'db', severity: 'warning' })).status).toBe(202);
    // The password never reaches the log.
    expect(first.output()).not.toContain(new URL(db.url).password || 'never-there');

    // Several equal instances share one database: the second serves the first's incident.
    const second = await spawnVigil({ VIGIL_DB: db.url }, await freePort());
    running.push(second);
    await waitFor(async () => (await fetch(`${second.url}/readyz`)).status === 200, 20_000, 'the second Vigil ready');
    expect((await (await fetch(`${second.url}/api/v1/incidents`)).json()).incidents).toHaveLength(1);
    await second.stop();

    const report = await vigil(['report', '--json'], { VIGIL_DB: db.url });
    expect(report.stderr).toBe('');
    expect(JSON.parse(report.stdout).incidents.total).toBe(1);

    first.child.kill('SIGKILL');
    await first.stop();
    const next = await spawnVigil({ VIGIL_DB: db.url }, await freePort());
    running.push(next);
    await waitFor(async () => (await fetch(`${next.url}/readyz`)).status === 200, 20_000, 'the restarted Vigil ready');
    const { incidents } = await (await fetch(`${next.url}/api/v1/incidents`)).json();
    expect(incidents.map((i: { title: string }) => i.title)).toEqual([expect.stringContaining('DiskFull')]);
    await next.stop();
  });

  it('while the database is away ingest answers 503 with Retry-After and /readyz 503; once it is back Vigil carries on by itself', async () => {
    const own = await freshDatabase();
    dropLater.push(own);
    const relay = await relayTo(new URL(own.url), await freePort());
    relays.push(relay);
    // Vigil starts before the database can be reached: it listens, is not ready, and waits.
    const v = await spawnVigil({ VIGIL_DB: relay.url }, await freePort());
    running.push(v);
    expect((await fetch(`${v.url}/readyz`)).status).toBe(503);
    const early = await post(v.url, { alertname: 'Early', service: 'api', severity: 'warning' });
    expect(early.status).toBe(503);
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(0);

    await relay.restore();
    await waitFor(async () => (await fetch(`${v.url}/readyz`)).status === 200, 20_000, 'Vigil ready once the database is reachable');
    expect((await post(v.url, { alertname: 'Early', service: 'api', severity: 'warning' })).status).toBe(202);

    relay.cut();
    const during = await post(v.url, { alertname: 'During', service: 'api', severity: 'warning' });
    expect(during.status).toBe(503);
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${v.url}/readyz`)).status).toBe(503);

    await relay.restore();
    await waitFor(async () => (await post(v.url, { alertname: 'During', service: 'api', severity: 'warning' })).status === 202, 20_000, 'ingest answering 202 once the database is back');
    const titles = (await (await fetch(`${v.url}/api/v1/incidents`)).json()).incidents.map((i: { title: string }) => i.title).sort();
    expect(titles).toEqual([expect.stringContaining('During'), expect.stringContaining('Early')]);
    await v.stop();
  });
});
