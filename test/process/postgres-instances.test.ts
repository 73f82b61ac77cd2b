import { createServer, type Server, type ServerResponse } from 'node:http';
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, relayTo, requirePostgres, truncateAll, type DatabaseRelay } from '../helpers/postgres.js';
import { columnOf, freePort, spawnVigil, writeWebhookSetup, type RunningVigil } from '../helpers/process.js';
import { amWebhook, tempDir } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Several Vigil processes on one PostgreSQL database, paging through a webhook receiver that records every
 * request: alerts posted to any instance open one incident per group and page once; an instance killed with
 * SIGKILL leaves its work to the others within the lease.
 */
const LEASE = '3s';

interface Page {
  key: string;
  kind: string;
  incident: number;
}

let db: Awaited<ReturnType<typeof freshDatabase>>;
const dirs: string[] = [];
const running: RunningVigil[] = [];
const servers: Server[] = [];
const extraDbs: Awaited<ReturnType<typeof freshDatabase>>[] = [];
const relays: DatabaseRelay[] = [];
const available = requirePostgres('several Vigil instances on PostgreSQL');
beforeAll(async () => {
  if (available) db = await freshDatabase();
});
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop('SIGKILL');
  if (db) await truncateAll(db.url);
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const r of relays) r.close();
  await db?.drop();
  for (const d of extraDbs) await d.drop();
});

/**
 * A webhook receiver recording each request. With `hold`, requests are left unanswered until release(): a
 * provider that has the message while Vigil waits for its answer (in flight).
 */
async function receiver(hold = false): Promise<{ port: number; pages: Page[]; open: () => number; release: () => void }> {
  const pages: Page[] = [];
  const held = new Set<ServerResponse>();
  let holding = hold;
  const answer = (res: ServerResponse) => {
    if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      pages.push({ key: String(req.headers['idempotency-key']), kind: body.kind, incident: body.incident?.id });
      if (!holding) return answer(res);
      held.add(res);
      res.on('close', () => held.delete(res));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    pages,
    open: () => held.size,
    release: () => {
      holding = false;
      for (const res of held) answer(res);
      held.clear();
    },
  };
}

/** Rules in which critical incidents page by webhook only, with a progress reminder every `progress`. */
function writeSetup(receiverPort: number, progress = 'none'): string {
  const dir = tempDir();
  dirs.push(dir);
  return writeWebhookSetup(
    dir,
    {
      scheduler: { interval: '200ms' },
      store: { lease: LEASE },
      notify: {
        webhook: { url: `http://127.0.0.1:${receiverPort}/hook`, timeout: '2s' },
        retry: { attempts: 5, initialDelay: '200ms', maxDelay: '1s' },
      },
    },
    { progressReminder: progress, ackSla: 'none' },
  );
}

async function instances(n: number, config: string, url = db.url): Promise<RunningVigil[]> {
  const started = await Promise.all(Array.from({ length: n }, async () => spawnVigil({ VIGIL_CONFIG: config, VIGIL_DB: url }, await freePort())));
  running.push(...started);
  for (const v of started) await waitFor(async () => (await fetch(`${v.url}/readyz`)).status === 200, 20_000, 'an instance ready');
  return started;
}

