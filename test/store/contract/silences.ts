import { describe, expect, it } from 'vitest';
import type { ContractContext } from '../contract.js';
import { silence } from '../fixtures.js';

export function silencesContract({ store }: ContractContext): void {
  describe('silences', () => {
    it('keeps a silence as written; updates change only the fields given', async () => {
      const s = await store();
      await s.write((tx) => tx.insertSilence(silence()));
      expect(await s.getSilence('sil-1')).toEqual(silence());
      expect(await s.write((tx) => tx.getSilence('sil-1'))).toEqual(silence());
      await s.write((tx) => tx.updateSilence('sil-1', { endsAt: 2_000, updatedAt: 2_000, matchers: ['alertname="X"'] }));
      expect(await s.getSilence('sil-1')).toEqual(silence({ endsAt: 2_000, updatedAt: 2_000, matchers: ['alertname="X"'] }));
      await s.write((tx) => tx.updateSilence('sil-1', {}));
      expect(await s.getSilence('nope')).toBeUndefined();
      expect(await s.write((tx) => tx.getSilence('nope'))).toBeUndefined();
    });

    it('lists the silences not ended by now, by start; or all of them, newest first', async () => {
      const s = await store();
      await s.write(async (tx) => {
        await tx.insertSilence(silence({ id: 'ended', startsAt: 100, endsAt: 1_000, createdAt: 100 }));
        await tx.insertSilence(silence({ id: 'pending', startsAt: 3_000, endsAt: 4_000, createdAt: 200 }));
        await tx.insertSilence(silence({ id: 'active', startsAt: 500, endsAt: 2_000, createdAt: 300 }));
      });
      expect((await s.listSilences(1_000)).map((x) => x.id)).toEqual(['active', 'pending']);
      expect((await s.listSilences(999)).map((x) => x.id)).toEqual(['ended', 'active', 'pending']);
      expect((await s.listSilences()).map((x) => x.id)).toEqual(['active', 'pending', 'ended']);
    });
  });
}
