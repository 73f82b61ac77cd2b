import { describe, expect, expectTypeOf, it } from 'vitest';
import { computeSummary } from '../../src/reports/figures.js';
import type { ReviewAlert } from '../../src/reports/review.js';
import type { ReportAlert, ReportEvent, ReportIncident, ReportNotification, SummaryInput } from '../../src/reports/types.js';
import type { AlertRow, IncidentRow, NotificationRow, TimelineEvent } from '../../src/store/types.js';
import { at, DAY, HOUR, incident, MIN, Outbox, policy, seededWeek, since, timeZone, Timeline, until } from '../fixtures/reports/week.js';


const week = () => ({ since, until, timeZone, ...seededWeek() });
const summary = (over: Partial<SummaryInput> = {}) => computeSummary({ ...week(), ...over });

describe('computeSummary over a seeded week (Mon 9 – Mon 16 Mar 2026, Europe/Berlin)', () => {
  const s = summary();

  it('counts the incidents created in the period, by severity and priority', () => {
    // #1–#8, #10, #11; #9 opened before, #12 after, #13 long before.
    expect(s.incidents).toEqual({
      total: 10,
      bySeverity: { critical: 5, warning: 3, reminder: 1, info: 1 },
      byPriority: { P1: 5, P2: 3, P3: 1, P4: 1 },
      resolved: 8,
      heartbeats: 0,
    });
    expect(s.empty).toBe(false);
    expect(s.period).toEqual({ since, until, timeZone, team: null });
  });

  it('gives MTTA and MTTR as nearest-rank median and p90', () => {
    // Acknowledged: #1 4m, #2 20m, #3 10m, #5 60m, #10 5m (its first cycle, not the row's 3h02m).
    expect(s.mtta).toEqual({ count: 5, median: 10 * MIN, p90: 60 * MIN });
    // Resolved by `until`: 5m (#11), 20m (#4), 30m (#6), 30m (#10, first cycle), 60m (#1), 2h (#3), 5h (#2), 27h (#5).
    // #8 resolved only after the period ended.
    expect(s.mttr).toEqual({ count: 8, median: 30 * MIN, p90: 27 * HOUR });
  });

  it('measures SLA compliance against the target, leaving out what is still running', () => {
    // Ack: met #1 #3 #4 (resolved before anyone had to) #5 #10; missed #2 (20m > 15m), #7 (never, SLA ran out
    // at 21:15Z); pending #8 (SLA ends 23:10Z, after the period); #6 has none, #11 never paged.
    expect(s.sla.ack).toEqual({ measured: 7, met: 5, missed: 2, pending: 1, rate: 5 / 7, target: 0.95, status: 'missed' });
    // Resolve: met #1 #3 #4 #10; missed #2 (5h > 4h), #5 (27h > 24h); pending #7 and #8.
    expect(s.sla.resolve).toEqual({ measured: 6, met: 4, missed: 2, pending: 2, rate: 4 / 6, target: 0.95, status: 'missed' });
    const p1 = s.sla.byPriority.find((x) => x.priority === 'P1')!;
    expect([p1.ack.met, p1.ack.missed, p1.ack.pending]).toEqual([2, 2, 0]);
    expect([p1.resolve.met, p1.resolve.missed, p1.resolve.pending]).toEqual([2, 1, 1]);
    const p4 = s.sla.byPriority.find((x) => x.priority === 'P4')!;
    expect(p4.ack.status).toBe('no_data');
  });

  it('gives the same figures per team', () => {
    expect(s.teams.map((t) => [t.team, t.incidents])).toEqual([
      ['payments', 5],
      ['platform', 5],
    ]);
    const [payments, platform] = s.teams;
    expect(payments!.mtta).toEqual({ count: 3, median: 10 * MIN, p90: 60 * MIN });
    expect(payments!.mttr).toEqual({ count: 4, median: 60 * MIN, p90: 27 * HOUR });
    expect([payments!.ack.met, payments!.ack.measured, payments!.resolve.met, payments!.resolve.measured]).toEqual([3, 4, 2, 3]);
    expect(platform!.mtta).toEqual({ count: 2, median: 5 * MIN, p90: 20 * MIN });
    expect(platform!.mttr).toEqual({ count: 4, median: 30 * MIN, p90: 5 * HOUR });
    expect([platform!.ack.met, platform!.ack.measured, platform!.resolve.met, platform!.resolve.measured]).toEqual([2, 3, 2, 3]);
  });

  it('lists the incidents open at the end of the period with their age, most urgent and oldest first', () => {
    expect(s.open.map((o) => [o.id, o.status, o.ageMs, o.acknowledgedBy])).toEqual([
      [9, 'acknowledged', 10 * DAY + 13 * HOUR, 'carol'],
      [7, 'triggered', 2 * HOUR, null],
      [8, 'triggered', 20 * MIN, null],
    ]);
  });

  it('ranks the noisiest alerts by incidents, then deliveries, over the period only', () => {
    expect(s.noisiestAlerts.slice(0, 4)).toEqual([
      { alertname: 'HighErrorRate', incidents: 2, alerts: 2, receives: 70 },
      { alertname: 'HighCPU', incidents: 2, alerts: 2, receives: 13 },
      { alertname: 'InstanceDown', incidents: 1, alerts: 2, receives: 16 },
      { alertname: 'DiskFull', incidents: 1, alerts: 1, receives: 12 },
    ]);
    expect(s.noisiestAlerts).toHaveLength(8);
    expect(summary({ noisiestLimit: 2 }).noisiestAlerts).toHaveLength(2);
  });

  it('lists flapping incidents, self-heals and runbook results', () => {
    expect(s.flapping).toEqual([{ id: 10, title: 'Instance down: web-1', team: 'platform', reopens: 1, alertnames: ['InstanceDown'] }]);
    expect(s.selfHealed).toEqual([{ id: 11, title: 'Checkout service down', team: 'payments', at: at('2026-03-12T14:05:00Z'), runbook: 'restart-checkout' }]);
    // 2 succeeded of 4 that acted (the dry run changed nothing).
    expect(s.runbooks.runs).toBe(5);
    expect(s.runbooks.outcomes).toEqual({ succeeded: 2, failed: 1, escalate: 1, dry_run: 1, refused: 0, other: 0 });
    expect(s.runbooks.successRate).toBe(0.5);
    expect(s.runbooks.byRunbook.map((r) => [r.runbook, r.runs, r.successRate])).toEqual([
      ['scale-up', 2, 1],
      ['restart-api', 1, 0],
      ['restart-checkout', 1, 1],
      ['restart-db', 1, 0],
    ]);
  });

  it('reports escalations, unanswered ones first', () => {
    expect(s.escalations.escalations).toBe(3);
    expect(s.escalations.exhausted).toBe(1);
    expect(s.escalations.incidents).toEqual([
      { id: 7, title: 'Payment gateway down', team: 'payments', escalations: 2, maxTier: 3, exhausted: true, answeredAt: null, answeredBy: null },
      { id: 2, title: 'API error rate above 5%', team: 'platform', escalations: 1, maxTier: 2, exhausted: false, answeredAt: at('2026-03-10T10:20:00Z'), answeredBy: 'bob' },
    ]);
  });

  it('counts pages per person and at night (22:00–07:00 Berlin) for on-call fairness', () => {
    // Alice: #1 03:00 local (night), #2, #3's bundled chat, #7 22:01 local by the SMS fallback (night).
    // Bob: #2 escalation, #7 escalation 22:15 (night), #10 04:00 (night), #10's reopen at 07:00:02 (day).
    // Carol: #4 chat, #7 escalation 22:30 that failed (night), #8 SMS still pending at 23:40 (night).
    // Emails (Maria's, the team's) are not pages; #3's team channel has no person.
    expect(s.pages.byPerson.map((p) => [p.person, p.pages, p.nightPages, p.failed])).toEqual([
      ['alice', 4, 2, 0],
      ['bob', 4, 2, 0],
      ['carol', 3, 2, 1],
    ]);
    expect(s.pages.total).toBe(11);
    expect(s.pages.night).toBe(6);
    expect(s.pages.unattributed).toBe(1);
    const alice = s.pages.byPerson[0]!;
    expect(alice.name).toBe('Alice');
    expect(alice.messages).toBe(6); // call + text for #1, call for #2, chat for #3, failed call + fallback text for #7
    expect(alice.share).toBeCloseTo(4 / 11, 10);
  });

  it('moves the night with the configured hours and counts email when told to', () => {
    const early = summary({ nightHours: { start: '21:00', end: '04:00' } });
    // Now bob's 04:00 page is day, his #10 reopen stays day; carol's and alice's stay night.
    expect(early.pages.byPerson.map((p) => [p.person, p.nightPages])).toEqual([
      ['alice', 2],
      ['bob', 1],
      ['carol', 2],
    ]);
    const withEmail = summary({ pageChannels: ['voice', 'sms', 'chat', 'email'] });
    expect(withEmail.pages.byPerson.find((p) => p.person === 'mgr')?.pages).toBe(2);
    expect(withEmail.pages.byPerson.find((p) => p.person === 'bob')?.pages).toBe(5);
  });

  it('lists the info incidents of the period', () => {
    expect(s.info).toEqual([
      { id: 6, title: 'Nightly backup finished late', team: 'platform', service: null, createdAt: at('2026-03-13T23:30:00Z'), alertCount: 1, status: 'resolved' },
    ]);
  });

  it('splits the period into local days for the trend chart', () => {
    expect(s.daily.map((d) => d.date)).toEqual(['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15']);
    expect(s.daily.map((d) => [d.total, d.bySeverity.critical, d.bySeverity.warning, d.bySeverity.reminder, d.bySeverity.info])).toEqual([
      [1, 1, 0, 0, 0],
      [1, 1, 0, 0, 0],
      [1, 0, 1, 0, 0],
      [2, 1, 1, 0, 0],
      [1, 0, 0, 1, 0],
      [2, 1, 0, 0, 1], // #6 at 00:30 local belongs to the 14th
      [2, 1, 1, 0, 0],
    ]);
    expect(s.daily.map((d) => [d.mtta, d.mttr])).toEqual([
      [4 * MIN, 60 * MIN],
      [20 * MIN, 5 * HOUR],
      [10 * MIN, 2 * HOUR],
      [null, 5 * MIN],
      [60 * MIN, 27 * HOUR],
      [5 * MIN, 30 * MIN],
      [null, null],
    ]);
    expect(s.daily[0]!.start).toBe(since);
    expect(s.daily[6]!.end).toBe(until);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  // Checked by the typecheck (npm run lint): a change to a row type that breaks this fails it.
  it('takes the store rows as they are', () => {
    expectTypeOf<IncidentRow>().toExtend<ReportIncident>();
    expectTypeOf<TimelineEvent>().toExtend<ReportEvent>();
    expectTypeOf<NotificationRow>().toExtend<ReportNotification>();
    expectTypeOf<AlertRow>().toExtend<ReportAlert>();
    expectTypeOf<AlertRow>().toExtend<ReviewAlert>();
  });
});

describe('computeSummary: which incidents count', () => {
  it('ignores incidents, events and alerts outside the period, so the store may pass more', () => {
    const w = seededWeek();
    const outside = new Set([12, 13]);
    const trimmed = computeSummary({
      since,
      until,
      timeZone,
      incidents: w.incidents.filter((i) => !outside.has(i.id)),
      events: w.events.filter((e) => !outside.has(e.incidentId)),
      notifications: w.notifications.filter((n) => !outside.has(n.incidentId ?? 0)),
      alerts: w.alerts.filter((a) => !outside.has(a.incidentId)),
    });
    expect(trimmed).toEqual(computeSummary({ since, until, timeZone, ...w }));
  });

  it('reads everything as of `until`: an earlier end sees less acknowledged and resolved', () => {
    // End on 10 Mar 10:10Z: #2 is 10 minutes old, not yet acknowledged and still inside its ack SLA.
    const s = summary({ until: at('2026-03-10T10:10:00Z') });
    expect(s.incidents.total).toBe(2);
    expect(s.open.map((o) => o.id)).toEqual([9, 2]);
    expect(s.sla.ack).toMatchObject({ met: 1, missed: 0, pending: 1 });
    expect(s.mtta).toEqual({ count: 1, median: 4 * MIN, p90: 4 * MIN });
  });

  it('reports an open incident as open at `until` even if it was resolved and reopened since', () => {
    // At 05:00Z on the 14th #10 had been resolved (03:30Z) and not yet reopened (06:00Z); #5 (resolved at
    // 12:00Z) was still open.
    const s = summary({ since: at('2026-03-14T00:00:00Z'), until: at('2026-03-14T05:00:00Z') });
    expect(s.open.map((o) => o.id)).toEqual([9, 5]);
    expect(s.flapping).toEqual([]);
    const later = summary({ since: at('2026-03-14T00:00:00Z'), until: at('2026-03-14T06:01:00Z') });
    expect(later.open.map((o) => [o.id, o.status])).toEqual([
      [9, 'acknowledged'],
      [10, 'triggered'],
      [5, 'acknowledged'],
    ]);
    expect(later.flapping.map((f) => [f.id, f.reopens])).toEqual([[10, 1]]);
  });

  it('filters by team, pages included', () => {
    const s = summary({ team: 'payments' });
    expect(s.period.team).toBe('payments');
    expect(s.incidents.total).toBe(5);
    expect(s.teams.map((t) => t.team)).toEqual(['payments']);
    expect(s.open.map((o) => o.id)).toEqual([9, 7]);
    // Payments pages: alice #1 (night), #3, #7 (night); bob #7 (night); carol #7 (night, failed).
    expect(s.pages.byPerson.map((p) => [p.person, p.pages, p.nightPages])).toEqual([
      ['alice', 3, 2],
      ['bob', 1, 1],
      ['carol', 1, 1],
    ]);
    expect(s.escalations.incidents.map((i) => i.id)).toEqual([7]);
    expect(s.runbooks.runs).toBe(3);
  });

  it('falls back to the row when an incident comes without its timeline', () => {
    const s = computeSummary({
      since,
      until,
      timeZone,
      incidents: [
        incident({ id: 1, title: 'x', severity: 'critical', createdAt: at('2026-03-10T00:00:00Z'), acknowledgedAt: at('2026-03-10T00:07:00Z'), resolvedAt: at('2026-03-10T01:00:00Z'), reopenCount: 2 }),
      ],
      events: [],
      notifications: [],
      alerts: [],
    });
    expect(s.mtta.median).toBe(7 * MIN);
    expect(s.mttr.median).toBe(HOUR);
    expect(s.flapping.map((f) => f.reopens)).toEqual([2]);
  });
});

describe('computeSummary: SLA targets', () => {
  /** n P1 incidents, the first `late` of them acknowledged after 20 minutes, the rest after 5. */
  function p1s(n: number, late: number) {
    const start = at('2026-03-10T00:00:00Z');
    return Array.from({ length: n }, (_, k) =>
      incident({ id: k + 1, title: `i${k}`, severity: 'critical', createdAt: start + k * HOUR, acknowledgedAt: start + k * HOUR + (k < late ? 20 : 5) * MIN, resolvedAt: start + k * HOUR + 30 * MIN }),
    );
  }
  const run = (n: number, late: number) => computeSummary({ since, until, timeZone, incidents: p1s(n, late), events: [], notifications: [], alerts: [] });

  it('meets a 95 % target at exactly 19 of 20 and misses it at 18 of 20', () => {
    expect(run(20, 1).sla.ack).toMatchObject({ met: 19, measured: 20, rate: 0.95, status: 'met' });
    expect(run(20, 2).sla.ack).toMatchObject({ met: 18, measured: 20, status: 'missed' });
    expect(run(20, 2).sla.resolve).toMatchObject({ met: 20, status: 'met' });
  });

  it('uses the given targets', () => {
    const s = computeSummary({ since, until, timeZone, incidents: p1s(10, 2), events: [], notifications: [], alerts: [], targets: { ackCompliance: 0.8, resolveCompliance: 1 } });
    expect(s.sla.ack).toMatchObject({ rate: 0.8, target: 0.8, status: 'met' });
    expect(s.sla.resolve).toMatchObject({ rate: 1, target: 1, status: 'met' });
  });

  it('says no_data rather than met when nothing had an SLA', () => {
    const s = computeSummary({
      since,
      until,
      timeZone,
      incidents: [incident({ id: 1, title: 'info', severity: 'info', createdAt: at('2026-03-10T00:00:00Z') })],
      events: [],
      notifications: [],
      alerts: [],
    });
    expect(s.sla.ack).toMatchObject({ measured: 0, rate: null, status: 'no_data' });
  });

  it('counts an SLA that runs out exactly at `until` as pending, one that ran out before as missed', () => {
    const createdAt = until - policy.P1.ackSla;
    const s = computeSummary({ since, until, timeZone, incidents: [incident({ id: 1, title: 'x', severity: 'critical', createdAt })], events: [], notifications: [], alerts: [] });
    expect(s.sla.ack).toMatchObject({ pending: 1, missed: 0 });
    const t = computeSummary({ since, until: until + 1, timeZone, incidents: [incident({ id: 1, title: 'x', severity: 'critical', createdAt })], events: [], notifications: [], alerts: [] });
    expect(t.sla.ack).toMatchObject({ pending: 0, missed: 1 });
  });
});

describe('computeSummary: empty periods, bad input, DST days', () => {
  it('marks a period with nothing in it as empty', () => {
    const s = summary({ since: at('2026-02-01T00:00:00Z'), until: at('2026-02-08T00:00:00Z') });
    expect(s.empty).toBe(true);
    expect(s.incidents.total).toBe(0);
    expect(s.mtta).toEqual({ count: 0, median: null, p90: null });
    expect(s.sla.ack.status).toBe('no_data');
  });

  it('is not empty while something from before is still open', () => {
    const s = summary({ since: at('2026-03-06T00:00:00Z'), until: at('2026-03-07T00:00:00Z') });
    expect(s.incidents.total).toBe(0);
    expect(s.open.map((o) => o.id)).toEqual([9]);
    expect(s.empty).toBe(false);
  });

  it('rejects an inverted period, an unknown zone and bad night hours', () => {
    expect(() => summary({ since: until, until: since })).toThrow(RangeError);
    expect(() => summary({ timeZone: 'Mars/Olympus' })).toThrow(/time zone/);
    expect(() => summary({ nightHours: { start: '25:00', end: '07:00' } })).toThrow(/time of day/);
  });

  it('has a 23-hour local day when the clocks go forward', () => {
    const t = new Timeline();
    const o = new Outbox();
    const s = computeSummary({
      since: at('2026-03-28T23:00:00Z'), // Sun 29 Mar 00:00 CET
      until: at('2026-03-30T22:00:00Z'), // Tue 31 Mar 00:00 CEST
      timeZone,
      incidents: [
        incident({ id: 1, title: 'late Sunday', severity: 'warning', createdAt: at('2026-03-29T21:59:00Z') }), // 23:59 CEST
        incident({ id: 2, title: 'early Monday', severity: 'warning', createdAt: at('2026-03-29T22:00:00Z') }), // 00:00 CEST
      ],
      events: t.events,
      notifications: o.notifications,
      alerts: [],
    });
    expect(s.daily.map((d) => [d.date, d.end - d.start, d.total])).toEqual([
      ['2026-03-29', 23 * HOUR, 1],
      ['2026-03-30', 24 * HOUR, 1],
    ]);
  });
});
