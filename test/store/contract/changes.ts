import { describe, expect, it } from 'vitest';
import type { IncidentChange } from '../../../src/store/types.js';
import type { ContractContext } from '../contract.js';
import { newEvent, newIncident } from '../fixtures.js';

/** Every call's changes merged: incident id → the kinds named for it. */
function merged(calls: IncidentChange[][]): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  for (const c of calls.flat()) out[c.incidentId] = [...new Set([...(out[c.incidentId] ?? []), ...c.kinds])].sort();
  return out;
}

export function changesContract({ store }: ContractContext): void {
  describe('onIncidentChanges', () => {
    it('names, once the write has committed, each incident it changed and the timeline kinds it added', async () => {
      const s = await store();
      const calls: IncidentChange[][] = [];
      s.onIncidentChanges((changes) => calls.push(changes));
      const [a, b] = await s.write(async (tx) => {
        const a = await tx.insertIncident(newIncident({ groupKey: 'a' }));
        const b = await tx.insertIncident(newIncident({ groupKey: 'b' }));
        await tx.addEvent(newEvent(a.id, { kind: 'triggered' }));
        await tx.addEvent(newEvent(a.id, { kind: 'paged' }));
        return [a, b];
      });
      expect(merged(calls)).toEqual({ [a!.id]: ['paged', 'triggered'], [b!.id]: [] });

      calls.length = 0;
      await s.write((tx) => tx.updateIncident(b!.id, { title: 'renamed' }));
      expect(merged(calls)).toEqual({ [b!.id]: [] });
    });

    it('says nothing for writes that change no incident, and nothing more once unsubscribed', async () => {
      const s = await store();
      const calls: IncidentChange[][] = [];
      const unsubscribe = s.onIncidentChanges((changes) => calls.push(changes));
      await s.write((tx) => tx.firstSighting('k', 1, 0));
      expect(calls).toEqual([]);
      unsubscribe();
      await s.write((tx) => tx.insertIncident(newIncident()));
      expect(calls).toEqual([]);
    });

    it('a listener that throws does not fail the write nor silence the other listeners', async () => {
      const s = await store();
      const calls: IncidentChange[][] = [];
      s.onIncidentChanges(() => {
        throw new Error('listener failed');
      });
      s.onIncidentChanges((changes) => calls.push(changes));
      const row = await s.write((tx) => tx.insertIncident(newIncident()));
      expect(merged(calls)).toEqual({ [row.id]: [] });
    });
  });
}
