import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { IngestBatch } from '../../src/incidents/ingest-batch.js';
import { JoinLog } from '../../src/incidents/join-log.js';
import type { IncidentCounts, IncidentRow, StoreTx } from '../../src/store/types.js';

/** A transaction that records what a write stores, and commits when told. */
function fakeTx() {
  const log: string[] = [];
  const after: (() => void)[] = [];
  let nextId = 100;
  const tx = {
    addEvent: async (e: { incidentId: number; message: string }) => {
      log.push(`add ${e.incidentId}: ${e.message}`);
      return nextId++;
    },
    reviseEvent: async (e: { id: number; incidentId: number; kind: string }, message: string) => void log.push(`revise ${e.id} (${e.kind} of ${e.incidentId}): ${message}`),
    updateIncidentCounts: async (counts: IncidentCounts[]) => {
      for (const c of counts) log.push(`counts ${c.id}: ${c.firingCount}`);
    },
    afterCommit: (fn: () => void) => void after.push(fn),
  } as unknown as StoreTx;
  return { tx, log, commit: () => after.splice(0).forEach((fn) => fn()) };
}

const alert = (n: number, at: number) => ({ labels: { alertname: 'NodeDown', instance: `host-${n}` }, source: 'alertmanager', receivedAt: at }) as unknown as Alert;

/** One write in which `n` alerts join each incident (their counters too), then its summaries. */
async function write(joins: JoinLog, incidents: IncidentRow[], n: number, at: number): Promise<string[]> {
  const { tx, log, commit } = fakeTx();
  const batch = new IngestBatch(joins);
  for (const incident of incidents) {
    for (let i = 0; i < n; i++) {
      batch.joined(incident.id, alert(i, at));
      batch.count(incident, { firingCount: incident.firingCount + 1, suppressedCount: 0, alertCount: incident.alertCount + 1, updatedAt: at });
    }
  }
  await batch.writeSummaries(tx);
  commit();
  return log;
}

const incident = (id: number) => ({ id, firingCount: 0, alertCount: 0 }) as IncidentRow;

describe('a write of a storm', () => {
  it('stores each incident counters once, however many alerts joined it', async () => {
    const log = await write(new JoinLog(), [incident(1), incident(2)], 20, 1000);
    expect(log.filter((l) => l.startsWith('counts'))).toEqual(['counts 1: 20', 'counts 2: 20']);
  });

  it('a later write stores the counters it finds plus its own joins', async () => {
    const joins = new JoinLog();
    const a = incident(1);
    await write(joins, [a], 3, 1000);
    expect(await write(joins, [a], 4, 2000)).toContain('counts 1: 7');
  });

  it("past the window's own events, one summary event per incident is added, then revised by later writes, naming its incident", async () => {
    const joins = new JoinLog();
    const a = incident(1);
    const first = await write(joins, [a], 7, 1000);
    expect(first.filter((l) => !l.startsWith('counts'))).toEqual(['add 1: 2 more alerts joined: NodeDown{host-5}, NodeDown{host-6}']);
    const second = await write(joins, [a], 2, 1500);
    expect(second.filter((l) => !l.startsWith('counts'))).toEqual([
      'revise 100 (alerts_joined of 1): 4 more alerts joined: NodeDown{host-5}, NodeDown{host-6}, NodeDown{host-0}, NodeDown{host-1}',
    ]);
  });
});
