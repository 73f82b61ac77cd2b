import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresMigrations } from '../../src/store/postgres/migrations.js';
import { freshDatabase, requirePostgres } from '../helpers/postgres.js';
import { freePort, runCli, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { amWebhook, tempDir } from '../helpers/vigil.js';

const running: RunningVigil[] = [];
const dirs: string[] = [];
let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
let target: Awaited<ReturnType<typeof freshDatabase>> | undefined;
const postgres = requirePostgres('vigil db migrate on PostgreSQL');
beforeAll(async () => {
  if (postgres) [db, target] = [await freshDatabase(), await freshDatabase()];
});
afterAll(async () => {
  for (const r of running) await r.stop('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await db?.drop();
  await target?.drop();
});

const vigil = runCli;

describe('vigil db migrate', () => {
  it('creates an embedded database with its schema, and refuses a file a running Vigil serves', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'data', 'vigil.db');
    expect(await vigil(['db', 'migrate'], { VIGIL_DB: file })).toEqual({ code: 0, stdout: `database ${file}: schema up to date\n`, stderr: '' });
    expect(existsSync(file)).toBe(true);
    const served = await spawnVigil({ VIGIL_DB: file }, await freePort());
    running.push(served);
    const busy = await vigil(['db', 'migrate'], { VIGIL_DB: file });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/is in use by another Vigil/);
    await served.stop();
  });

  if (postgres) {
    it('migrates a PostgreSQL database once (again is a no-op), and says when the server is not there', async () => {
      const first = await vigil(['db', 'migrate'], { VIGIL_DB: db!.url });
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(first.stdout).toMatch(/^database postgres:\/\/.*: schema up to date\n$/);
      expect((await vigil(['db', 'migrate'], { VIGIL_DB: db!.url })).code).toBe(0);
      const c = new pg.Client({ connectionString: db!.url });
      await c.connect();
      try {
        expect((await c.query('SELECT version FROM vigil_schema')).rows).toEqual([{ version: postgresMigrations.length }]);
      } finally {
        await c.end();
      }
      const away = new URL(db!.url);
      away.port = String(await freePort());
      const refused = await vigil(['db', 'migrate'], { VIGIL_DB: away.toString() });
      expect(refused).toMatchObject({ code: 1, stdout: '' });
      expect(refused.stderr).toBe(`cannot reach the database ${away.toString()}; is it running?\n`);
    });
  }

  if (postgres) {
    it('vigil db copy moves an embedded install onto PostgreSQL: every row of every table, and new ids after the old ones', async () => {
      const dir = tempDir();
      dirs.push(dir);
      const file = path.join(dir, 'vigil.db');
      const before = await spawnVigil({ VIGIL_DB: file }, await freePort());
      running.push(before);
      const send = (v: RunningVigil, alertname: string) =>
        fetch(`${v.url}/api/v1/alerts/alertmanager`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(amWebhook([{ labels: { alertname, instance: 'web-1', job: 'node', severity: 'critical' }, startsAt: new Date(Date.now() - 60_000).toISOString() }])),
        });
      for (const name of ['InstanceDown', 'DiskFull', 'HighLatency']) expect((await send(before, name)).status).toBe(202);
      const post = (v: RunningVigil, p: string, body: unknown) => fetch(`${v.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post(before, '/api/v1/incidents/1/acknowledge', { by: 'alice', note: 'looking' })).status).toBe(200);
      expect((await post(before, '/api/v1/incidents/2/notes', { by: 'bob', text: 'disk is filling' })).status).toBe(201);
      expect((await post(before, '/api/v1/incidents/3/resolve', { by: 'carol' })).status).toBe(200);
      await before.stop();

      const copy = await vigil(['db', 'copy', '--from', file, '--to', target!.url], {});
      expect(copy.stderr).toBe('');
      expect(copy.code).toBe(0);
      expect(copy.stdout).toMatch(/incidents\s+3\b/);
      expect(copy.stdout).toMatch(/copied .* to postgres:\/\//);
      // Into a database that already holds rows: refused, nothing changed.
      const again = await vigil(['db', 'copy', '--from', file, '--to', target!.url], {});
      expect(again).toMatchObject({ code: 1, stderr: 'the PostgreSQL database already holds incidents; copy into an empty database\n' });

      // Every row of every table, the same on both sides.
      const { default: Database } = await import('better-sqlite3');
      const lite = new Database(file, { readonly: true });
      pg.types.setTypeParser(pg.types.builtins.INT8, Number);
      const c = new pg.Client({ connectionString: target!.url });
      await c.connect();
      const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)))).sort();
      const tables = (lite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
      let rowsCompared = 0;
      try {
        for (const table of tables) {
          const mine = lite.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
          const theirs = (await c.query(`SELECT * FROM ${table}`)).rows as Record<string, unknown>[];
          // PostgreSQL's own columns (the claims of several instances) start empty: nothing is claimed yet.
          for (const row of theirs) {
            for (const column of ['lease_owner', 'lease_until']) {
              if (!(column in row)) continue;
              expect(row[column], `${table}.${column}`).toBeNull();
              delete row[column];
            }
          }
          expect(sorted(theirs), table).toEqual(sorted(mine));
          rowsCompared += mine.length;
        }
      } finally {
        lite.close();
        await c.end();
      }
      expect(tables).toEqual(expect.arrayContaining(['incidents', 'alerts', 'timeline', 'notifications', 'incident_timers']));
      expect(rowsCompared).toBeGreaterThan(20);

      const after = await spawnVigil({ VIGIL_DB: target!.url }, await freePort());
      running.push(after);
      const listed = (await (await fetch(`${after.url}/api/v1/incidents?limit=50`)).json()).incidents;
      expect(listed.map((i: { id: number; status: string }) => [i.id, i.status])).toEqual([
        [3, 'resolved'],
        [2, 'triggered'],
        [1, 'acknowledged'],
      ]);
      // New rows take ids after the copied ones.
      expect((await send(after, 'QueueBacklog')).status).toBe(202);
      const ids = (await (await fetch(`${after.url}/api/v1/incidents?limit=50`)).json()).incidents.map((i: { id: number }) => i.id).sort();
      expect(ids).toEqual([1, 2, 3, 4]);
      await after.stop();
    });
  }
});
