import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runCli, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { amWebhook, tempDir } from '../helpers/vigil.js';

const dirs: string[] = [];
const running: RunningVigil[] = [];
afterAll(async () => {
  for (const r of running) await r.stop('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const vigil = runCli;

describe('one Vigil per SQLite file', () => {
  it('a second serve on the same file refuses to start naming the other; reports still read; kill -9 leaves no stale lock', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = path.join(dir, 'vigil.db');
    const first = await spawnVigil({ VIGIL_DB: db }, await freePort());
    running.push(first);

    const second = await vigil(['serve'], { VIGIL_DB: db, VIGIL_PORT: String(await freePort()) });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `^database ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another Vigil \\(pid ${first.child.pid}, started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); ` +
          'the embedded SQLite store serves one process — stop the other one, or use PostgreSQL for several instances\n$',
      ),
    );

    // The lock is beside the database, not on it: `vigil report` reads while Vigil serves.
    const labels = { alertname: 'DiskFull', service: 'db', severity: 'warning' };
    const posted = await fetch(`${first.url}/api/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(amWebhook([{ labels, startsAt: new Date(Date.now() - 60_000).toISOString() }])),
    });
    expect(posted.status).toBe(202);
    const report = await vigil(['report', '--json'], { VIGIL_DB: db });
    expect(report.stderr).toBe('');
    expect(JSON.parse(report.stdout).incidents.total).toBe(1);

    first.child.kill('SIGKILL');
    await first.stop();
    const next = await spawnVigil({ VIGIL_DB: db }, await freePort());
    running.push(next);
    expect((await (await fetch(`${next.url}/api/v1/incidents`)).json()).incidents).toHaveLength(1);
  });

  it('a database that cannot be created names the path and the reason', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const db = path.join(file, 'data', 'vigil.db');
    const { code, stderr } = await vigil(['serve'], { VIGIL_DB: db, VIGIL_PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(stderr).toBe(`cannot open database ${db}: directory ${path.dirname(db)} cannot be created because ${file} is not a directory\n`);
    const report = await vigil(['report'], { VIGIL_DB: path.join(dir, 'vigil.db') });
    expect(report).toMatchObject({ code: 1, stderr: `no Vigil database at ${path.join(dir, 'vigil.db')} (set VIGIL_DB, or store.path in VIGIL_CONFIG)\n` });
  });
});
