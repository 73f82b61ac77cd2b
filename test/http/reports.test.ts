import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startVigil, type TestVigil } from '../helpers/vigil.js';
import { API, HOUR, MIN, at, fire, reportRulesDir, seedWeek, weekSince, weekUntil } from './reports-seed.js';

let v: TestVigil;
afterEach(async () => v?.close());

async function seeded(): Promise<TestVigil> {
  const t = await startVigil({
    file: { rules: { dir: reportRulesDir() }, digests: { timeZone: 'Europe/Berlin' } },
    auth: { apiTokens: ['api-token'] },
    now: '2026-03-09T08:00:00Z',
  });
  await seedWeek(t);
  t.clock.set('2026-03-16T06:00:00Z');
  return t;
}

const summary = (t: TestVigil, query: string) => t.json(`/api/v1/reports/summary?${query}`, API);
const week = `since=${weekSince}&until=${weekUntil}`;

describe('GET /api/v1/reports/summary', () => {
  it('leaves out incidents whose policy says digest: false', async () => {
    const dir = reportRulesDir();
    const file = path.join(dir, '00-policies.yaml');
    // The info policy is the last one in the file: hide it from reports.
    const text = readFileSync(file, 'utf8');
    const at = text.lastIndexOf('digest: true');
    writeFileSync(file, `${text.slice(0, at)}digest: false${text.slice(at + 'digest: true'.length)}`);
    v = await startVigil({ file: { rules: { dir }, digests: { timeZone: 'Europe/Berlin' } }, auth: { apiTokens: ['api-token'] }, now: '2026-03-09T08:00:00Z' });
    await seedWeek(v);
    v.clock.set('2026-03-16T06:00:00Z');
    const s = await summary(v, week);
    expect(s.incidents.total).toBe(4);
    expect(s.incidents.bySeverity.info).toBe(0);
  });

  it('gives the exact figures of a seeded week', async () => {
    v = await seeded();
    const s = await summary(v, week);
    expect(s.period).toEqual({ since: at(weekSince), until: at(weekUntil), timeZone: 'Europe/Berlin', team: null });
    expect(s.empty).toBe(false);
    expect(s.incidents).toEqual({
      total: 5,
      bySeverity: { critical: 2, warning: 2, reminder: 0, info: 1 },
      byPriority: { P1: 2, P2: 2, P3: 0, P4: 1 },
      resolved: 4,
      heartbeats: 0,
    });
    // Acknowledged: #3 5m, #1 10m, #2 40m. Nearest rank: the median is the 2nd of 3, p90 the 3rd.
    expect(s.mtta).toEqual({ count: 3, median: 10 * MIN, p90: 40 * MIN });
    // Resolved: #4 30m, #1 1h, #2 2h, #3 5h. The median is the 2nd of 4 (the lower middle), p90 the 4th.
    expect(s.mttr).toEqual({ count: 4, median: HOUR, p90: 5 * HOUR });
    // Acknowledge SLA: #1 (10m ≤ 15m) and #3 (5m ≤ 15m) met; #2 (40m > 30m) and #5 (never, 30m ran out) missed.
    // Resolve SLA: #1 (1h ≤ 4h) and #2 (2h ≤ 8h) met; #3 (5h > 4h) and #5 (8h ran out on Thursday) missed.
    // #4 is info: no SLA, not measured.
    const half = { measured: 4, met: 2, missed: 2, pending: 0, rate: 0.5, target: 0.95, status: 'missed' };
    expect(s.sla.ack).toEqual(half);
    expect(s.sla.resolve).toEqual(half);
    expect(s.sla.byPriority.find((p: any) => p.priority === 'P1')).toMatchObject({
      ack: { met: 2, missed: 0, rate: 1, status: 'met' },
      resolve: { met: 1, missed: 1, rate: 0.5, status: 'missed' },
    });
    // #4 has no team label: it paged (and counts for) the defaultTeam, platform. MTTR median of 30m, 1h, 2h: 1h.
    expect(s.teams.map((t: any) => [t.team, t.incidents, t.mtta.median, t.mttr.median, t.ack.rate, t.resolve.rate])).toEqual([
      ['platform', 3, 10 * MIN, HOUR, 0.5, 1],
      ['web', 2, 5 * MIN, 5 * HOUR, 0.5, 0],
    ]);
    // #5 is still open at the period's end, 3 days 11 hours after it fired.
    expect(s.open.map((o: any) => [o.id, o.status, o.ageMs])).toEqual([[5, 'triggered', 3 * 24 * HOUR + 11 * HOUR]]);
    expect(s.info.map((i: any) => [i.id, i.title, i.status])).toEqual([[4, 'BackupDone on backup', 'resolved']]);
    // Pages (voice, SMS and chat; email is not on-call load). #1: alice called and messaged (one page), bob
    // texted; #2: bob's chat, bundled; #3: bob called, texted and messaged at 23:00 Berlin (night); #5: bob's chat.
    expect(s.pages).toMatchObject({ total: 5, night: 1, unattributed: 0 });
    expect(s.pages.byPerson).toEqual([
      { person: 'bob', name: 'Bob Example', pages: 4, nightPages: 1, failed: 0, messages: 6, share: 0.8 },
      { person: 'alice', name: 'Alice Example', pages: 1, nightPages: 0, failed: 0, messages: 2, share: 0.2 },
    ]);
    expect(s.daily.map((d: any) => [d.date, d.total, d.mtta, d.mttr])).toEqual([
      ['2026-03-09', 2, 10 * MIN, HOUR],
      ['2026-03-10', 1, 5 * MIN, 5 * HOUR],
      ['2026-03-11', 1, null, 30 * MIN],
      ['2026-03-12', 1, null, null],
      ['2026-03-13', 0, null, null],
      ['2026-03-14', 0, null, null],
      ['2026-03-15', 0, null, null],
    ]);
  });

  it("one team's figures", async () => {
    v = await seeded();
    const s = await summary(v, `${week}&team=web`);
    expect(s.period.team).toBe('web');
    expect(s.incidents.total).toBe(2);
    expect(s.mtta).toEqual({ count: 1, median: 5 * MIN, p90: 5 * MIN });
    expect(s.sla.resolve).toMatchObject({ met: 0, missed: 2, rate: 0 });
    expect(s.pages.byPerson.map((p: any) => [p.person, p.pages, p.nightPages])).toEqual([['bob', 2, 1]]);
  });

  it('reads a past period as it stood then, and defaults to the last seven days', async () => {
    v = await seeded();
    // Monday only, ending at 10:05 UTC: #1 resolved, #2 created and still waiting (its 30m ack SLA is running out at 10:00).
    const monday = await summary(v, 'since=2026-03-09T00:00:00%2B01:00&until=2026-03-09T10:05:00Z');
    expect(monday.incidents.total).toBe(2);
    expect(monday.open.map((o: any) => [o.id, o.status])).toEqual([[2, 'triggered']]);
    expect(monday.sla.ack).toMatchObject({ met: 1, missed: 1, pending: 0 });
    expect(monday.sla.resolve).toMatchObject({ met: 1, missed: 0, pending: 1 });

    v.clock.set(at(weekUntil) + HOUR);
    const last7 = await summary(v, 'since=7d');
    expect(last7.period).toMatchObject({ since: at(weekSince) + HOUR, until: at(weekUntil) + HOUR });
    expect(last7.incidents.total).toBe(5);
    expect((await summary(v, '')).period).toEqual(last7.period);
    const utc = await summary(v, `${week}&tz=UTC`);
    expect(utc.period.timeZone).toBe('UTC');
    expect(utc.daily[0].date).toBe('2026-03-08');
  });

  it('counts report computations in the metrics', async () => {
    v = await seeded();
    await summary(v, week);
    const metrics = await (await v.get('/metrics')).text();
    expect(metrics).toMatch(/^vigil_report_duration_seconds_count 1$/m);
    const steps = Number(/^vigil_report_step_seconds_count (\d+)$/m.exec(metrics)?.[1]);
    expect(steps).toBeGreaterThan(1);
  });

  it('a quiet period says so', async () => {
    v = await seeded();
    const s = await summary(v, 'since=2026-03-01T00:00:00Z&until=2026-03-08T00:00:00Z');
    expect(s.empty).toBe(true);
    expect(s.incidents.total).toBe(0);
    expect(s.sla.ack.status).toBe('no_data');
  });

  it('lists as many open and info incidents as ?limit= asks for, with their totals beside them', async () => {
    v = await seeded();
    const all = await summary(v, week);
    expect([all.open.length, all.openTotal, all.info.length, all.infoTotal]).toEqual([1, 1, 1, 1]);
    const none = await summary(v, `${week}&limit=0`);
    expect([none.open, none.openTotal, none.info, none.infoTotal]).toEqual([[], 1, [], 1]);
    expect([none.escalations.incidents, none.escalations.incidentsTotal, none.flappingTotal, none.selfHealedTotal]).toEqual([[], 0, 0, 0]);
    // The figures do not depend on the lists.
    expect({ ...none, open: all.open, info: all.info }).toEqual(all);
    expect((await summary(v, `${week}&limit=500`)).open).toEqual(all.open);
  });

  it('computes one report at a time; four more wait their turn, and beyond that Vigil answers 503 with Retry-After', async () => {
    v = await seeded();
    const store = v.vigil.store;
    const read = store.reportChunks.bind(store);
    // The first report's reading is held until the test lets it go.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    store.reportChunks = async function* (since, until, options) {
      reads++;
      await held;
      yield* read(since, until, options);
    };
    const until = async (what: string, done: () => boolean) => {
      for (let i = 0; !done(); i++) {
        if (i > 20_000) throw new Error(`never: ${what}`);
        await new Promise((r) => setImmediate(r));
      }
    };
    const first = v.get(`/api/v1/reports/summary?${week}`, API);
    await until('the first report starts', () => reads === 1);
    const waiting = Array.from({ length: 4 }, () => v.get(`/api/v1/reports/summary?${week}`, API));
    await until('four reports wait', () => v.vigil.reports.state.waiting === 4);

    const refused = await v.get(`/api/v1/reports/summary?${week}`, API);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as any).error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/retry shortly$/) });
    expect(reads).toBe(1);
    // Ingest is answered while reports wait.
    await fire(v, '2026-03-16T06:00:00Z', { alertname: 'WhileReporting', service: 'queue', severity: 'warning' });

    release();
    const answers = await Promise.all([first, ...waiting]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as any[];
    expect(bodies.every((b) => b.incidents.total === 5)).toBe(true);
    expect(reads).toBe(5);
    expect(v.vigil.reports.state).toEqual({ running: 0, waiting: 0 });
  });

  it('answers 400 naming the field for bad periods and 401 without the API token', async () => {
    v = await seeded();
    const bad = async (query: string) => {
      const res = await v.get(`/api/v1/reports/summary?${query}`, API);
      expect(res.status).toBe(400);
      return ((await res.json()) as any).error;
    };
    expect(await bad('since=last-week')).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/^query: since: "last-week" is neither an RFC 3339 time nor a duration/),
      details: [{ field: 'since', problem: expect.any(String) }],
    });
    expect((await bad('until=2026-13-01T00:00:00Z')).details[0].field).toBe('until');
    expect((await bad('tz=Mars/Olympus')).message).toMatch(/^query: tz: unknown time zone "Mars\/Olympus"/);
    expect((await bad(`since=${weekUntil}&until=${weekSince}`)).message).toMatch(/^query: since: must be before until/);
    expect((await bad('since=400d')).message).toBe('query: since: the period may be at most 366 days');
    expect((await bad('since=1d&since=2d')).details[0].field).toBe('since');
    expect((await bad('limit=501')).message).toMatch(/^query: limit: /);
    expect((await bad('limit=-1')).details[0].field).toBe('limit');
    expect((await bad('limit=ten')).details[0].field).toBe('limit');
    expect((await v.get('/api/v1/reports/summary')).status).toBe(401);
  });
});
