import { describe, expect, it } from 'vitest';
import type { OncallOverrideRow } from '../../../src/store/types.js';
import type { ContractContext } from '../contract.js';

const override = (fields: Partial<OncallOverrideRow> = {}): OncallOverrideRow => ({
  id: 'ovr-1',
  schedule: 'platform-primary',
  person: 'alice',
  startsAt: 1_000,
  endsAt: 2_000,
  createdBy: 'bob',
  reason: 'dentist',
  createdAt: 500,
  ...fields,
});

export function oncallOverridesContract({ store, reopen }: ContractContext): void {
  describe('on-call overrides', () => {
    it('keeps overrides as written across a restart, lists those not ended by start, and deletes one once', async () => {
      let s = await store();
      await s.write(async (tx) => {
        await tx.insertOverride(override({ id: 'later', startsAt: 3_000, endsAt: 4_000, reason: null }));
        await tx.insertOverride(override());
        await tx.insertOverride(override({ id: 'ended', startsAt: 100, endsAt: 900 }));
      });
      s = await reopen(s);
      expect(await s.listOverrides(950)).toEqual([override(), override({ id: 'later', startsAt: 3_000, endsAt: 4_000, reason: null })]);
      expect((await s.listOverrides(0)).map((o) => o.id)).toEqual(['ended', 'ovr-1', 'later']);
      expect(await s.write((tx) => tx.deleteOverride('ovr-1'))).toBe(true);
      expect(await s.write((tx) => tx.deleteOverride('ovr-1'))).toBe(false);
      expect((await s.listOverrides(950)).map((o) => o.id)).toEqual(['later']);
    });

    it('refuses an override that ends before it starts, and the write changes nothing', async () => {
      const s = await store();
      await expect(s.write((tx) => tx.insertOverride(override({ endsAt: 1_000 })))).rejects.toThrow();
      expect(await s.listOverrides(0)).toEqual([]);
    });
  });
}
