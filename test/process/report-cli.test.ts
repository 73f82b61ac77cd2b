import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { report, type ReportOptions } from '../../src/cli/report.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { startVigil, tempDir } from '../helpers/vigil.js';
import { HOUR, MIN, at, reportRulesDir, seedWeek, weekSince, weekUntil } from '../http/reports-seed.js';

/** `vigil report` against a database that a running Vigil wrote (the seeded week), with the output captured. */
let dir: string;
let db: string;
let configFile: string;

beforeAll(async () => {
  dir = tempDir();
  db = path.join(dir, 'vigil.db');
  configFile = path.join(dir, 'vigil.yaml');
  writeFileSync(configFile, 'digests:\n  timeZone: Europe/Berlin\n');
  const v = await startVigil({ file: { rules: { dir: reportRulesDir() } }, dbPath: db, now: '2026-03-09T08:00:00Z' });
  await seedWeek(v);
  await v.close();
});

async function vigilReport(opts: ReportOptions, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await report(opts, {
    env: { VIGIL_DB: db, VIGIL_CONFIG: configFile, ...env },
    cwd: dir,
    now: at('2026-03-16T06:00:00Z'),
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('vigil report', () => {
  it('prints the figures of a period as tables', async () => {
    const { code, stdout, stderr } = await vigilReport({ since: weekSince, until: weekUntil });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('Vigil report: Mon 9 Mar 2026 00:00 – Mon 16 Mar 2026 00:00 (Europe/Berlin)');
    expect(stdout).toContain('Incidents: 5 (critical 2, warning 2, reminder 0, info 1; P1 2, P2 2, P3 0, P4 1), 4 resolved');
    expect(stdout).toMatch(/Time to acknowledge \(MTTA\)\s+10m 00s\s+40m 00s\s+3\n/);
    expect(stdout).toMatch(/Time to resolve \(MTTR\)\s+1h 00m\s+5h 00m\s+4\n/);
    expect(stdout).toMatch(/Acknowledge\s+2\s+2\s+0\s+50%\s+95%\s+MISSED\n/);
    expect(stdout).toMatch(/Resolve\s+2\s+2\s+0\s+50%\s+95%\s+MISSED\n/);
    expect(stdout).toMatch(/platform\s+3\s+10m 00s\s+40m 00s\s+1h 00m\s+2h 00m\s+50%\s+100%\n/);
    expect(stdout).toMatch(/Bob Example \(bob\)\s+4\s+1\s+80%\s+0\n/);
    expect(stdout).toMatch(/Alice Example \(alice\)\s+1\s+0\s+20%\s+0\n/);
  });

  it('--team, --tz and relative times; --json prints what the API answers', async () => {
    const { code, stdout } = await vigilReport({ since: '7d', team: 'web', tz: 'UTC', json: true });
    expect(code).toBe(0);
    const s = JSON.parse(stdout);
    expect(s.period).toEqual({ since: at('2026-03-09T06:00:00Z'), until: at('2026-03-16T06:00:00Z'), timeZone: 'UTC', team: 'web' });
    expect(s.incidents.total).toBe(2);
    expect(s.mtta).toEqual({ count: 1, median: 5 * MIN, p90: 5 * MIN });
    expect(s.mttr).toEqual({ count: 1, median: 5 * HOUR, p90: 5 * HOUR });
    expect(s.sla.ack).toMatchObject({ met: 1, missed: 1, rate: 0.5 });
  });

  it('--team counts the incidents that paged the team through defaultTeam', async () => {
    // #4 (BackupDone) has no team label; the rules' defaultTeam, platform, was paged for it.
    const { code, stdout } = await vigilReport({ since: weekSince, until: weekUntil, team: 'platform', json: true });
    expect(code).toBe(0);
    const s = JSON.parse(stdout);
    expect(s.incidents.total).toBe(3);
    expect(s.info.map((i: { id: number }) => i.id)).toEqual([4]);
    const text = await vigilReport({ since: weekSince, until: weekUntil, team: 'platform' });
    expect(text.stdout).toContain('Incidents: 3 (critical 1, warning 1, reminder 0, info 1; P1 1, P2 1, P3 0, P4 1), 3 resolved');
  });

  it('a quiet period is one line', async () => {
    const { code, stdout } = await vigilReport({ since: '2026-02-01T00:00:00Z', until: '2026-02-08T00:00:00Z' });
    expect(code).toBe(0);
    expect(stdout).toBe(
      'Vigil report: Sun 1 Feb 2026 01:00 – Sun 8 Feb 2026 01:00 (Europe/Berlin)\n\nNo incidents between Sun 1 Feb 2026 01:00 and Sun 8 Feb 2026 01:00 (Europe/Berlin).\n',
    );
  });

  it('says what is wrong with a bad option or a missing database', async () => {
    expect(await vigilReport({ since: 'yesterday' })).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/^--since: "yesterday" is neither an RFC 3339 time nor a duration back from now/),
    });
    expect((await vigilReport({ tz: 'Berlin' })).stderr).toMatch(/^--tz: unknown time zone "Berlin"/);
    const missing = path.join(dir, 'nope.db');
    expect(await vigilReport({}, { VIGIL_DB: missing })).toMatchObject({ code: 1, stderr: `no Vigil database at ${missing} (set VIGIL_DB, or store.path in VIGIL_CONFIG)\n` });
  });

  it('opens the database read-only: an older schema is refused and left as it is, not migrated', async () => {
    const old = path.join(dir, 'old.db');
    const raw = new Database(old);
    raw.exec(migrations[0]!);
    raw.pragma('user_version = 1');
    raw.close();
    expect(await vigilReport({}, { VIGIL_DB: old })).toEqual({
      code: 1,
      stdout: '',
      stderr: `database ${old} has schema version 1, older than this Vigil (${migrations.length}); start \`vigil serve\` on it once to upgrade it\n`,
    });
    const check = new Database(old, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    check.close();
  });
});
