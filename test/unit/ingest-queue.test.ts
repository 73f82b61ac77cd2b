import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { IngestQueue, type ApplyRequest } from '../../src/incidents/ingest-queue.js';
import { JoinLog } from '../../src/incidents/join-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/vigil.js';

let store: SqliteStore;
afterEach(async () => store?.close());

const open = (maxPendingWrites = 1000) =>
  (store = new SqliteStore({ path: path.join(tempDir(), 'v.db'), synchronous: 'normal', maxPendingWrites, busyTimeoutMs: 1000 }));

/** A request of one alert, named by its fingerprint. */
const request = (name: string) => [{ fingerprint: name } as Alert];

describe('the ingest queue', () => {
  it('applies requests that arrive together in one write and answers each with its own result', async () => {
    open();
    const writes: string[][] = [];
    let current: string[] = [];
    let lastTx: unknown = null;
    const apply: ApplyRequest = async (tx, _batch, alerts) => {
      if (tx !== lastTx) writes.push((current = []));
      lastTx = tx;
      current.push(alerts[0]!.fingerprint);
      return { accepted: 1, outcomes: ['created'], incidentIds: [current.length] };
    };
    const queue = new IngestQueue(store, apply, new JoinLog(), 100);
    const results = await Promise.all(['a', 'b', 'c'].map((n) => queue.submit(request(n))));
    expect(writes).toEqual([['a', 'b', 'c']]);
    expect(results.map((r) => r.incidentIds)).toEqual([[1], [2], [3]]);
  });

  it('tries every request alone when one of them fails the shared write, so only that one fails', async () => {
    open();
    const applied: string[] = [];
    const apply: ApplyRequest = async (_tx, _batch, alerts) => {
      const name = alerts[0]!.fingerprint;
      if (name === 'bad') throw new Error('this request cannot be applied');
      applied.push(name);
      return { accepted: 1, outcomes: ['created'], incidentIds: [] };
    };
    const queue = new IngestQueue(store, apply, new JoinLog(), 100);
    const settled = await Promise.allSettled(['a', 'bad', 'c'].map((n) => queue.submit(request(n))));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('this request cannot be applied');
    // The shared write applied a, then was rolled back; a and c were then applied in writes of their own.
    expect(applied).toEqual(['a', 'a', 'c']);
  });

  it('answers 503 (unavailable, retry after 1 s) beyond the requests that may wait', async () => {
    open();
    const queue = new IngestQueue(store, async () => ({ accepted: 1, outcomes: ['created'], incidentIds: [] }), new JoinLog(), 2);
    const settled = await Promise.allSettled(['a', 'b', 'c'].map((n) => queue.submit(request(n))));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'unavailable', retryAfter: 1 });
    // The queue still works afterwards.
    await expect(queue.submit(request('d'))).resolves.toMatchObject({ accepted: 1 });
  });

  it('rejects the waiting requests when the store refuses the write, and serves the next ones', async () => {
    open();
    const queue = new IngestQueue(store, async () => ({ accepted: 1, outcomes: ['created'], incidentIds: [] }), new JoinLog(), 100);
    await store.close();
    await expect(queue.submit(request('a'))).rejects.toMatchObject({ code: 'unavailable' });
    await expect(queue.submit(request('b'))).rejects.toMatchObject({ code: 'unavailable' });
  });
});
