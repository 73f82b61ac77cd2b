import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/runbooks/executor.js';
import type { ApprovalRequest } from '../../src/runbooks/steps/context.js';
import { json, startServer } from '../fixtures/runbooks/servers.js';
import { alertWith, fakeSleep, ManualClock, neverSleep, runbookFrom } from '../fixtures/runbooks/support.js';

let target: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  target = await startServer((_req, res) => json(res, 200, { ok: true }));
});
afterAll(() => target.close());
beforeEach(() => {
  target.requests.length = 0;
});

const gated = () =>
  runbookFrom(`
name: gated
steps:
  - name: ask
    type: approve
    prompt: 'Restart {{ labels.service }}?'
    timeout: 10m
  - name: restart
    type: http
    method: POST
    url: ${target.base}/restart/{{ labels.service }}
allow_hosts: ['${target.host}']`);

describe('approve step', () => {
  it('approved: the run goes on', async () => {
    const asked: ApprovalRequest[] = [];
    const result = await runRunbook(gated(), alertWith({ service: 'checkout' }), {
      runId: 'run-1',
      sleep: neverSleep,
      awaitApproval: async (req) => {
        asked.push(req);
        return { approved: true, by: 'alice' };
      },
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ runId: 'run-1', runbook: 'gated', step: 'ask', prompt: 'Restart checkout?', timeout: 600_000 });
    expect(result.steps[0]).toMatchObject({ status: 'succeeded', ok: true });
    expect(result.steps[0]!.output).toContain('approved by alice');
    expect(result.outcome).toBe('succeeded');
    expect(target.requests).toHaveLength(1);
  });

  it('refused: the step fails, on_failure stops the run, nothing is sent', async () => {
    const result = await runRunbook(gated(), alertWith({ service: 'checkout' }), {
      sleep: neverSleep,
      awaitApproval: async () => ({ approved: false, by: 'bob', comment: 'not at peak' }),
    });
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: 'rejected by bob' });
    expect(result.steps[0]!.output).toContain('rejected by bob (not at peak)');
    expect(result.outcome).toBe('failed');
    expect(result.steps[1]!.status).toBe('skipped');
    expect(target.requests).toHaveLength(0);
  });

  it('nobody decides: the step times out after its timeout (injected sleep) and the request is withdrawn', async () => {
    const clock = new ManualClock();
    const sleep = fakeSleep(clock);
    let withdrawn = false;
    const result = await runRunbook(gated(), alertWith({ service: 'checkout' }), {
      clock,
      sleep,
      awaitApproval: (req) =>
        new Promise(() => {
          req.signal.addEventListener('abort', () => (withdrawn = true));
        }),
    });
    expect(sleep.calls).toEqual([600_000]);
    expect(result.steps[0]).toMatchObject({ status: 'timed_out', error: 'nobody decided within 10m' });
    expect(withdrawn).toBe(true);
    expect(result.outcome).toBe('failed');
    expect(target.requests).toHaveLength(0);
  });

  it('fails without an approval port', async () => {
    const result = await runRunbook(gated(), alertWith({ service: 'x' }));
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: 'no approval channel is configured' });
  });

  it('shutdown while waiting aborts the run', async () => {
    const controller = new AbortController();
    const pending = runRunbook(gated(), alertWith({ service: 'x' }), { sleep: neverSleep, signal: controller.signal, awaitApproval: () => new Promise(() => {}) });
    setTimeout(() => controller.abort(), 20);
    const result = await pending;
    expect(result.outcome).toBe('aborted');
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: 'aborted: Vigil is shutting down' });
    expect(result.steps[1]).toMatchObject({ status: 'skipped', error: 'not run: Vigil is shutting down' });
  });
});

