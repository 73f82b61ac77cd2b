import { describe, expect, it } from 'vitest';
import { parseHeartbeatSpec, type HeartbeatSpec } from '../../src/rules/heartbeat-spec.js';
import { nextDue } from '../../src/heartbeats/schedule.js';
import { onCheck, onPause, onPing, onRestart, onResume, type Change, type Ping } from '../../src/heartbeats/transitions.js';
import type { HeartbeatRow } from '../../src/store/types.js';
import { newHeartbeat } from '../../src/heartbeats/monitors.js';

const MIN = 60_000;
const H = 60 * MIN;
const t0 = Date.parse('2026-11-22T12:00:00Z');

function spec(input: Record<string, unknown>): HeartbeatSpec {
  const r = parseHeartbeatSpec({ name: 'job', ...input });
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.spec;
}

function row(patch: Partial<HeartbeatRow> = {}): HeartbeatRow {
  return { id: 1, ...newHeartbeat('job', 'api', null, {}, t0), ...patch };
}

const ping = (kind: Ping['kind'], at: number, exitCode: number | null = null): Ping => ({ kind, at, exitCode, output: null, via: 'ping' });
const after = (r: HeartbeatRow, c: Change): HeartbeatRow => ({ ...r, ...c.patch }) as HeartbeatRow;

