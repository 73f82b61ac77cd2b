import { describe, expect, it } from 'vitest';
import type { ContractContext } from '../contract.js';
import { newEvent, newIncident, policy } from '../fixtures.js';

export function incidentsContract({ store, reopen }: ContractContext): void {
  describe('incidents', () => {
    it('keeps every field of an incident as written (its policy and flags too), in the write and after it', async () => {
      const s = await store();
      const written = newIncident({ policy, pagedAt: 1_100, ackSlaBreached: true, selfHealed: true, flapping: true, holdUntil: 2_000 });
      const row = await s.write((tx) => tx.insertIncident(written));
      expect(row).toEqual({ id: expect.any(Number), ...written });
      expect(await s.getIncident(row.id)).toEqual(row);
      expect(await s.write((tx) => tx.getIncident(row.id))).toEqual(row);
      expect(await s.getIncident(row.id + 1)).toBeUndefined();
    });

    it('updateIncident writes only the fields given', async () => {
      const s = await store();
      const row = await s.write((tx) => tx.insertIncident(newIncident()));
      await s.write((tx) => tx.updateIncident(row.id, { status: 'acknowledged', acknowledgedAt: 2_000, acknowledgedBy: 'alice', policy, resolveSlaBreached: true }));
      expect(await s.getIncident(row.id)).toEqual({ ...row, status: 'acknowledged', acknowledgedAt: 2_000, acknowledgedBy: 'alice', policy, resolveSlaBreached: true });
      await s.write((tx) => tx.updateIncident(row.id, { policy: null }));
      expect((await s.getIncident(row.id))?.policy).toBeNull();
    });

    it('a group key finds its open incident, and the one resolved last', async () => {
      const s = await store();
      const key = '{alertname="A"}';
      // The newer row resolved earlier: the one resolved last wins, not the newest.
      const resolvedLast = await s.write(async (tx) => {
        const resolvedLast = await tx.insertIncident(newIncident({ groupKey: key, status: 'resolved', resolvedAt: 5_000 }));
        await tx.insertIncident(newIncident({ groupKey: key, status: 'resolved', resolvedAt: 3_000 }));
        await tx.insertIncident(newIncident({ groupKey: 'other', status: 'triggered' }));
        return resolvedLast;
      });
      expect(await s.write((tx) => tx.openIncidentByGroupKey(key))).toBeUndefined();
      expect(await s.write((tx) => tx.lastResolvedIncidentByGroupKey(key))).toEqual(resolvedLast);
      const open = await s.write((tx) => tx.insertIncident(newIncident({ groupKey: key, status: 'acknowledged' })));
      expect(await s.write((tx) => tx.openIncidentByGroupKey(key))).toEqual(open);
      expect(await s.write((tx) => tx.lastResolvedIncidentByGroupKey('nothing'))).toBeUndefined();
    });

    it('openIncidentsByGroupKeys: the open incident of each key in one go, keys without one left out', async () => {
      const s = await store();
      const [a, b] = await s.write(async (tx) => [
        await tx.insertIncident(newIncident({ groupKey: 'ka', status: 'triggered' })),
        await tx.insertIncident(newIncident({ groupKey: 'kb', status: 'acknowledged' })),
        await tx.insertIncident(newIncident({ groupKey: 'kc', status: 'resolved', resolvedAt: 2_000 })),
      ]);
      const found = await s.write((tx) => tx.openIncidentsByGroupKeys(['kb', 'ka', 'kc', 'kd', 'ka']));
      expect(new Map([...found].sort())).toEqual(new Map([['ka', a], ['kb', b]]));
      // As the single lookup answers.
      for (const key of ['ka', 'kb', 'kc']) expect(await s.write((tx) => tx.openIncidentByGroupKey(key))).toEqual(found.get(key));
      expect((await s.write((tx) => tx.openIncidentsByGroupKeys([]))).size).toBe(0);
    });

    it('getIncidents: several incidents in one go, in id order, as getIncident reads each; unknown ids left out', async () => {
      const s = await store();
      const [a, b] = await s.write(async (tx) => [
        await tx.insertIncident(newIncident({ groupKey: 'ga', policy })),
        await tx.insertIncident(newIncident({ groupKey: 'gb', status: 'resolved', resolvedAt: 2_000 })),
      ]);
      const found = await s.write((tx) => tx.getIncidents([b!.id, a!.id + 1000, a!.id]));
      expect(found).toEqual([a, b]);
      for (const i of found) expect(await s.write((tx) => tx.getIncident(i.id))).toEqual(i);
      expect(await s.write((tx) => tx.getIncidents([]))).toEqual([]);
    });

    it('updateEscalationSteps stores the tier and round several incidents climbed to, and tells the change feed of each', async () => {
      const s = await store();
      const [a, b, c] = await s.write(async (tx) => [
        await tx.insertIncident(newIncident({ groupKey: 'ea' })),
        await tx.insertIncident(newIncident({ groupKey: 'eb' })),
        await tx.insertIncident(newIncident({ groupKey: 'ec' })),
      ]);
      const changes: number[] = [];
      const off = s.onIncidentChanges((c) => changes.push(...c.map((x) => x.incidentId)));
      await s.write((tx) =>
        tx.updateEscalationSteps([
          { id: b!.id, escalationTier: 3, escalationRound: 0, updatedAt: 9_000 },
          { id: a!.id, escalationTier: 1, escalationRound: 1, updatedAt: 9_500 },
        ]),
      );
      expect(await s.getIncident(a!.id)).toEqual({ ...a, escalationTier: 1, escalationRound: 1, updatedAt: 9_500 });
      expect(await s.getIncident(b!.id)).toEqual({ ...b, escalationTier: 3, escalationRound: 0, updatedAt: 9_000 });
      expect(await s.getIncident(c!.id)).toEqual(c);
      off();
      expect(changes.sort()).toEqual([a!.id, b!.id].sort());
      await s.write((tx) => tx.updateEscalationSteps([]));
    });

    it('updateIncidentCounts stores the counters of several incidents and tells the change feed of each', async () => {
      const s = await store();
      const [a, b] = await s.write(async (tx) => [await tx.insertIncident(newIncident({ groupKey: 'ca' })), await tx.insertIncident(newIncident({ groupKey: 'cb' }))]);
      const changes: number[] = [];
      const off = s.onIncidentChanges((c) => changes.push(...c.map((x) => x.incidentId)));
      await s.write((tx) =>
        tx.updateIncidentCounts([
          { id: b!.id, firingCount: 7, suppressedCount: 2, alertCount: 9, updatedAt: 4_000 },
          { id: a!.id, firingCount: 1, suppressedCount: 0, alertCount: 3, updatedAt: 5_000 },
        ]),
      );
      off();
      expect(await s.getIncident(a!.id)).toEqual({ ...a, firingCount: 1, suppressedCount: 0, alertCount: 3, updatedAt: 5_000 });
      expect(await s.getIncident(b!.id)).toEqual({ ...b, firingCount: 7, suppressedCount: 2, alertCount: 9, updatedAt: 4_000 });
      expect(changes.sort()).toEqual([a!.id, b!.id].sort());
      await s.write((tx) => tx.updateIncidentCounts([]));
    });

    it('incidentsByIds: in id order, the missing ones left out', async () => {
      const s = await store();
      const ids = await s.write(async (tx) => [
        (await tx.insertIncident(newIncident({ groupKey: 'a' }))).id,
        (await tx.insertIncident(newIncident({ groupKey: 'b' }))).id,
        (await tx.insertIncident(newIncident({ groupKey: 'c' }))).id,
      ]);
      expect((await s.incidentsByIds([ids[2]!, 999, ids[0]!])).map((i) => i.groupKey)).toEqual(['a', 'c']);
      expect(await s.incidentsByIds([])).toEqual([]);
    });

    it('openIncidentCounts: open incidents per severity, every severity named', async () => {
      const s = await store();
      expect(await s.openIncidentCounts()).toEqual({ critical: 0, warning: 0, reminder: 0, info: 0 });
      await s.write(async (tx) => {
        // One open incident per group key, as the engine keeps them.
        await tx.insertIncident(newIncident({ groupKey: 'a', severity: 'critical', status: 'triggered' }));
        await tx.insertIncident(newIncident({ groupKey: 'b', severity: 'critical', status: 'acknowledged' }));
        await tx.insertIncident(newIncident({ groupKey: 'c', severity: 'critical', status: 'resolved' }));
        await tx.insertIncident(newIncident({ groupKey: 'd', severity: 'info', status: 'triggered' }));
      });
      expect(await s.openIncidentCounts()).toEqual({ critical: 2, warning: 0, reminder: 0, info: 1 });
    });
  });

  describe('timeline', () => {
    it('keeps events in the order written; the latest of some kinds come newest first', async () => {
      const s = await store();
      const { id } = await s.write((tx) => tx.insertIncident(newIncident()));
      const other = await s.write((tx) => tx.insertIncident(newIncident({ groupKey: 'other' })));
      await s.write(async (tx) => {
        await tx.addEvent(newEvent(id, { kind: 'triggered', data: { alerts: 1 } }));
        await tx.addEvent(newEvent(id, { kind: 'paged', at: 1_100, actor: null, source: null, message: 'Paged Alice' }));
        await tx.addEvent(newEvent(id, { kind: 'note', at: 1_200, actor: 'alice', source: 'api', message: 'looking' }));
        await tx.addEvent(newEvent(id, { kind: 'acknowledged', at: 1_300, actor: 'alice', message: 'Acknowledged' }));
        await tx.addEvent(newEvent(id, { kind: 'note', at: 1_400, actor: 'bob', message: 'fixed the disk' }));
        await tx.addEvent(newEvent(other.id, { kind: 'note', message: 'elsewhere' }));
      });
      const timeline = await s.timelineOf(id);
      expect(timeline.map((e) => e.kind)).toEqual(['triggered', 'paged', 'note', 'acknowledged', 'note']);
      expect(timeline[0]).toEqual({ id: expect.any(Number), ...newEvent(id, { kind: 'triggered', data: { alerts: 1 } }) });
      expect(timeline[1]).toMatchObject({ actor: null, source: null, data: null, message: 'Paged Alice' });
      expect((await s.latestEvents(id, ['note', 'paged'], 2)).map((e) => e.message)).toEqual(['fixed the disk', 'looking']);
      expect((await s.latestEvents(id, ['paged'], 5)).map((e) => e.message)).toEqual(['Paged Alice']);
      expect(await s.latestEvents(id, [], 5)).toEqual([]);
      expect((await s.write((tx) => tx.latestNotes(id, 2))).map((e) => e.message)).toEqual(['fixed the disk', 'Acknowledged']);
      expect(await s.timelineOf(999)).toEqual([]);
    });

    it('recordEvent: events without their ids keep the order written among addEvent\'s, are read by the same write, and go with a failed write', async () => {
      const s = await store();
      const { id } = await s.write((tx) => tx.insertIncident(newIncident({ groupKey: 'recorded' })));
      const changes: string[] = [];
      const off = s.onIncidentChanges((c) => changes.push(...c.flatMap((x) => x.kinds)));
      const notes = await s.write(async (tx) => {
        await tx.recordEvent(newEvent(id, { kind: 'alert_firing', message: 'first' }));
        await tx.recordEvent(newEvent(id, { kind: 'note', message: 'second', data: { n: 2 } }));
        await tx.addEvent(newEvent(id, { kind: 'note', message: 'third' }));
        await tx.recordEvent(newEvent(id, { kind: 'note', message: 'fourth' }));
        return tx.latestNotes(id, 5);
      });
      off();
      expect(notes.map((e) => e.message)).toEqual(['fourth', 'third', 'second']);
      const timeline = await s.timelineOf(id);
      expect(timeline.map((e) => e.message)).toEqual(['first', 'second', 'third', 'fourth']);
      expect(timeline[1]).toEqual({ id: expect.any(Number), ...newEvent(id, { kind: 'note', message: 'second', data: { n: 2 } }) });
      expect(changes).toContain('alert_firing');
      await expect(
        s.write(async (tx) => {
          await tx.recordEvent(newEvent(id, { kind: 'note', message: 'lost' }));
          throw new Error('the write fails');
        }),
      ).rejects.toThrow('the write fails');
      expect((await s.timelineOf(id)).map((e) => e.message)).toEqual(['first', 'second', 'third', 'fourth']);
    });

    it('latestEventOfEach: the latest event of a kind of each incident, in one read', async () => {
      const s = await store();
      const [a, b, c] = await s.write(async (tx) => [
        (await tx.insertIncident(newIncident({ groupKey: 'a' }))).id,
        (await tx.insertIncident(newIncident({ groupKey: 'b' }))).id,
        (await tx.insertIncident(newIncident({ groupKey: 'c' }))).id,
      ]);
      await s.write(async (tx) => {
        await tx.addEvent(newEvent(a!, { kind: 'escalated', message: 'a to tier 2', data: { people: ['bob'] } }));
        await tx.addEvent(newEvent(b!, { kind: 'escalated', message: 'b to tier 2' }));
        await tx.addEvent(newEvent(a!, { kind: 'escalated', message: 'a to tier 3', data: { people: ['carol'] } }));
        await tx.addEvent(newEvent(a!, { kind: 'note', message: 'later, another kind' }));
        await tx.addEvent(newEvent(c!, { kind: 'note', message: 'never escalated' }));
      });
      const latest = await s.latestEventOfEach([a!, b!, c!, 999], 'escalated');
      expect([...latest.keys()].sort()).toEqual([a, b].sort());
      expect(latest.get(a!)).toMatchObject({ incidentId: a, message: 'a to tier 3', data: { people: ['carol'] } });
      expect(latest.get(b!)?.message).toBe('b to tier 2');
      expect((await s.latestEventOfEach([], 'escalated')).size).toBe(0);
    });

    it('addEvent answers the event id; reviseEvent rewrites its message and data in place', async () => {
      const s = await store();
      const { id } = await s.write((tx) => tx.insertIncident(newIncident()));
      const [first, second] = await s.write(async (tx) => [
        await tx.addEvent(newEvent(id, { kind: 'alerts_joined', message: '1 more alert joined', data: { count: 1 } })),
        await tx.addEvent(newEvent(id, { kind: 'note', message: 'after' })),
      ]);
      expect(second).toBeGreaterThan(first!);
      const joinedEvent = (eventId: number) => ({ id: eventId, incidentId: id, kind: 'alerts_joined' });
      await s.write((tx) => tx.reviseEvent(joinedEvent(first!), '3 more alerts joined', { count: 3 }));
      const timeline = await s.timelineOf(id);
      expect(timeline.map((e) => [e.id, e.kind, e.message, e.data])).toEqual([
        [first, 'alerts_joined', '3 more alerts joined', { count: 3 }],
        [second, 'note', 'after', null],
      ]);
      // An id that does not exist changes nothing.
      await s.write((tx) => tx.reviseEvent(joinedEvent(999_999), 'x', null));
      expect(await s.timelineOf(id)).toEqual(timeline);
      // Nor does a revision in a write that fails.
      await expect(
        s.write(async (tx) => {
          await tx.reviseEvent(joinedEvent(first!), '9 more alerts joined', { count: 9 });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await s.timelineOf(id)).toEqual(timeline);
      // Revised again and again (a storm's summary): the latest is read at once, by every read, and kept across a restart.
      for (const n of [4, 5, 6]) await s.write((tx) => tx.reviseEvent(joinedEvent(first!), `${n} more alerts joined`, { count: n }));
      expect((await s.timelineOf(id))[0]).toMatchObject({ message: '6 more alerts joined', data: { count: 6 } });
      expect((await s.latestEvents(id, ['alerts_joined'], 5))[0]).toMatchObject({ message: '6 more alerts joined' });
      expect((await s.latestEventOfEach([id], 'alerts_joined')).get(id)).toMatchObject({ data: { count: 6 } });
      const again = await reopen(s);
      expect((await again.timelineOf(id))[0]).toMatchObject({ message: '6 more alerts joined', data: { count: 6 } });
    });
  });
}
