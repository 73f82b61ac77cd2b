import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliPath, repoRoot } from '../helpers/process.js';

const run = promisify(execFile);

async function vigil(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: { ...process.env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The table row of a tier, split into its columns. */
function row(stdout: string, tier: string): string[] | undefined {
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/))
    .find((cells) => cells[0] === 'platform' && cells[1] === tier);
}

describe('vigil oncall', () => {
  it('prints who is on call per team and tier, and until when, in the schedule time zone', async () => {
    const { code, stdout } = await vigil(['oncall', '--at', '2026-03-10T10:00:00+01:00']);
    expect(code).toBe(0);
    expect(stdout).toContain('on call at 2026-03-10T09:00:00.000Z');
    expect(stdout).toMatch(/team\s+tier\s+schedule\s+on call\s+layer\s+until/);
    expect(row(stdout, '1')).toEqual(['platform', '1', 'platform-primary', 'Bob Example (bob)', 'working-hours', 'Tue 2026-03-10 18:00 +01:00']);
    expect(row(stdout, '2')).toEqual(['platform', '2', 'platform-secondary', 'Alice Example (alice)', 'weekly', 'Mon 2026-03-16 09:00 +01:00']);
    expect(row(stdout, '3')).toEqual(['platform', '3', 'support-manager', 'Carol Example (support manager) (carol)', 'manager', 'Mon 2026-03-16 09:00 +01:00']);
  });

  it('hands over at 09:00 local time across the change to summer time', async () => {
    const { code, stdout } = await vigil(['oncall', '--team', 'platform', '--at', '2026-03-30T06:59:59Z']);
    expect(code).toBe(0);
    expect(row(stdout, '2')?.slice(3)).toEqual(['Alice Example (alice)', 'weekly', 'Mon 2026-03-30 09:00 +02:00']);
    const after = await vigil(['oncall', '--team', 'platform', '--at', '2026-03-30T07:00:00Z']);
    expect(row(after.stdout, '2')?.slice(3)).toEqual(['Bob Example (bob)', 'weekly', 'Mon 2026-04-06 09:00 +02:00']);
  });

  it('--until lists every shift in between', async () => {
    const { code, stdout } = await vigil(['oncall', '--team', 'platform', '--at', '2026-03-06T12:00:00Z', '--until', '2026-03-09T12:00:00Z']);
    expect(code).toBe(0);
    const primary = stdout.split('\n\n').find((block) => block.startsWith('platform tier 1'))!;
    expect(primary.split('\n').map((line) => line.trim().split(/\s{2,}/))).toEqual([
      ['platform tier 1: platform-primary (Europe/Berlin)'],
      ['from', 'until', 'on call', 'layer'],
      ['Fri 2026-03-06 09:00 +01:00', 'Fri 2026-03-06 18:00 +01:00', 'Bob Example (bob)', 'working-hours'],
      ['Fri 2026-03-06 18:00 +01:00', 'Mon 2026-03-09 09:00 +01:00', 'Alice Example (alice)', 'phone-duty'],
      ['Mon 2026-03-09 09:00 +01:00', 'Mon 2026-03-09 18:00 +01:00', 'Alice Example (alice)', 'working-hours'],
    ]);
  });

  it('refuses an unknown team and a bad time', async () => {
    const unknown = await vigil(['oncall', '--team', 'payments']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown team "payments" (teams: platform)');
    const bad = await vigil(['oncall', '--at', 'tomorrow']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--at: "tomorrow" is neither an RFC 3339 time, now, nor an offset from now (e.g. 7d, -2h)');
  });

  it('--at and --until take offsets from now like vigil report: 7d is a week ahead, -2h two hours ago', async () => {
    const { code, stdout } = await vigil(['oncall', '--team', 'platform', '--at', '-2h', '--until', '7d']);
    expect(code).toBe(0);
    const [, from, until] = /^on call from (\S+) until (\S+)$/m.exec(stdout)!;
    expect(Date.parse(until!) - Date.parse(from!)).toBe((7 * 24 + 2) * 3_600_000);
    expect(stdout).toContain('platform tier 1: platform-primary (Europe/Berlin)');
    const now = await vigil(['oncall', '--at', 'now']);
    expect(now.code).toBe(0);
    expect(now.stdout).toMatch(/^on call at \d{4}-/);
  });
});
