import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/time/clock.js';
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
});
