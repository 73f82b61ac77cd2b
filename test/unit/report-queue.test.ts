import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors/errors.js';
import { ReportQueue } from '../../src/reports/report-queue.js';

/** A report that finishes when the test says so. */
function pending<T>(value: T) {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<T>((resolve, reject) => {
    finish = () => resolve(value);
    fail = reject;
  });
  return { run: () => done, finish, fail };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('the report queue', () => {
  it('runs one report at a time, the waiting ones in the order they came', async () => {
    const q = new ReportQueue({ running: 1, waiting: 4, retryAfterSeconds: 5 });
    const started: string[] = [];
    const reports = ['a', 'b', 'c'].map((name) => ({ name, ...pending(name) }));
    const results = reports.map((r) =>
      q.run(() => {
        started.push(r.name);
        return r.run();
      }),
    );
    await turn();
    expect(started).toEqual(['a']);
    expect(q.state).toEqual({ running: 1, waiting: 2 });
    reports[1]!.finish(); // b is done before its turn: it still waits for a
    await turn();
    expect(started).toEqual(['a']);
    reports[0]!.finish();
    await turn();
    expect(started).toEqual(['a', 'b', 'c']);
    reports[2]!.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(q.state).toEqual({ running: 0, waiting: 0 });
  });

  it('tells a caller beyond the waiting ones to come back later, with a 503 and Retry-After', async () => {
    const q = new ReportQueue({ running: 1, waiting: 2, retryAfterSeconds: 5 });
    const busy = pending('x');
    const kept = [q.run(busy.run), q.run(busy.run), q.run(busy.run)];
    const refused = await q.run(busy.run).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(VigilError);
    expect(refused).toMatchObject({ status: 503, code: 'unavailable', retryAfter: 5, message: 'Vigil is computing 1 report with 2 more waiting; retry shortly' });
    busy.finish();
    expect(await Promise.all(kept)).toEqual(['x', 'x', 'x']);
    expect(await q.run(async () => 'again')).toBe('again');
  });

  it('gives the place of a failed report to the next one', async () => {
    const q = new ReportQueue({ running: 1, waiting: 1, retryAfterSeconds: 5 });
    const failing = pending('never');
    const first = q.run(failing.run);
    const second = q.run(async () => 'second');
    failing.fail(new Error('store went away'));
    await expect(first).rejects.toThrow('store went away');
    expect(await second).toBe('second');
    expect(q.state).toEqual({ running: 0, waiting: 0 });
  });
});
