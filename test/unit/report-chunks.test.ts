import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { computeSummary, createSummaryBuilder, reportEventKinds } from '../../src/reports/figures.js';
import { loadSummary } from '../../src/reports/load.js';
import type { SummaryChunk, SummaryOptions } from '../../src/reports/types.js';
import type { Policy } from '../../src/rules/schema.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { at, DAY, HOUR, incident, seededWeek, since, timeZone, until, type Week } from '../fixtures/reports/week.js';
import { tempDir } from '../helpers/vigil.js';

/** The seeded week cut into chunks of `size` incidents (in the given order), each with all of its rows. */
function chunksOf(w: Week, size: number, order: (ids: number[]) => number[] = (ids) => ids): SummaryChunk[] {
  const ids = order(w.incidents.map((i) => i.id));
  const out: SummaryChunk[] = [];
  for (let k = 0; k < ids.length; k += size) {
    const of = new Set(ids.slice(k, k + size));
    const mine = (r: { incidentId: number | null }) => r.incidentId !== null && of.has(r.incidentId);
    out.push({
      incidents: w.incidents.filter((i) => of.has(i.id)),
      events: w.events.filter(mine),
      notifications: w.notifications.filter(mine),
      alerts: w.alerts.filter(mine),
    });
  }
  return out;
}

function chunked(options: SummaryOptions, chunks: SummaryChunk[]) {
  const builder = createSummaryBuilder(options);
  for (const c of chunks) builder.add(c);
  return builder.finish();
}

/** The periods the figure tests look at: the week, a team, a morning before the end, a quiet month, the week before. */
const periods: SummaryOptions[] = [
  { since, until, timeZone },
  { since, until, timeZone, team: 'payments' },
  { since, until: at('2026-03-10T10:10:00Z'), timeZone },
  { since: at('2026-03-14T00:00:00Z'), until: at('2026-03-14T06:01:00Z'), timeZone },
  { since: at('2026-02-01T00:00:00Z'), until: at('2026-02-08T00:00:00Z'), timeZone },
  { since: at('2026-03-06T00:00:00Z'), until: at('2026-03-07T00:00:00Z'), timeZone },
];

describe('a summary computed chunk by chunk', () => {
  it('equals the one computed from all rows at once, whatever the chunk size and order', () => {
    for (const p of periods) {
      const once = computeSummary({ ...p, ...seededWeek() });
      for (const size of [1, 2, 3, 13]) expect(chunked(p, chunksOf(seededWeek(), size)), `size ${size}`).toEqual(once);
      expect(chunked(p, chunksOf(seededWeek(), 2, (ids) => ids.reverse())), 'reversed').toEqual(once);
    }
  });

  it('takes nothing after finishing', () => {
    const builder = createSummaryBuilder({ since, until, timeZone });
    builder.finish();
    expect(() => builder.add(chunksOf(seededWeek(), 13)[0]!)).toThrow(/finished/);
  });
});

