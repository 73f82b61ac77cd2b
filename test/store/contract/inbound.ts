import { describe, expect, it } from 'vitest';
import type { ContractContext } from '../contract.js';

export function inboundContract({ store }: ContractContext): void {
  describe('inbound events', () => {
    it('firstSighting is true once per key, forgets keys seen before forgetBefore, and rolls back with its write', async () => {
      const s = await store();
      const sight = (key: string, at: number, forgetBefore = 0) => s.write((tx) => tx.firstSighting(key, at, forgetBefore));
      expect(await sight('slack:Ev1', 1000)).toBe(true);
      expect(await sight('slack:Ev1', 2000)).toBe(false);
      expect(await sight('slack:Ev2', 2000)).toBe(true);
      expect(await sight('slack:Ev1', 5000, 1500)).toBe(true);
      expect(await sight('slack:Ev2', 5000, 1500)).toBe(false);
      await expect(
        s.write(async (tx) => {
          await tx.firstSighting('slack:Ev3', 6000, 0);
          throw new Error('note failed');
        }),
      ).rejects.toThrow('note failed');
      expect(await sight('slack:Ev3', 6000)).toBe(true);
    });
  });
}
