import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, requirePostgres } from '../helpers/postgres.js';
import { cliPath, freePort, repoRoot, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { tempDir } from '../helpers/vigil.js';

const run = promisify(execFile);
const running: RunningVigil[] = [];
const dirs: string[] = [];
let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
const postgres = requirePostgres('vigil db migrate on PostgreSQL');
beforeAll(async () => {
  if (postgres) db = await freshDatabase();
});
afterAll(async () => {
  for (const r of running) await r.stop('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await db?.drop();
});

async function vigil(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

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
        expect((await c.query('SELECT version FROM vigil_schema')).rows).toEqual([{ version: 1 }]);
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
});