describe('reading a report from the store a chunk at a time', () => {
  let store: SqliteStore | undefined;
  afterEach(async () => store?.close());

  /** The seeded week written into a fresh SQLite store, keeping every id (incidents, events and messages). */
  async function storeWith(w: Week): Promise<SqliteStore> {
    const s = new SqliteStore({ path: path.join(tempDir(), 'v.db'), synchronous: 'normal', maxPendingWrites: 1000, busyTimeoutMs: 1000 });
    await s.write(async (tx) => {
      for (const { id, ...i } of w.incidents) {
        const row = await tx.insertIncident({
          groupKey: `g${id}`,
          source: 'alertmanager',
          firingCount: 0,
          suppressedCount: 0,
          pagedAt: null,
          escalationRound: 0,
          ackSlaBreached: false,
          resolveSlaBreached: false,
          holdUntil: null,
          selfHealed: false,
          flapping: i.reopenCount > 0,
          updatedAt: i.createdAt,
          ...i,
          policy: i.policy as Policy | null,
        });
        expect(row.id).toBe(id);
      }
      for (const e of w.events) await tx.addEvent({ incidentId: e.incidentId, at: e.at, kind: e.kind, actor: e.actor, source: e.source ?? null, message: e.message, data: e.data });
      for (const n of w.notifications) {
        const id = await tx.insertNotification(
          {
            incidentId: n.incidentId,
            kind: n.kind,
            channel: n.channel,
            person: n.person,
            recipientName: n.recipientName,
            address: n.person ?? n.recipientName,
            idempotencyKey: `n${n.id}`,
            dueAt: n.dueAt,
            bundleKey: null,
            fallbackOf: n.fallbackOf,
          },
          n.createdAt,
        );
        expect(id).toBe(n.id);
        await tx.updateNotification(n.id, { status: n.status, deliveredAt: n.deliveredAt, errorKind: n.errorKind ?? null });
      }
      for (const [k, a] of w.alerts.entries()) {
        await tx.insertAlert({
          fingerprint: `f${k}`,
          incidentId: a.incidentId,
          source: 'alertmanager',
          status: 'resolved',
          severity: a.severity,
          rawSeverity: a.severity,
          labels: a.labels,
          annotations: {},
          startsAt: 0,
          endsAt: null,
          expiresAt: null,
          generatorURL: null,
          links: [],
          values: null,
          firstReceivedAt: 0,
          lastReceivedAt: 0,
          receiveCount: a.receiveCount,
          resolvedAt: null,
          resolvedBy: null,
          suppressedBy: null,
        });
      }
    });
    return s;
  }

  it('gives the figures of the rows read all at once, two incidents per chunk', async () => {
    store = await storeWith(seededWeek());
    for (const p of periods) {
      expect(await loadSummary(store, p, { chunkSize: 2 }), JSON.stringify(p)).toEqual(computeSummary({ ...p, ...seededWeek() }));
    }
  });

  it('hands out each incident once, in chunks of at most the size asked for', async () => {
    store = await storeWith(seededWeek());
    const seen: number[] = [];
    for await (const chunk of store.reportChunks(since, until, { size: 2, eventKinds: reportEventKinds })) {
      expect(chunk.incidents.length).toBeLessThanOrEqual(2);
      const ids = new Set(chunk.incidents.map((i) => i.id));
      expect(chunk.events.every((e) => ids.has(e.incidentId))).toBe(true);
      seen.push(...ids);
    }
    // The week's incidents, then #9 (open since the week before). Not #12 (after the period) nor #13 (resolved before it).
    expect(seen.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("counts a page sent shortly before the period that reached someone in it, in a team's report too", async () => {
    const w = seededWeek();
    // Opened and resolved before the period; its call went out at 23:30 the night before and rang at 00:10.
    w.incidents.push(
      incident({ id: 14, title: 'Late-night page', severity: 'critical', team: 'payments', createdAt: since - HOUR, resolvedAt: since - 20 * 60_000 }),
    );
    w.notifications.push({
      id: w.notifications.length + 1,
      incidentId: 14,
      kind: 'page',
      channel: 'voice',
      person: 'dave',
      recipientName: 'Dave',
      status: 'delivered',
      createdAt: since - 30 * 60_000,
      dueAt: since + 10 * 60_000,
      deliveredAt: since + 10 * 60_000,
      fallbackOf: null,
    });
    store = await storeWith(w);
    for (const team of [null, 'payments']) {
      const s = await loadSummary(store, { since, until, timeZone, team }, { chunkSize: 2 });
      expect(s.pages.byPerson.find((p) => p.person === 'dave'), `team ${team}`).toMatchObject({ pages: 1, nightPages: 1 });
      expect(s.incidents.total).toBe(team === null ? 10 : 5);
    }
  });

  it('reads nothing for a period before anything happened', async () => {
    store = await storeWith(seededWeek());
    const chunks = [];
    for await (const chunk of store.reportChunks(since - 30 * DAY, since - 29 * DAY, { size: 2, eventKinds: reportEventKinds })) chunks.push(chunk);
    expect(chunks).toEqual([]);
  });
});