describe('heartbeat schedules', () => {
  it('every: the next success is due that long after the last', () => {
    expect(nextDue(spec({ every: '1h' }), t0)).toBe(t0 + H);
  });

  it('cron: due at the next occurrence on the wall clock of its zone, across the spring DST change', () => {
    const nightly = spec({ cron: '30 2 * * *', timeZone: 'Europe/Berlin' });
    // Saturday 2026-03-28 02:31 CET; the next 02:30 does not exist (clocks jump 02:00 → 03:00): due at 03:00 CEST.
    const sat = Date.parse('2026-03-28T01:31:00Z');
    expect(new Date(nextDue(nightly, sat)).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // And the night after, 02:30 CEST again.
    expect(new Date(nextDue(nightly, Date.parse('2026-03-29T01:05:00Z'))).toISOString()).toBe('2026-03-30T00:30:00.000Z');
    // In autumn the repeated hour fires once, on its first pass.
    expect(new Date(nextDue(nightly, Date.parse('2026-10-24T00:31:00Z'))).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('refuses definitions without exactly one schedule, too short a period, or a bad zone', () => {
    const problems = (input: Record<string, unknown>) => {
      const r = parseHeartbeatSpec({ name: 'x', ...input });
      return r.ok ? [] : r.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(problems({})).toEqual(['every: give exactly one schedule: every (a duration) or cron (5 fields)']);
    expect(problems({ every: '1h', cron: '0 * * * *' })[0]).toMatch(/^every: give exactly one schedule/);
    expect(problems({ every: '10s' })).toEqual(['every: invalid duration "10s": must be at least 30s']);
    expect(problems({ every: '1h', timeZone: 'Europe/Berlin' })).toEqual(['timeZone: only a cron schedule has a time zone']);
    expect(problems({ cron: '0 * * *' })[0]).toMatch(/^cron: invalid cron expression "0 \* \* \*": expected 5 fields/);
    expect(problems({ cron: '0 3 * * *', timeZone: 'Mars/Olympus' })[0]).toMatch(/^timeZone: unknown time zone "Mars\/Olympus"/);
    expect(problems({ every: '1h', severity: 'fatal' })[0]).toMatch(/^severity: /);
    expect(problems({ every: '1h', matchers: ['alertname=~"('] })[0]).toMatch(/^matchers: /);
    expect(parseHeartbeatSpec({ name: '../etc', every: '1h' }).ok).toBe(false);
  });
});

describe('heartbeat states', () => {
  const hourly = spec({ every: '1h', grace: '10m' });

  it('new → up on the first success; late at the due time; down after the grace, with the last ping in the title; up again on the next success', () => {
    let r = row();
    const first = onPing(r, hourly, ping('success', t0));
    expect(first.effect).toBeNull();
    r = after(r, first);
    expect(r).toMatchObject({ state: 'up', dueAt: t0 + H, checkAt: t0 + H, lastPingAt: t0 });

    expect(onCheck(r, hourly, t0 + H - 1).patch).toEqual({});
    const late = onCheck(r, hourly, t0 + H);
    expect(late.effect).toBeNull();
    r = after(r, late);
    expect(r).toMatchObject({ state: 'late', lateSince: t0 + H, checkAt: t0 + H + 10 * MIN });

    const down = onCheck(r, hourly, t0 + H + 10 * MIN);
    expect(down.effect).toEqual({
      fire: {
        title: 'Heartbeat job missed (last ping 70 min ago)',
        details: 'job was due at 2026-11-22T13:00:00.000Z and sent no ping within the 10m grace; last ping at 2026-11-22T12:00:00.000Z.',
      },
    });
    r = after(r, down);
    expect(r).toMatchObject({ state: 'down', downSince: t0 + H + 10 * MIN, checkAt: null });

    const back = onPing(r, hourly, ping('success', t0 + 3 * H));
    expect(back.effect).toEqual({ resolve: { downForMs: 3 * H - H - 10 * MIN, message: 'Heartbeat job is up again (ping) after 1h50m down' } });
    expect(after(r, back)).toMatchObject({ state: 'up', downSince: null, dueAt: t0 + 4 * H });
  });

  it('a sweep that comes late goes straight to down at the right instant', () => {
    const r = row({ state: 'up', lastPingAt: t0, dueAt: t0 + H, checkAt: t0 + H });
    const c = onCheck(r, hourly, t0 + 5 * H);
    expect(c.patch).toMatchObject({ state: 'down', downSince: t0 + H + 10 * MIN });
    expect(c.effect && 'fire' in c.effect && c.effect.fire.title).toBe('Heartbeat job missed (last ping 5 h ago)');
  });

  it('a run started and not finished within the grace is late, then down', () => {
    const daily = spec({ every: '1d', grace: '30m' });
    let r = row({ state: 'up', lastPingAt: t0 - 2 * H, dueAt: t0 + 22 * H, checkAt: t0 + 22 * H });
    r = after(r, onPing(r, daily, ping('start', t0)));
    expect(r).toMatchObject({ startedAt: t0, checkAt: t0 + 30 * MIN });
    r = after(r, onCheck(r, daily, t0 + 30 * MIN));
    expect(r).toMatchObject({ state: 'late', lateSince: t0 + 30 * MIN, checkAt: t0 + 60 * MIN });
    const down = onCheck(r, daily, t0 + 60 * MIN);
    expect(down.effect && 'fire' in down.effect && down.effect.fire.title).toBe('Heartbeat job missed: run started 60 min ago did not finish');
  });

  it('a run that finishes in time clears its start', () => {
    const daily = spec({ every: '1d', grace: '30m' });
    let r = row({ state: 'up', lastPingAt: t0 - 2 * H, dueAt: t0 + 22 * H, checkAt: t0 + 22 * H });
    r = after(r, onPing(r, daily, ping('start', t0)));
    r = after(r, onPing(r, daily, ping('success', t0 + 20 * MIN)));
    expect(r).toMatchObject({ state: 'up', startedAt: null, dueAt: t0 + 20 * MIN + 24 * H, checkAt: t0 + 20 * MIN + 24 * H });
  });

  it('a failure is down at once, with the exit code; a second failure changes nothing more', () => {
    let r = row({ state: 'up', lastPingAt: t0 - H, dueAt: t0, checkAt: t0 });
    const failed = onPing(r, hourly, ping('fail', t0 + MIN, 3));
    expect(failed.effect && 'fire' in failed.effect && failed.effect.fire.title).toBe('Heartbeat job failed (exit code 3)');
    r = after(r, failed);
    expect(r).toMatchObject({ state: 'down', downSince: t0 + MIN, lastExitCode: 3, checkAt: null });
    expect(onPing(r, hourly, ping('fail', t0 + 2 * MIN, 3)).effect).toBeNull();
  });

  it('a paused monitor decides nothing; pausing a down one resolves it; resuming gives a full period', () => {
    let r = row({ state: 'down', lastPingAt: t0, downSince: t0 + H });
    const paused = onPause(r, hourly, t0 + 2 * H, 'alice');
    expect(paused.effect).toEqual({ resolve: { downForMs: H, message: 'Heartbeat job paused by alice; its incident resolves' } });
    r = after(r, paused);
    expect(r).toMatchObject({ paused: true, state: 'up', checkAt: null });
    expect(onCheck(r, hourly, t0 + 10 * H).patch).toEqual({});
    expect(onPing(r, hourly, ping('fail', t0 + 3 * H)).effect).toBeNull();
    r = after(r, onResume(r, hourly, t0 + 4 * H));
    expect(r).toMatchObject({ paused: false, state: 'up', dueAt: t0 + 5 * H, checkAt: t0 + 5 * H });
  });

  it('after Vigil was away, a deadline that passed meanwhile gets the grace again from start-up, said on the incident', () => {
    const r = row({ state: 'up', lastPingAt: t0, dueAt: t0 + H, checkAt: t0 + H });
    const stopped = t0 + 30 * MIN;
    const started = t0 + 3 * H;
    const c = onRestart(r, hourly, stopped, started);
    expect(c.patch).toMatchObject({ state: 'late', lateSince: t0 + H, checkAt: started + 10 * MIN });
    expect(c.patch.note).toBe('Vigil was not running from 2026-11-22T12:30:00.000Z to 2026-11-22T15:00:00.000Z; the 10m grace started again at start-up.');
    const down = onCheck(after(r, c), hourly, started + 10 * MIN);
    expect(down.effect && 'fire' in down.effect && down.effect.fire.details).toMatch(/Vigil was not running from .* grace started again at start-up\.$/);
    // A deadline before Vigil stopped, or one still ahead, is left alone.
    expect(onRestart(r, hourly, t0 + 2 * H, started).patch).toEqual({});
    expect(onRestart(r, hourly, stopped, t0 + 50 * MIN).patch).toEqual({});
  });
});
