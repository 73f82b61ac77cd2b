import { afterEach, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/runbooks/executor.js';
import { promqlStringAfter, startPrometheus, startServer, vector } from '../fixtures/runbooks/servers.js';
import { alertWith, fakeSleep, ManualClock, runbookFrom } from '../fixtures/runbooks/support.js';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function prometheus(answers: unknown[]) {
  const p = await startPrometheus(answers);
  servers.push(p);
  return p;
}

const checkRunbook = (query: string, extra = '') =>
  runbookFrom(`
name: verify
steps:
  - name: up
    type: check
    query: '${query}'
${extra}`);

describe('check step', () => {
  it('retries until the condition holds: succeeds on the 3rd attempt, moved by the injected sleep', async () => {
    const prom = await prometheus([vector(), vector(0), vector(1)]);
    const clock = new ManualClock();
    const sleep = fakeSleep(clock);
    const rb = checkRunbook('up{job="{{ labels.job }}"}', '    condition: == 1\n    retries: 12\n    interval: 10s');
    const result = await runRunbook(rb, alertWith({ job: 'checkout' }), { prometheusUrl: prom.base, clock, sleep });
    expect(result.outcome).toBe('succeeded');
    expect(result.steps[0]).toMatchObject({ status: 'succeeded', ok: true });
    expect(prom.queries).toEqual(['up{job="checkout"}', 'up{job="checkout"}', 'up{job="checkout"}']);
    expect(sleep.calls).toEqual([10_000, 10_000]);
    expect(result.steps[0]!.endedAt - result.steps[0]!.startedAt).toBe(20_000);
    const out = result.steps[0]!.output;
    expect(out).toContain('attempt 1 at 2026-01-01T00:00:00.000Z: no samples');
    expect(out).toContain('attempt 2 at 2026-01-01T00:00:10.000Z: {instance="i0"} 0');
    expect(out).toContain('attempt 3 at 2026-01-01T00:00:20.000Z: {instance="i0"} 1 — condition holds');
  });

  it('fails after the last retry when the condition never holds', async () => {
    const prom = await prometheus([vector(0)]);
    const clock = new ManualClock();
    const sleep = fakeSleep(clock);
    const rb = checkRunbook('up', '    condition: "> 0"\n    retries: 2\n    interval: 5s');
    const result = await runRunbook(rb, alertWith({}), { prometheusUrl: prom.base, clock, sleep });
    expect(result.outcome).toBe('failed');
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: 'condition (every sample > 0) not met after 3 attempts' });
    expect(prom.queries).toHaveLength(3);
    expect(sleep.calls).toEqual([5000, 5000]);
  });

  it('a comparison must hold for every sample', async () => {
    const prom = await prometheus([vector(1, 0, 1)]);
    const result = await runRunbook(checkRunbook('up', '    condition: == 1'), alertWith({}), { prometheusUrl: prom.base });
    expect(result.steps[0]!.status).toBe('failed');
  });

  it('result_empty and scalar results', async () => {
    const prom = await prometheus([vector(), { status: 'success', data: { resultType: 'scalar', result: [1, '2.5'] } }]);
    const rb = runbookFrom(`
name: x
steps:
  - { name: a, type: check, query: 'ALERTS{alertstate="firing"}', condition: result_empty }
  - { name: b, type: check, query: 'scalar(1)', condition: '>= 2.5' }`);
    const result = await runRunbook(rb, alertWith({}), { prometheusUrl: prom.base });
    expect(result.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('a Prometheus error counts as a failed attempt and is recorded', async () => {
    const prom = await prometheus([{ status: 'error', errorType: 'bad_data', error: 'parse error' }]);
    const result = await runRunbook(checkRunbook('up{'), alertWith({}), { prometheusUrl: prom.base });
    expect(result.steps[0]!.status).toBe('failed');
    expect(result.steps[0]!.output).toContain('Prometheus answered error: parse error');
  });

  it('times out when Prometheus does not answer', async () => {
    const silent = await startServer(() => {});
    servers.push(silent);
    const rb = checkRunbook('up', '    timeout: 200ms');
    const result = await runRunbook(rb, alertWith({}), { prometheusUrl: silent.base });
    expect(result.steps[0]).toMatchObject({ status: 'timed_out' });
    expect(result.steps[0]!.output).toContain('no answer within 200ms');
  });

  it('fails without a Prometheus URL', async () => {
    const result = await runRunbook(checkRunbook('up'), alertWith({}));
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: 'no Prometheus configured (runbooks.prometheusUrl)' });
  });

  it('dry run queries nothing', async () => {
    const prom = await prometheus([vector(1)]);
    const result = await runRunbook(checkRunbook('up{job="{{ labels.job }}"}'), alertWith({ job: 'a' }), { prometheusUrl: prom.base, dryRun: true });
    expect(result.steps[0]!.status).toBe('dry_run');
    expect(result.steps[0]!.output).toContain('would query up{job="a"}');
    expect(prom.queries).toHaveLength(0);
  });

  it('works with a Prometheus behind a path prefix', async () => {
    const prefixed = await startServer((req, res) => {
      res.writeHead(req.url.startsWith('/prom/api/v1/query?') ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(vector(1)));
    });
    servers.push(prefixed);
    const result = await runRunbook(checkRunbook('up'), alertWith({}), { prometheusUrl: `${prefixed.base}/prom/` });
    expect(result.steps[0]!.status).toBe('succeeded');
  });
});

describe('check step: PromQL injection in labels changes nothing', () => {
  it.each(['"}) or vector(1)', '"} or on() vector(1) #', 'a\\"}', 'x\ny', "'; drop", 'a\\', '\u0001'])(
    'the label %j stays inside its string literal',
    async (job) => {
      const prom = await prometheus([vector()]);
      const rb = checkRunbook('up{job="{{ labels.job }}"} == 1');
      await runRunbook(rb, alertWith({ job }), { prometheusUrl: prom.base });
      const sent = prom.queries[0]!;
      const literal = promqlStringAfter(sent, 'up{job=');
      expect(literal.value).toBe(job);
      expect(literal.rest).toBe('} == 1');
    },
  );

  it('escapes for single-quoted strings too', async () => {
    const prom = await prometheus([vector()]);
    const rb = runbookFrom(`
name: x
steps: [{ name: a, type: check, query: "up{job='{{ labels.job }}'}" }]`);
    await runRunbook(rb, alertWith({ job: `it's "x"` }), { prometheusUrl: prom.base });
    expect(prom.queries[0]).toBe(`up{job='it\\'s "x"'}`);
  });
});
