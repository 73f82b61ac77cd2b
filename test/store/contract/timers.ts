import { describe, expect, it } from 'vitest';
import type { ContractContext } from '../contract.js';
import { newIncident } from '../fixtures.js';

export function timersContract({ store }: ContractContext): void {
  describe('incident timers', () => {
    it('one timer per incident and kind: setting it again moves it; due ones come earliest first, up to the limit', async () => {
      const s = await store();
      const [a, b] = await s.write(async (tx) => [(await tx.insertIncident(newIncident({ groupKey: 'a' }))).id, (await tx.insertIncident(newIncident({ groupKey: 'b' }))).id]);
      await s.write(async (tx) => {
        await tx.setTimer(a!, 'ack_sla', 500);
        await tx.setTimer(a!, 'progress', 300);
        await tx.setTimer(b!, 'escalate', 400);
        await tx.setTimer(b!, 'hold', 9_000);
        await tx.setTimer(a!, 'ack_sla', 200);
      });
      const due = (now: number, limit = 10) => s.write((tx) => tx.dueTimers(now, limit));
      expect(await due(500)).toEqual([
        { incidentId: a, kind: 'ack_sla', dueAt: 200 },
        { incidentId: a, kind: 'progress', dueAt: 300 },
        { incidentId: b, kind: 'escalate', dueAt: 400 },
      ]);
      expect(await due(500, 1)).toEqual([{ incidentId: a, kind: 'ack_sla', dueAt: 200 }]);
      expect(await due(199)).toEqual([]);
    });

    it('clears the kinds named, or all of an incident’s timers', async () => {
      const s = await store();
      const [a, b] = await s.write(async (tx) => [(await tx.insertIncident(newIncident({ groupKey: 'a' }))).id, (await tx.insertIncident(newIncident({ groupKey: 'b' }))).id]);
      await s.write(async (tx) => {
        for (const kind of ['escalate', 'ack_sla', 'reack'] as const) await tx.setTimer(a!, kind, 100);
        await tx.setTimer(b!, 'renotify', 100);
      });
      await s.write((tx) => tx.clearTimers(a!, ['escalate', 'reack']));
      expect((await s.write((tx) => tx.dueTimers(100, 10))).map((t) => `${t.incidentId}:${t.kind}`).sort()).toEqual([`${a}:ack_sla`, `${b}:renotify`]);
      await s.write((tx) => tx.clearTimers(a!));
      expect(await s.write((tx) => tx.dueTimers(100, 10))).toEqual([{ incidentId: b, kind: 'renotify', dueAt: 100 }]);
    });

    it('tells when the earliest timer is due, null when none is set', async () => {
      const s = await store();
      expect(await s.nextTimerDueAt()).toBeNull();
      const a = (await s.write((tx) => tx.insertIncident(newIncident({ groupKey: 'a' })))).id;
      await s.write(async (tx) => {
        await tx.setTimer(a, 'progress', 5_000);
        await tx.setTimer(a, 'ack_sla', 700);
      });
      expect(await s.nextTimerDueAt()).toBe(700);
      await s.write((tx) => tx.clearTimers(a, ['ack_sla']));
      expect(await s.nextTimerDueAt()).toBe(5_000);
      await s.write((tx) => tx.clearTimers(a));
      expect(await s.nextTimerDueAt()).toBeNull();
    });

    it('takeTimers removes a timer still set for that due time, once; a timer that moved is not taken', async () => {
      const s = await store();
      const a = (await s.write((tx) => tx.insertIncident(newIncident({ groupKey: 'a' })))).id;
      await s.write(async (tx) => {
        await tx.setTimer(a, 'escalate', 100);
        await tx.setTimer(a, 'progress', 200);
      });
      const take = (kind: 'escalate' | 'progress', dueAt: number) => s.write(async (tx) => (await tx.takeTimers([{ incidentId: a, kind, dueAt }])).length > 0);
      expect(await take('escalate', 100)).toBe(true);
      expect(await take('escalate', 100)).toBe(false);
      await s.write((tx) => tx.setTimer(a, 'progress', 900));
      expect(await take('progress', 200)).toBe(false);
      expect(await s.write((tx) => tx.dueTimers(1_000, 10))).toEqual([{ incidentId: a, kind: 'progress', dueAt: 900 }]);
    });

    it('takeTimers and setTimers: many timers in one go, as takeTimer and setTimer one at a time', async () => {
      const s = await store();
      const [a, b] = await s.write(async (tx) => [(await tx.insertIncident(newIncident({ groupKey: 'a' }))).id, (await tx.insertIncident(newIncident({ groupKey: 'b' }))).id]);
      await s.write((tx) =>
        tx.setTimers([
          { incidentId: a!, kind: 'progress', dueAt: 100 },
          { incidentId: b!, kind: 'progress', dueAt: 100 },
          { incidentId: a!, kind: 'escalate', dueAt: 300 },
        ]),
      );
      // Setting again moves the timer.
      await s.write((tx) => tx.setTimers([{ incidentId: b!, kind: 'progress', dueAt: 200 }]));
      const taken = await s.write((tx) =>
        tx.takeTimers([
          { incidentId: a!, kind: 'progress', dueAt: 100 },
          { incidentId: b!, kind: 'progress', dueAt: 100 },
          { incidentId: a!, kind: 'ack_sla', dueAt: 100 },
        ]),
      );
      expect(taken).toEqual([{ incidentId: a, kind: 'progress', dueAt: 100 }]);
      expect(await s.write((tx) => tx.takeTimers([{ incidentId: a!, kind: 'progress', dueAt: 100 }]))).toEqual([]);
      expect(await s.write((tx) => tx.dueTimers(1_000, 10))).toEqual([
        { incidentId: b, kind: 'progress', dueAt: 200 },
        { incidentId: a, kind: 'escalate', dueAt: 300 },
      ]);
      expect(await s.write((tx) => tx.takeTimers([]))).toEqual([]);
      await s.write((tx) => tx.setTimers([]));
    });

    it('due timers read again by the same store are given again until taken', async () => {
      const s = await store();
      const a = (await s.write((tx) => tx.insertIncident(newIncident({ groupKey: 'a' })))).id;
      await s.write((tx) => tx.setTimer(a, 'ack_sla', 100));
      expect(await s.write((tx) => tx.dueTimers(100, 10))).toHaveLength(1);
      expect(await s.write((tx) => tx.dueTimers(100, 10))).toHaveLength(1);
      expect(await s.nextTimerDueAt()).toBe(100);
    });
  });
}
