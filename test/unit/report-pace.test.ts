import { describe, expect, it } from 'vitest';
import { reportPacer, type PaceIo } from '../../src/reports/pace.js';

/**
 * A pretend event loop: the test says how long each report step takes and how much other work (ingest)
 * arrives per ms; that work runs whenever the report lets the loop turn or waits. The pacer's waits are
 * recorded, not waited.
 */
function loop() {
  let now = 0;
  let active = 0;
  /** Other work arriving per ms, 0..1, and what has arrived and not run yet (ms). */
  let load = 0;
  let backlog = 0;
  const waits: ('turn' | number)[] = [];
  const io: PaceIo = {
    now: () => now,
    loopActive: () => active,
    turn: async () => {
      waits.push('turn');
      now += backlog;
      active += backlog;
      backlog = 0;
    },
    sleep: async (ms) => {
      waits.push(Math.round(ms));
      const ran = Math.min(ms, backlog + ms * load);
      backlog = backlog + ms * load - ran;
      now += ms;
      active += ran;
    },
  };
  return {
    io,
    waits,
    setLoad: (l: number) => (load = l),
    /** A report step of `ms`: the loop is busy with it while other work arrives. */
    step: (ms: number) => {
      now += ms;
      active += ms;
      backlog += ms * load;
    },
  };
}

describe('pacing a report on a shared event loop', () => {
  const options = { share: 0.05, busyAbove: 0.2, idleBelow: 0.05, windowMs: 50 };

  it('lets the loop turn between steps and otherwise runs at full speed while Vigil is idle', async () => {
    const l = loop();
    const pause = reportPacer(options, l.io);
    for (let k = 0; k < 100; k++) {
      l.step(3);
      await pause();
    }
    expect(l.waits.every((w) => w === 'turn')).toBe(true);
  });

  it('takes at most its share of the time while other work keeps the loop busy, and speeds up when it stops', async () => {
    const l = loop();
    const pause = reportPacer(options, l.io);
    l.setLoad(0.6);
    for (let k = 0; k < 40; k++) {
      l.step(2);
      await pause();
    }
    // Once a window has seen the other work, each 2 ms step is followed by 38 ms for the rest: 5 %.
    const busy = l.waits.slice(-10);
    expect(busy).toEqual(Array(10).fill(38));
    l.setLoad(0);
    for (let k = 0; k < 40; k++) {
      l.step(2);
      await pause();
    }
    expect(l.waits.slice(-10)).toEqual(Array(10).fill('turn'));
  });

  it('stays slow while the other work goes on, even when it needs less of the loop than it took to notice', async () => {
    const l = loop();
    const pause = reportPacer(options, l.io);
    l.setLoad(0.6);
    for (let k = 0; k < 20; k++) {
      l.step(2);
      await pause();
    }
    // Lighter ingest: too little to make an idle loop look busy, too much to speed up again.
    l.setLoad(0.1);
    for (let k = 0; k < 40; k++) {
      l.step(2);
      await pause();
    }
    expect(l.waits.slice(-10)).toEqual(Array(10).fill(38));
  });

  it('tells how long each step took', async () => {
    const l = loop();
    const steps: number[] = [];
    const pause = reportPacer(options, l.io, (ms) => steps.push(ms));
    for (const ms of [1, 4, 2]) {
      l.step(ms);
      await pause();
    }
    expect(steps).toEqual([1, 4, 2]);
  });

  it('takes light other work for an idle loop', async () => {
    const l = loop();
    const pause = reportPacer(options, l.io);
    l.setLoad(0.1);
    for (let k = 0; k < 100; k++) {
      l.step(3);
      await pause();
    }
    expect(l.waits.every((w) => w === 'turn')).toBe(true);
  });
});