describe('conditions, notify, wait and the audit hooks', () => {
  const flow = () =>
    runbookFrom(`
name: flow
allow_hosts: ['${target.host}']
steps:
  - { name: restart, type: http, url: '${target.base}/r', on_failure: continue }
  - { name: pause, type: wait, duration: 30s, when: steps.restart.ok }
  - { name: on-ok, type: notify, when: 'steps.restart.ok and steps.restart.code == 200', message: 'restarted {{ labels.service }} ({{ steps.restart.status }})' }
  - { name: on-fail, type: notify, when: 'not steps.restart.ok', message: 'restart of {{ labels.service }} failed: {{ steps.restart.error }}' }
  - { name: critical-only, type: notify, when: 'labels.severity == "critical" || steps.on-fail.status == "succeeded"', message: 'escalating' }`);

  it('later steps read earlier results; skipped steps say why', async () => {
    const clock = new ManualClock();
    const sleep = fakeSleep(clock);
    const sent: string[] = [];
    const started: string[] = [];
    const recorded: string[] = [];
    const result = await runRunbook(flow(), alertWith({ service: 'checkout', severity: 'warning' }), {
      clock,
      sleep,
      notify: (m, meta) => void sent.push(`${meta.step}: ${m}`),
      onStepStart: (s) => void started.push(s.name),
      onStep: (r, run) => void recorded.push(`${run.runbook}/${r.name}: ${r.status}`),
    });
    expect(result.outcome).toBe('succeeded');
    expect(sleep.calls).toEqual([30_000]);
    expect(sent).toEqual(['on-ok: restarted checkout (succeeded)']);
    expect(started).toEqual(['restart', 'pause', 'on-ok']);
    expect(recorded).toEqual(['flow/restart: succeeded', 'flow/pause: succeeded', 'flow/on-ok: succeeded', 'flow/on-fail: skipped', 'flow/critical-only: skipped']);
    expect(result.steps[3]).toMatchObject({ status: 'skipped', ok: false, error: 'condition not met: not steps.restart.ok' });
    expect(result.steps[1]).toMatchObject({ startedAt: Date.parse('2026-01-01T00:00:00Z'), endedAt: Date.parse('2026-01-01T00:00:30Z') });
  });

  it('the other branch when the first step fails', async () => {
    target.setHandler((_req, res) => json(res, 503, {}));
    try {
      const sent: string[] = [];
      const result = await runRunbook(flow(), alertWith({ service: 'checkout' }), { sleep: neverSleep, notify: (m) => void sent.push(m) });
      expect(sent).toEqual(['restart of checkout failed: expected status 2xx, got 503', 'escalating']);
      expect(result.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped', 'succeeded', 'succeeded']);
      expect(result.outcome).toBe('succeeded');
    } finally {
      target.setHandler((_req, res) => json(res, 200, { ok: true }));
    }
  });

  it('a notify port that throws fails the step', async () => {
    const rb = runbookFrom(`
name: x
steps: [{ name: tell, type: notify, message: hi }]`);
    const result = await runRunbook(rb, alertWith({}), {
      notify: () => {
        throw new Error('outbox closed');
      },
    });
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: 'unexpected error: outbox closed' });
  });

  it('an audit hook that throws stops the run: no action without a record', async () => {
    const rb = runbookFrom(`
name: x
allow_hosts: ['${target.host}']
steps:
  - { name: a, type: notify, message: hi }
  - { name: b, type: http, url: '${target.base}/after' }`);
    await expect(
      runRunbook(rb, alertWith({}), {
        notify: () => {},
        onStep: () => {
          throw new Error('store down');
        },
      }),
    ).rejects.toThrow('store down');
    expect(target.requests).toHaveLength(0);
  });

  it('a whole runbook in dry run: every step says what it would do, nothing happens', async () => {
    const rb = runbookFrom(
      `
name: everything
allow_hosts: ['${target.host}']
allow_commands: ['${process.execPath}']
env: { TOKEN: '\${T}' }
steps:
  - { name: ask, type: approve, prompt: 'go?' }
  - { name: call, type: http, method: PUT, url: '${target.base}/x/{{ labels.service }}', headers: { Authorization: 'Bearer {{ env.TOKEN }}', X-Key: '{{ env.TOKEN }}' } }
  - { name: run, type: command, command: '${process.execPath}', args: ['-e', '1', '{{ labels.service }}'] }
  - { name: pause, type: wait, duration: 1h }
  - { name: verify, type: check, query: 'up{job="{{ labels.service }}"}', when: steps.call.ok }
  - { name: tell, type: notify, message: 'done {{ env.TOKEN }}' }`,
      { T: 'dry-secret-1234' },
    );
    let calls = 0;
    const result = await runRunbook(rb, alertWith({ service: 'svc' }), {
      dryRun: true,
      sleep: neverSleep,
      prometheusUrl: 'http://127.0.0.1:1',
      notify: () => void calls++,
      awaitApproval: async () => {
        calls++;
        return { approved: true, by: 'x' };
      },
    });
    expect(calls).toBe(0);
    expect(target.requests).toHaveLength(0);
    expect(result.outcome).toBe('dry_run');
    expect(result.steps.map((s) => s.status)).toEqual(['dry_run', 'dry_run', 'dry_run', 'dry_run', 'dry_run', 'dry_run']);
    const outputs = result.steps.map((s) => s.output);
    expect(outputs[0]).toBe('would ask for approval: go?');
    expect(outputs[1]).toContain(`PUT ${target.base}/x/svc`);
    expect(outputs[1]).toContain('Authorization: [redacted]');
    expect(outputs[1]).toContain('X-Key: ***');
    expect(outputs[2]).toContain(`would run:\n$ ${process.execPath} -e 1 svc`);
    expect(outputs[3]).toBe('would wait 1h');
    expect(outputs[4]).toContain('would query up{job="svc"}');
    expect(outputs[5]).toBe('would notify responders: done ***');
    expect(JSON.stringify(result)).not.toContain('dry-secret-1234');
  });
});
