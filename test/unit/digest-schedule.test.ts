import { describe, expect, it } from 'vitest';
import { digestConfigSchema, nextRun, periodStart, planRun, previousRun } from '../../src/reports/digest-schedule.js';

const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test time ${iso}`);
  return ms;
};
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BERLIN = 'Europe/Berlin';
const daily = { cron: '0 8 * * *', timeZone: BERLIN, period: DAY };

/** The next `n` runs after `from`, each computed from the one before (as the scheduler stores them). */
function runs(cron: string, zone: string, from: string, n: number): string[] {
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) out.push(iso((t = nextRun(cron, zone, t)))!);
  return out;
}

describe('nextRun: 08:00 Europe/Berlin across the 2026 DST changes', () => {
  it('moves from 07:00Z to 06:00Z when the clocks go forward on 29 March', () => {
    expect(runs('0 8 * * *', BERLIN, '2026-03-27T12:00:00Z', 4)).toEqual([
      '2026-03-28T07:00:00.000Z', // Sat 08:00 CET
      '2026-03-29T06:00:00.000Z', // Sun 08:00 CEST, the first morning of summer time
      '2026-03-30T06:00:00.000Z',
      '2026-03-31T06:00:00.000Z',
    ]);
  });

  it('moves from 06:00Z to 07:00Z when the clocks go back on 25 October', () => {
    expect(runs('0 8 * * *', BERLIN, '2026-10-23T12:00:00Z', 4)).toEqual([
      '2026-10-24T06:00:00.000Z', // Sat 08:00 CEST
      '2026-10-25T07:00:00.000Z', // Sun 08:00 CET
      '2026-10-26T07:00:00.000Z',
      '2026-10-27T07:00:00.000Z',
    ]);
  });

  it('fires the weekly digest on Monday 08:00 local on both sides of each change', () => {
    expect(runs('0 8 * * 1', BERLIN, '2026-03-16T12:00:00Z', 3)).toEqual(['2026-03-23T07:00:00.000Z', '2026-03-30T06:00:00.000Z', '2026-04-06T06:00:00.000Z']);
    expect(runs('0 8 * * 1', BERLIN, '2026-10-12T12:00:00Z', 3)).toEqual(['2026-10-19T06:00:00.000Z', '2026-10-26T07:00:00.000Z', '2026-11-02T07:00:00.000Z']);
  });

  it('is strictly after: asked at a due time, it gives the next one', () => {
    expect(iso(nextRun('0 8 * * *', BERLIN, at('2026-03-29T06:00:00Z')))).toBe('2026-03-30T06:00:00.000Z');
    expect(iso(nextRun('0 8 * * *', BERLIN, at('2026-03-29T05:59:59.999Z')))).toBe('2026-03-29T06:00:00.000Z');
  });

  it('fires a time the spring change skips at the first instant after the jump, and a repeated time once', () => {
    // 02:30 does not exist on 29 March (02:00 CET → 03:00 CEST): it fires at 03:00 CEST = 01:00Z.
    expect(runs('30 2 * * *', BERLIN, '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    // 02:30 happens twice on 25 October: it fires on the first pass (CEST, 00:30Z) only.
    expect(runs('30 2 * * *', BERLIN, '2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    // Asked during the second pass of the hour, it does not fire again that night.
    expect(iso(nextRun('30 2 * * *', BERLIN, at('2026-10-25T01:10:00Z')))).toBe('2026-10-26T01:30:00.000Z');
  });

  it('finds the last run at or before an instant, DST included', () => {
    expect(iso(previousRun('0 8 * * *', BERLIN, at('2026-03-29T06:00:00Z')))).toBe('2026-03-29T06:00:00.000Z');
    expect(iso(previousRun('0 8 * * *', BERLIN, at('2026-03-29T05:59:59Z')))).toBe('2026-03-28T07:00:00.000Z');
    // 01:10Z on 25 Oct reads 02:10 CET, but 02:30 CEST (00:30Z) has already passed.
    expect(iso(previousRun('30 2 * * *', BERLIN, at('2026-10-25T01:10:00Z')))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('works in UTC and in zones far from Europe', () => {
    expect(iso(nextRun('0 8 * * *', 'UTC', at('2026-03-29T06:00:00Z')))).toBe('2026-03-29T08:00:00.000Z');
    // New York moved to EDT on 8 March 2026.
    expect(runs('0 8 * * *', 'America/New_York', '2026-03-07T00:00:00Z', 2)).toEqual(['2026-03-07T13:00:00.000Z', '2026-03-08T12:00:00.000Z']);
  });

  it('rejects an unknown zone', () => {
    expect(() => nextRun('0 8 * * *', 'Europe/Atlantis', 0)).toThrow(/time zone/);
  });
});

describe('the period a digest covers', () => {
  it('is one local day, 23 or 25 hours long on the days the clocks change', () => {
    expect(iso(periodStart(at('2026-03-29T06:00:00Z'), DAY, BERLIN))).toBe('2026-03-28T07:00:00.000Z');
    expect(iso(periodStart(at('2026-10-25T07:00:00Z'), DAY, BERLIN))).toBe('2026-10-24T06:00:00.000Z');
    expect(iso(periodStart(at('2026-03-30T06:00:00Z'), 7 * DAY, BERLIN))).toBe('2026-03-23T07:00:00.000Z');
    // Periods that are not whole days are exact.
    expect(iso(periodStart(at('2026-03-29T06:00:00Z'), 12 * HOUR, BERLIN))).toBe('2026-03-28T18:00:00.000Z');
  });
});

describe('planRun: what the scheduler tick does with a stored due time', () => {
  it('waits while the due time is in the future', () => {
    expect(planRun(daily, at('2026-03-29T06:00:00Z'), at('2026-03-29T05:59:59Z'))).toBeNull();
  });

  it('runs a due digest for [due − period, due) and stores the next due time', () => {
    expect(planRun(daily, at('2026-03-29T06:00:00Z'), at('2026-03-29T06:00:01Z'))).toEqual({
      due: at('2026-03-29T06:00:00Z'),
      since: at('2026-03-28T07:00:00Z'),
      until: at('2026-03-29T06:00:00Z'),
      missed: 0,
      next: at('2026-03-30T06:00:00Z'),
    });
  });

  it('catches up a run missed while the process was down, once', () => {
    // Down from 07:30Z on the 28th to 09:30Z on the 29th: the 29th's digest is due on restart and covers
    // the same day it would have; the next one is the following morning.
    const plan = planRun(daily, at('2026-03-29T06:00:00Z'), at('2026-03-29T09:30:00Z'))!;
    expect([iso(plan.due), iso(plan.since), iso(plan.until), plan.missed, iso(plan.next)]).toEqual([
      '2026-03-29T06:00:00.000Z',
      '2026-03-28T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
      0,
      '2026-03-30T06:00:00.000Z',
    ]);
    // Stored after the run, the next tick has nothing to do.
    expect(planRun(daily, plan.next, at('2026-03-29T09:30:05Z'))).toBeNull();
  });

  it('folds several missed runs into one digest that leaves no gap', () => {
    // Due on the 28th, back on the 31st at noon: one digest from the 27th 08:00 CET to the 31st 08:00 CEST.
    const plan = planRun(daily, at('2026-03-28T07:00:00Z'), at('2026-03-31T10:00:00Z'))!;
    expect([iso(plan.due), iso(plan.since), iso(plan.until), plan.missed, iso(plan.next)]).toEqual([
      '2026-03-31T06:00:00.000Z',
      '2026-03-27T07:00:00.000Z',
      '2026-03-31T06:00:00.000Z',
      3,
      '2026-04-01T06:00:00.000Z',
    ]);
  });

  it('catches up the weekly digest over the autumn change', () => {
    const weekly = { cron: '0 8 * * 1', timeZone: BERLIN, period: 7 * DAY };
    const plan = planRun(weekly, at('2026-10-26T07:00:00Z'), at('2026-10-26T07:20:00Z'))!;
    // Monday 19 Oct 08:00 CEST to Monday 26 Oct 08:00 CET: 7 days and an hour.
    expect(iso(plan.since)).toBe('2026-10-19T06:00:00.000Z');
    expect(plan.until - plan.since).toBe(7 * DAY + HOUR);
    expect(iso(plan.next)).toBe('2026-11-02T07:00:00.000Z');
  });
});

describe('the digests config section', () => {
  it('defaults to the daily and weekly digest to management, in UTC', () => {
    const c = digestConfigSchema.parse({});
    expect(c.timeZone).toBe('UTC');
    expect(c.targets).toEqual({ ackCompliance: 0.95, resolveCompliance: 0.95 });
    expect(c.nightHours).toEqual({ start: '22:00', end: '07:00' });
    expect(c.schedules).toEqual([
      { name: 'daily', cron: '0 8 * * *', period: DAY, timeZone: 'UTC', title: 'Daily digest', customTitle: false, to: { roles: ['management'], emails: [], slack: [] } },
      { name: 'weekly', cron: '0 8 * * 1', period: 7 * DAY, timeZone: 'UTC', title: 'Weekly digest', customTitle: false, to: { roles: ['management'], emails: [], slack: [] } },
    ]);
  });

  it('takes schedules with their own zone, team and recipients', () => {
    const c = digestConfigSchema.parse({
      timeZone: BERLIN,
      schedules: [
        { name: 'payments-morning', cron: '30 7 * * 1-5', period: '1d', team: 'payments', to: { emails: ['lead@example.com'], slack: ['#payments-mgmt'] } },
        { name: 'ny', cron: '0 9 * * *', period: '24h', timeZone: 'America/New_York' },
      ],
    });
    expect(c.schedules[0]).toMatchObject({ timeZone: BERLIN, title: 'Payments-morning digest', team: 'payments', to: { roles: [], emails: ['lead@example.com'], slack: ['#payments-mgmt'] } });
    expect(c.schedules[1]).toMatchObject({ timeZone: 'America/New_York', period: DAY, to: { roles: ['management'] } });
  });

  it('names the field of each mistake', () => {
    const r = digestConfigSchema.safeParse({
      timeZone: 'Mars/Olympus',
      schedules: [
        { name: 'a', cron: '0 8 * *', period: '1d' },
        { name: 'a', cron: '0 25 * * *', period: '1 day' },
        { name: 'b', cron: '0 8 * * *', period: '1d', to: { roles: [] } },
      ],
      extra: true,
    });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^timeZone: unknown time zone "Mars\/Olympus"/),
        expect.stringMatching(/^schedules\.0\.cron: invalid cron expression "0 8 \* \*": expected 5 fields/),
        expect.stringMatching(/^schedules\.1\.cron: invalid cron expression "0 25 \* \* \*"/),
        expect.stringMatching(/^schedules\.1\.period: invalid period "1 day"/),
        expect.stringMatching(/^schedules\.2\.to: names nobody/),
        expect.stringMatching(/^: Unrecognized key/),
      ]),
    );
  });

  it('rejects duplicate schedule names', () => {
    const r = digestConfigSchema.safeParse({ schedules: [{ name: 'd', cron: '0 8 * * *', period: '1d' }, { name: 'd', cron: '0 9 * * *', period: '1d' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['schedules.1.name', 'duplicate schedule name "d"']]);
  });
});
