import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineOptions } from '../../src/incidents/engine-options.js';
import type { PagingPort } from '../../src/incidents/paging-port.js';
import { unavailable } from '../../src/errors/errors.js';
import { runDueTimers, TIMER_RETRY_MS } from '../../src/incidents/timers/run-due.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ManualClock } from '../../src/time/clock.js';
import { tempDir } from '../helpers/vigil.js';
import { newIncident, policy } from '../store/fixtures.js';

let store: SqliteStore;
afterEach(async () => store?.close());

const NOW = 10_000_000;

/** Open triggered incidents, each with a progress reminder due now. */
async function dueReminders(n: number): Promise<number[]> {
  store = new SqliteStore({ path: path.join(tempDir(), 'v.db'), synchronous: 'normal', maxPendingWrites: 1000, busyTimeoutMs: 1000 });
  return store.write(async (tx) => {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const incident = await tx.insertIncident(newIncident({ groupKey: `g${i}`, policy }));
      await tx.setTimer(incident.id, 'progress', NOW);
      ids.push(incident.id);
    }
    return ids;
  });
}

/** A planner that writes nothing and fails for one incident: what it was asked, one call per entry. */
function planner(failFor: number | null, calls: number[][]): PagingPort {
  return {
    progress: async (_tx, reminders) => {
      calls.push(reminders.map((r) => r.incident.id));
      if (reminders.some((r) => r.incident.id === failFor)) throw new Error(`incident ${failFor} cannot be reminded`);
      return reminders.map(() => 2);
    },
  } as Partial<PagingPort> as PagingPort;
}

const ctx = (paging: PagingPort) => ({ planner: paging }) as Partial<EngineOptions> as EngineOptions;
const reminded = async (ids: number[]) => {
  const out: number[] = [];
  for (const id of ids) if ((await store.timelineOf(id)).some((e) => e.kind === 'progress_reminder')) out.push(id);
  return out;
};

describe('due incident timers', () => {
  it('reminders due together are planned in one go, each recorded and set again for the next interval', async () => {
    const ids = await dueReminders(5);
    const calls: number[][] = [];
    expect(await runDueTimers(store, new ManualClock(NOW), ctx(planner(null, calls)))).toBe(5);
    expect(calls).toEqual([ids]);
    expect(await reminded(ids)).toEqual(ids);
    expect((await store.timelineOf(ids[0]!)).find((e) => e.kind === 'progress_reminder')?.message).toBe('progress reminder: asked 2 recipients for an update');
    const next = NOW + policy.progressReminder!;
    expect(await store.write((tx) => tx.dueTimers(next, 100))).toEqual(ids.map((incidentId) => ({ incidentId, kind: 'progress', dueAt: next })));
    // Taken: nothing is due again at the same instant.
    expect(await runDueTimers(store, new ManualClock(NOW), ctx(planner(null, calls)))).toBe(0);
  });

  it('one incident that fails is rolled back alone: the others are reminded, its timer is tried again 30 s later', async () => {
    const ids = await dueReminders(4);
    const broken = ids[2]!;
    const calls: number[][] = [];
    await expect(runDueTimers(store, new ManualClock(NOW), ctx(planner(broken, calls)))).rejects.toThrow(`incident ${broken} cannot be reminded`);
    // The shared write first, then one write per timer.
    expect(calls).toEqual([ids, ...ids.map((id) => [id])]);
    expect(await reminded(ids)).toEqual(ids.filter((id) => id !== broken));
    expect(await store.write((tx) => tx.dueTimers(NOW + 60_000, 100))).toEqual([{ incidentId: broken, kind: 'progress', dueAt: NOW + TIMER_RETRY_MS }]);
    // Not due again at the same instant: it does not head every chunk of the tick.
    expect(await runDueTimers(store, new ManualClock(NOW), ctx(planner(broken, calls)))).toBe(0);
    const again: number[][] = [];
    expect(await runDueTimers(store, new ManualClock(NOW + TIMER_RETRY_MS), ctx(planner(null, again)))).toBe(1);
    expect(again).toEqual([[broken]]);
    expect(await reminded(ids)).toEqual(ids);
  });

  it('while the store is unavailable a failing timer is not moved: it stays due for the next tick', async () => {
    const [id] = await dueReminders(1);
    const down: PagingPort = { progress: async () => Promise.reject(unavailable('the store is temporarily unavailable; retry shortly', 2)) } as Partial<PagingPort> as PagingPort;
    await expect(runDueTimers(store, new ManualClock(NOW), ctx(down))).rejects.toThrow('temporarily unavailable');
    expect(await store.write((tx) => tx.dueTimers(NOW, 10))).toEqual([{ incidentId: id, kind: 'progress', dueAt: NOW }]);
  });
});
