import { describe, expect, it } from 'vitest';
import { ChangeFeed, type FeedBatch } from '../../src/live/change-feed.js';
import type { IncidentChange, IncidentRow } from '../../src/store/types.js';

/** The feed's side of the store: incidents by id (their status), the change hook, and a count of the reads. */
function fakeStore() {
  const status = new Map<number, string>();
  let listener: (changes: IncidentChange[]) => void = () => {};
  const reads: number[][] = [];
  let failNext = false;
  return {
    reads,
    set(id: number, s: string, kinds = ['updated']) {
      status.set(id, s);
      listener([{ incidentId: id, kinds }]);
    },
    failNextRead: () => (failNext = true),
    port: {
      onIncidentChanges(fn: (changes: IncidentChange[]) => void) {
        listener = fn;
        return () => (listener = () => {});
      },
      async incidentsByIds(ids: number[]) {
        reads.push([...ids]);
        if (failNext) {
          failNext = false;
          throw new Error('database is locked');
        }
        return ids.filter((id) => status.has(id)).map((id) => ({ id, status: status.get(id) }) as unknown as IncidentRow);
      },
      async latestEventOfEach() {
        return new Map();
      },
    },
  };
}

const feedOf = (store: ReturnType<typeof fakeStore>, keep = 100) => new ChangeFeed({ store: store.port, batchMs: 1, keep, now: () => 0 });
const shown = (batches: FeedBatch[] | null) => batches?.map((b) => [b.seq, b.incidents.map((i) => `${i.id}:${i.status}`)]);

describe('the live change feed', () => {
  it('reads nothing while nobody watches; a poller that asks later gets each batch, read once, as the incidents are then', async () => {
    const store = fakeStore();
    const feed = feedOf(store);
    store.set(1, 'triggered', ['triggered']);
    await feed.drain();
    store.set(2, 'triggered', ['triggered']);
    await feed.drain();
    store.set(1, 'acknowledged');
    await feed.drain();
    expect(store.reads).toEqual([]);
    expect(feed.lastSeq).toBe(3);

    const polled = await feed.since(0);
    expect(shown(polled)).toEqual([
      [1, ['1:acknowledged']],
      [2, ['2:triggered']],
      [3, ['1:acknowledged']],
    ]);
    expect(polled![0]!.opened).toEqual([1]);
    expect(store.reads).toEqual([[1, 2]]);
    // Read batches are kept as read.
    expect(shown(await feed.since(1))).toEqual(shown(polled!.slice(1)));
    expect(store.reads).toHaveLength(1);
    feed.close();
  });

  it('a subscriber gets every batch as it commits, in order, read at once', async () => {
    const store = fakeStore();
    const feed = feedOf(store);
    const got: FeedBatch[] = [];
    feed.subscribe({ batch: (b) => got.push(b), close: () => {} });
    store.set(7, 'triggered', ['triggered']);
    await feed.drain();
    store.set(7, 'resolved');
    await feed.drain();
    expect(shown(got)).toEqual([
      [1, ['7:triggered']],
      [2, ['7:resolved']],
    ]);
    expect(store.reads).toEqual([[7], [7]]);
    feed.close();
  });

  it('a failed read fails that request only and is tried again by the next; a seq no longer kept means start over', async () => {
    const store = fakeStore();
    const feed = feedOf(store, 1);
    store.set(1, 'triggered');
    await feed.drain();
    store.failNextRead();
    await expect(feed.since(0)).rejects.toThrow('database is locked');
    expect(shown(await feed.since(0))).toEqual([[1, ['1:triggered']]]);
    store.set(2, 'triggered');
    await feed.drain();
    expect(await feed.since(0)).toBeNull();
    expect(await feed.since(5)).toBeNull();
    expect(await feed.since(2)).toEqual([]);
    feed.close();
  });
});