const post = (v: RunningVigil, alerts: { labels: Record<string, string> }[]) =>
  fetch(`${v.url}/api/v1/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(amWebhook(alerts.map((a) => ({ ...a, startsAt: new Date(Date.now() - 60_000).toISOString() })))),
  });

const critical = (group: number, host: number) => ({ labels: { alertname: `Down${group}`, instance: `host-${host}`, service: 'checkout', severity: 'critical' } });

async function incidentsOf(v: RunningVigil): Promise<{ id: number; title: string; alertCount: number }[]> {
  return (await (await fetch(`${v.url}/api/v1/incidents?limit=500`)).json()).incidents;
}

function timesEach(pages: Page[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const p of pages) seen.set(p.key, (seen.get(p.key) ?? 0) + 1);
  return seen;
}

if (available)
  describe('several Vigil instances on one PostgreSQL database', () => {
    it('instances started together on an empty database migrate it once and all serve', async () => {
      const own = await freshDatabase();
      extraDbs.push(own);
      const hook = await receiver();
      const [a, b, c] = await instances(3, writeSetup(hook.port), own.url);
      expect((await post(a!, [critical(1, 1)])).status).toBe(202);
      for (const v of [b!, c!]) expect(await incidentsOf(v)).toHaveLength(1);
    });

    it('alerts posted to alternating instances open one incident per group, and each incident is paged once', async () => {
      const hook = await receiver();
      const vigils = await instances(2, writeSetup(hook.port));
      const groups = 10;
      const hosts = 4;
      // Every alert of every group posted at once, alternating between the instances.
      const answers = await Promise.all(
        Array.from({ length: groups * hosts }, (_, i) => post(vigils[i % 2]!, [critical(i % groups, Math.floor(i / groups))]).then((r) => r.status)),
      );
      expect(answers.every((s) => s === 202)).toBe(true);
      await waitFor(async () => hook.pages.length >= groups, 20_000, 'a page for every incident');
      const incidents = await incidentsOf(vigils[1]!);
      expect(incidents).toHaveLength(groups);
      expect(incidents.every((i) => i.alertCount === hosts)).toBe(true);
      // Nothing more arrives: no page is sent by both instances.
      await new Promise((r) => setTimeout(r, 1500));
      expect(hook.pages.filter((p) => p.kind === 'page')).toHaveLength(groups);
      expect(new Set(hook.pages.map((p) => p.incident)).size).toBe(groups);
      expect([...timesEach(hook.pages).values()].every((n) => n === 1)).toBe(true);
    });

    it('an instance killed while sending leaves its pages to the survivor: every incident paged, none twice beyond those in flight', async () => {
      const hook = await receiver(true);
      const [victim, survivor] = await instances(2, writeSetup(hook.port));
      const groups = 20;
      const answers = await Promise.all(Array.from({ length: groups }, (_, g) => post(victim!, [critical(g, 0)]).then((r) => r.status)));
      expect(answers.every((s) => s === 202)).toBe(true);
      await waitFor(async () => hook.open() >= 5, 10_000, 'pages in flight');
      victim!.child.kill('SIGKILL');
      await victim!.stop();
      // The provider has these messages (counted once the victim is gone: it kept sending until the kill); the
      // victim's senders died before they heard so.
      const inFlight = new Set(hook.pages.map((p) => p.key)).size;
      hook.release();
      // The survivor sends what the victim had claimed once its lease has run out, and records every message.
      const delivered = async () => {
        const list = (await (await fetch(`${survivor!.url}/api/v1/notifications?limit=500`)).json()).notifications as { status: string; kind: string }[];
        return list.filter((n) => n.kind === 'page' && n.status === 'delivered').length;
      };
      await waitFor(async () => (await delivered()) === groups, 20_000, 'every page recorded delivered');
      expect(new Set(hook.pages.map((p) => p.incident)).size).toBe(groups);
      const times = [...timesEach(hook.pages).values()];
      // Only a message in flight at the kill can arrive twice, and then with the same Idempotency-Key.
      expect(times.filter((n) => n > 1).length).toBeLessThanOrEqual(inFlight);
      expect(times.every((n) => n <= 2)).toBe(true);
      expect(times.length).toBe(groups);
    });

    it('a timer due while the instance that set it is dead fires on the survivor, on time', async () => {
      const hook = await receiver();
      const [victim, survivor] = await instances(2, writeSetup(hook.port, '4s'));
      expect((await post(victim!, [critical(1, 1)])).status).toBe(202);
      await waitFor(async () => hook.pages.length >= 1, 10_000, 'the page');
      victim!.child.kill('SIGKILL');
      await victim!.stop();
      const [incident] = await incidentsOf(survivor!);
      const reminder = await waitFor(
        async () => {
          const detail = await (await fetch(`${survivor!.url}/api/v1/incidents/${incident!.id}`)).json();
          return (detail.timeline as { kind: string; at: string }[]).find((e) => e.kind === 'progress_reminder');
        },
        15_000,
        'the progress reminder on the survivor',
      );
      const detail = await (await fetch(`${survivor!.url}/api/v1/incidents/${incident!.id}`)).json();
      const opened = Date.parse(detail.createdAt);
      // Due 4 s after the incident opened; the survivor's scheduler ticks every 200 ms. Nobody had claimed the
      // timer (it was not due when its instance died), so it waits for no lease (3 s): it is on time.
      expect(Date.parse(reminder.at) - opened).toBeGreaterThanOrEqual(4000);
      expect(Date.parse(reminder.at) - opened).toBeLessThan(4000 + 2000);
    });

    it('the database going away under load: 503 with Retry-After while it is away, and every alert answered 2xx is kept', async () => {
      const hook = await receiver();
      const relay = await relayTo(new URL(db.url), await freePort());
      relays.push(relay);
      await relay.restore();
      const vigils = await instances(2, writeSetup(hook.port), relay.url);
      const accepted: string[] = [];
      const refused: (string | null)[] = [];
      let n = 0;
      let stop = false;
      // Four senders post new alerts to alternating instances, each retrying nothing: every answer is counted.
      const load = Array.from({ length: 4 }, async () => {
        while (!stop) {
          const name = `Load${n++}`;
          const res = await post(vigils[n % 2]!, [{ labels: { alertname: name, service: 'checkout', severity: 'info' } }]);
          if (res.status === 202) accepted.push(name);
          else {
            expect(res.status).toBe(503);
            refused.push(res.headers.get('retry-after'));
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      });
      await new Promise((r) => setTimeout(r, 800));
      relay.cut();
      await new Promise((r) => setTimeout(r, 1500));
      await relay.restore();
      await waitFor(async () => accepted.length > 0 && refused.length > 0 && (await fetch(`${vigils[0]!.url}/readyz`)).status === 200, 20_000, 'the instances ready again');
      const before = accepted.length;
      await waitFor(async () => accepted.length > before + 10, 20_000, 'alerts accepted again');
      stop = true;
      await Promise.all(load);
      expect(refused.every((r) => Number(r) > 0)).toBe(true);
      const stored = new Set((await columnOf(db.url, 'alerts', 'labels')).map((labels) => JSON.parse(labels as string).alertname as string));
      expect(accepted.filter((name) => !stored.has(name))).toEqual([]);
    });
  });
