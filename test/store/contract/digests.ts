import { describe, expect, it } from 'vitest';
import type { DigestScheduleRow } from '../../../src/store/types.js';
import type { ContractContext } from '../contract.js';
import { newIncident } from '../fixtures.js';

const schedule: DigestScheduleRow = { name: 'daily', cron: '0 8 * * *', timeZone: 'Europe/Berlin', dueAt: 10_000, lastRunAt: null, lastSince: null, lastUntil: null };

export function digestsContract({ store }: ContractContext): void {
  describe('digest schedules', () => {
    it('keeps one row per schedule name: saving again replaces it', async () => {
      const s = await store();
      expect(await s.write((tx) => tx.digestSchedule('daily'))).toBeUndefined();
      await s.write((tx) => tx.saveDigestSchedule(schedule));
      expect(await s.write((tx) => tx.digestSchedule('daily'))).toEqual(schedule);
      const ran = { ...schedule, cron: '0 9 * * *', dueAt: 20_000, lastRunAt: 10_001, lastSince: 0, lastUntil: 10_000 };
      await s.write(async (tx) => {
        await tx.saveDigestSchedule(ran);
        await tx.saveDigestSchedule({ ...schedule, name: 'weekly' });
      });
      expect(await s.write((tx) => tx.digestSchedule('daily'))).toEqual(ran);
      expect(await s.write((tx) => tx.digestSchedule('weekly'))).toEqual({ ...schedule, name: 'weekly' });
    });
  });

  describe('reviews', () => {
    it('pendingReviews: resolved P1 and P2 incidents not reviewed yet, earliest resolution first; markReviewed once', async () => {
      const s = await store();
      const ids = await s.write(async (tx) => {
        const add = async (over: Parameters<typeof newIncident>[0]) => (await tx.insertIncident(newIncident({ status: 'resolved', ...over }))).id;
        return {
          late: await add({ priority: 'P1', resolvedAt: 5_000 }),
          early: await add({ priority: 'P2', resolvedAt: 3_000 }),
          p3: await add({ priority: 'P3', resolvedAt: 3_000 }),
          open: await add({ priority: 'P1', status: 'acknowledged', resolvedAt: null }),
          middle: await add({ priority: 'P1', resolvedAt: 4_000 }),
        };
      });
      expect((await s.pendingReviews(10)).map((i) => i.id)).toEqual([ids.early, ids.middle, ids.late]);
      expect((await s.pendingReviews(1)).map((i) => i.id)).toEqual([ids.early]);
      expect(await s.write((tx) => tx.markReviewed(ids.early, 3_000, 6_000, 2))).toBe(true);
      expect(await s.write((tx) => tx.markReviewed(ids.early, 3_000, 7_000, 0))).toBe(false);
      expect((await s.pendingReviews(10)).map((i) => i.id)).toEqual([ids.middle, ids.late]);
      expect((await s.pendingReviews(10))[0]).toEqual(await s.getIncident(ids.middle));
    });
  });
}
