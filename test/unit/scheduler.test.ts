import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, systemClock } from '../../src/time/clock.js';
import { createLogger } from '../../src/observe/logger.js';
import { createCoreMetrics } from '../../src/observe/metrics.js';
import { Scheduler, type Job } from '../../src/jobs/scheduler.js';

const turn = () => new Promise((r) => setImmediate(r));

describe('the scheduler', () => {
  it("runs a background job beside the others: the next tick's timers do not wait for it, and it is not started twice", async () => {
    const ran: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const jobs: Job[] = [
      { name: 'timers', run: async () => void ran.push('timers') },
      {
        name: 'digests',
        background: true,
        run: async () => {
          ran.push('digests');
          await held;
          ran.push('digests done');
        },
      },
    ];
    const scheduler = new Scheduler(jobs, new ManualClock(0), 1000, createLogger('silent'), createCoreMetrics(new Registry(), () => undefined));
    let firstDone = false;
    const first = scheduler.tick().then(() => (firstDone = true));
    await turn();
    const second = scheduler.tick();
    for (let i = 0; i < 10; i++) await turn();
    expect(ran).toEqual(['timers', 'digests', 'timers']);
    // tick() resolves once the background job is done too.
    expect(firstDone).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(ran).toEqual(['timers', 'digests', 'timers', 'digests done']);
    await scheduler.tick();
    expect(ran.slice(4)).toEqual(['timers', 'digests', 'digests done']);
  });

  describe('once started', () => {
    afterEach(() => vi.useRealTimers());
    const started = (jobs: Job[]) => {
      vi.useFakeTimers({ now: 1_000_000 });
      const scheduler = new Scheduler(jobs, systemClock, 1000, createLogger('silent'), createCoreMetrics(new Registry(), () => undefined));
      scheduler.start();
      return scheduler;
    };

    it('ticks every interval when no job knows of work sooner', async () => {
      const at: number[] = [];
      const scheduler = started([{ name: 'timers', run: async (now) => void at.push(now - 1_000_000), nextDueAt: async () => null }]);
      await vi.advanceTimersByTimeAsync(2_500);
      expect(at).toEqual([0, 1000, 2000]);
      await scheduler.stop();
    });

    it("wakes when a job's next work is due, not at the next interval", async () => {
      const at: number[] = [];
      const dues = [1_000_300, 1_000_450, null];
      const scheduler = started([{ name: 'timers', run: async (now) => void at.push(now - 1_000_000), nextDueAt: async () => dues.shift() ?? null }]);
      await vi.advanceTimersByTimeAsync(1_500);
      expect(at).toEqual([0, 300, 450, 1450]);
      await scheduler.stop();
    });

    it('waits at least a little when work is still due, and the interval after a failing tick', async () => {
      const at: number[] = [];
      let fail = false;
      const scheduler = started([
        {
          name: 'timers',
          run: async (now) => {
            at.push(now - 1_000_000);
            if (fail) throw new Error('store refused');
          },
          nextDueAt: async () => 0, // always due: more than one tick's work
        },
      ]);
      await vi.advanceTimersByTimeAsync(120);
      expect(at).toEqual([0, 50, 100]);
      fail = true;
      await vi.advanceTimersByTimeAsync(1_100);
      expect(at).toEqual([0, 50, 100, 150, 1150]);
      await scheduler.stop();
    });

    it('stops: no tick after stop()', async () => {
      let ticks = 0;
      const scheduler = started([{ name: 'timers', run: async () => void ticks++ }]);
      await vi.advanceTimersByTimeAsync(10);
      await scheduler.stop();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(ticks).toBe(1);
    });
  });
});
