import { describe, expect, it } from 'vitest';
import { RunbookGuards, type GuardSettings } from '../../src/runbooks/guards.js';
import { MemoryRunHistory, type RunHistory } from '../../src/runbooks/run-history.js';
import { alertWith, ManualClock, runbookFrom } from '../fixtures/runbooks/support.js';

const restart = (extra = 'concurrency: 5') =>
  runbookFrom(`
name: restart-service
${extra}
rate_limit: { max: 3, per: 1h, key: '{{ labels.service }}' }
steps: [{ name: tell, type: notify, message: hi }]`);

const settings: GuardSettings = { enabled: true, maxConcurrentRuns: 10 };
const checkout = alertWith({ service: 'checkout' });

function setup(s: GuardSettings = settings) {
  const clock = new ManualClock();
  const history = new MemoryRunHistory();
  return { clock, history, guards: new RunbookGuards(s, history, clock) };
}

describe('rate limit per runbook and target', () => {
  it('the 4th run within the hour is refused with the reason in words', async () => {
    const { clock, guards } = setup();
    const rb = restart();
    for (let i = 0; i < 3; i++) {
      const a = await guards.admit(rb, checkout);
      expect(a.ok).toBe(true);
      if (a.ok) a.release();
      clock.advance(10 * 60_000);
    }
    const fourth = await guards.admit(rb, checkout);
    expect(fourth).toEqual({
      ok: false,
      guard: 'rate_limit',
      key: 'checkout',
      reason: 'restart-service ran 3 times for checkout in the last 1h; paging a human instead',
    });
  });

  it('counts each target on its own, and the window slides', async () => {
    const { clock, guards } = setup();
    const rb = restart();
    for (let i = 0; i < 3; i++) {
      const a = await guards.admit(rb, checkout);
      if (a.ok) a.release();
    }
    expect((await guards.admit(rb, alertWith({ service: 'payments' }))).ok).toBe(true);
    clock.advance(60 * 60_000 - 1);
    expect((await guards.admit(rb, checkout)).ok).toBe(false);
    clock.advance(1);
    expect((await guards.admit(rb, checkout)).ok).toBe(true);
  });

  it('reads previous runs through the port (the database in the integration)', async () => {
    const clock = new ManualClock();
    const asked: [string, string, number][] = [];
    const history: RunHistory = {
      recentRuns: async (runbook, key, since) => {
        asked.push([runbook, key, since]);
        return 3;
      },
      recordRun: () => {},
    };
    const a = await new RunbookGuards(settings, history, clock).admit(restart(), checkout);
    expect(a.ok).toBe(false);
    expect(asked).toEqual([['restart-service', 'checkout', clock.now() - 3_600_000]]);
  });

  it('two alerts at once cannot both take the last slot', async () => {
    const { guards } = setup();
    const rb = restart();
    for (let i = 0; i < 2; i++) {
      const a = await guards.admit(rb, checkout);
      if (a.ok) a.release();
    }
    const both = await Promise.all([guards.admit(rb, checkout), guards.admit(rb, checkout)]);
    expect(both.map((a) => a.ok)).toEqual([true, false]);
  });

  it('a cooldown is max: 1, and says "1 time"', async () => {
    const { guards } = setup();
    const rb = runbookFrom(`
name: disk-cleanup
rate_limit: { max: 1, per: 6h }
steps: [{ name: tell, type: notify, message: hi }]`);
    const a = await guards.admit(rb, checkout);
    if (a.ok) a.release();
    const b = await guards.admit(rb, checkout);
    expect(b.ok === false && b.reason).toBe('disk-cleanup ran 1 time in the last 6h; paging a human instead');
  });

  it('dry runs are checked but not counted; manual runs are counted but not limited', async () => {
    const { history, guards, clock } = setup();
    const rb = restart();
    for (let i = 0; i < 5; i++) {
      const a = await guards.admit(rb, checkout, { dryRun: true });
      expect(a.ok).toBe(true);
      if (a.ok) a.release();
    }
    expect(history.recentRuns('restart-service', 'checkout', -1)).toBe(0);
    for (let i = 0; i < 4; i++) {
      const a = await guards.admit(rb, checkout, { manual: true });
      expect(a.ok).toBe(true);
      if (a.ok) a.release();
    }
    expect(history.recentRuns('restart-service', 'checkout', clock.now() - 1)).toBe(4);
    expect((await guards.admit(rb, checkout)).ok).toBe(false);
  });
});

describe('concurrency and the kill switch', () => {
  it('refuses a run beyond the runbook concurrency until one is released', async () => {
    const { guards } = setup();
    const rb = restart('concurrency: 1');
    const first = await guards.admit(rb, checkout);
    expect(first.ok).toBe(true);
    const second = await guards.admit(rb, alertWith({ service: 'payments' }));
    expect(second).toMatchObject({ ok: false, guard: 'concurrency', reason: 'restart-service is already running 1 time (concurrency 1); paging a human instead' });
    expect(guards.active('restart-service')).toBe(1);
    if (first.ok) {
      first.release();
      first.release(); // twice is harmless
    }
    expect(guards.active()).toBe(0);
    expect((await guards.admit(rb, alertWith({ service: 'payments' }))).ok).toBe(true);
  });

  it('refuses beyond maxConcurrentRuns across runbooks', async () => {
    const { guards } = setup({ enabled: true, maxConcurrentRuns: 2 });
    const a = runbookFrom('name: a\nsteps: [{ name: s, type: wait, duration: 1s }]');
    const b = runbookFrom('name: b\nsteps: [{ name: s, type: wait, duration: 1s }]');
    const c = runbookFrom('name: c\nsteps: [{ name: s, type: wait, duration: 1s }]');
    expect((await guards.admit(a, checkout)).ok).toBe(true);
    expect((await guards.admit(b, checkout)).ok).toBe(true);
    expect(await guards.admit(c, checkout)).toMatchObject({
      ok: false,
      guard: 'global_concurrency',
      reason: '2 runbooks are already running (runbooks.maxConcurrentRuns 2); paging a human instead',
    });
  });

  it('the kill switch refuses everything, dry runs included, and can be turned back on', async () => {
    const { guards, history } = setup({ enabled: false, maxConcurrentRuns: 4 });
    const refused = await guards.admit(restart(), checkout, { dryRun: true });
    expect(refused).toMatchObject({ ok: false, guard: 'kill_switch', reason: 'runbooks are switched off (runbooks.enabled: false); paging a human instead' });
    expect(history.recentRuns('restart-service', 'checkout', -1)).toBe(0);
    guards.update({ enabled: true, maxConcurrentRuns: 4 });
    expect((await guards.admit(restart(), checkout)).ok).toBe(true);
  });

  it('a refused run leaves no slot taken and no run recorded', async () => {
    const { guards, history } = setup();
    const rb = restart('concurrency: 1');
    const first = await guards.admit(rb, checkout);
    await guards.admit(rb, checkout);
    expect(guards.active()).toBe(1);
    expect(history.recentRuns('restart-service', 'checkout', -1)).toBe(1);
    if (first.ok) first.release();
  });
});
