import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/runbooks/executor.js';
import { json, startServer, type SeenRequest } from '../fixtures/runbooks/servers.js';
import { alertWith, runbookFrom } from '../fixtures/runbooks/support.js';
import type { ServerResponse } from 'node:http';

type Server = Awaited<ReturnType<typeof startServer>>;
let target: Server;
let elsewhere: Server;
const notes: string[] = [];

beforeAll(async () => {
  target = await startServer((_req, res) => json(res, 200, { ok: true }));
  elsewhere = await startServer((_req, res) => json(res, 200, { reached: 'elsewhere' }));
});
afterAll(async () => {
  await target.close();
  await elsewhere.close();
});
beforeEach(() => {
  target.requests.length = 0;
  elsewhere.requests.length = 0;
  target.setHandler((_req, res) => json(res, 200, { ok: true }));
  notes.length = 0;
});

const restart = (extra = '', step = '') => `
name: restart-service
allow_hosts: ['${target.host}']
${extra}
steps:
  - name: restart
    type: http
    method: POST
    url: ${target.base}/v1/services/{{ labels.service }}/restart?reason={{ annotations.summary }}
    timeout: 2s
${step}
  - name: after
    type: notify
    message: done
`;

const notify = (m: string) => void notes.push(m);

describe('http step', () => {
  it('sends the request to the written host and succeeds on 2xx', async () => {
    const result = await runRunbook(runbookFrom(restart()), alertWith({ service: 'checkout' }, { summary: 'down & out' }), { notify });
    expect(result.outcome).toBe('succeeded');
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]!.method).toBe('POST');
    expect(target.requests[0]!.url).toBe('/v1/services/checkout/restart?reason=down%20%26%20out');
    const [step] = result.steps;
    expect(step).toMatchObject({ name: 'restart', type: 'http', ok: true, status: 'succeeded', code: 200 });
    expect(step!.output).toContain('→ 200');
    expect(step!.output).toContain('{"ok":true}');
  });

  describe('failure (500) and on_failure', () => {
    beforeEach(() => {
      target.setHandler((_req, res) => json(res, 500, { error: 'boom' }));
    });

    it('stop: the run fails and later steps are recorded as not run', async () => {
      const result = await runRunbook(runbookFrom(restart()), alertWith({ service: 'checkout' }, { summary: 'x' }), { notify });
      expect(result.outcome).toBe('failed');
      expect(result.steps[0]).toMatchObject({ status: 'failed', ok: false, code: 500, error: 'expected status 2xx, got 500' });
      expect(result.steps[0]!.output).toContain('boom');
      expect(result.steps[1]).toMatchObject({ name: 'after', status: 'skipped', error: 'not run: step restart failed' });
    });

    it('continue: the next step runs', async () => {
      const rb = runbookFrom(restart('', '    on_failure: continue'));
      const result = await runRunbook(rb, alertWith({ service: 'checkout' }, { summary: 'x' }), { notify });
      expect(result.outcome).toBe('succeeded');
      expect(result.steps.map((s) => s.status)).toEqual(['failed', 'succeeded']);
    });

    it('escalate: the run ends asking for a human', async () => {
      const rb = runbookFrom(restart('', '    on_failure: escalate'));
      const result = await runRunbook(rb, alertWith({ service: 'checkout' }, { summary: 'x' }), { notify });
      expect(result.outcome).toBe('escalate');
      expect(result.steps[1]).toMatchObject({ status: 'skipped', error: 'not run: step restart failed; escalated to a human' });
    });

    it('a listed status counts as success', async () => {
      const rb = runbookFrom(restart('', '    expect_status: [500, 4xx]'));
      const result = await runRunbook(rb, alertWith({ service: 'checkout' }, { summary: 'x' }), { notify });
      expect(result.steps[0]).toMatchObject({ status: 'succeeded', code: 500 });
    });
  });

  it('times out when the server never answers', async () => {
    target.setHandler(() => {});
    const rb = runbookFrom(restart().replace('timeout: 2s', 'timeout: 200ms'));
    const result = await runRunbook(rb, alertWith({ service: 'checkout' }, { summary: 'x' }), { notify });
    expect(result.outcome).toBe('failed');
    expect(result.steps[0]).toMatchObject({ status: 'timed_out', ok: false, error: 'no complete answer within 200ms' });
    expect(target.requests).toHaveLength(1);
  });

  it('fails with the connection error when nothing listens', async () => {
    const rb = runbookFrom(`
name: x
allow_hosts: ['127.0.0.1:1']
steps: [{ name: a, type: http, url: 'http://127.0.0.1:1/' }]`);
    const result = await runRunbook(rb, alertWith({}));
    expect(result.steps[0]).toMatchObject({ status: 'failed' });
    expect(result.steps[0]!.error).toMatch(/ECONNREFUSED/);
  });

  it('dry run sends nothing and records the request it would send', async () => {
    const result = await runRunbook(runbookFrom(restart()), alertWith({ service: 'checkout' }, { summary: 's' }), { dryRun: true, notify });
    expect(target.requests).toHaveLength(0);
    expect(notes).not.toContain('done');
    expect(result.outcome).toBe('dry_run');
    expect(result.dryRun).toBe(true);
    expect(result.steps[0]).toMatchObject({ status: 'dry_run', ok: true });
    expect(result.steps[0]!.output).toContain(`would send:\nPOST ${target.base}/v1/services/checkout/restart?reason=s`);
  });

  it("a runbook's own dry_run applies too", async () => {
    const result = await runRunbook(runbookFrom(restart('dry_run: true')), alertWith({ service: 'checkout' }, { summary: 's' }));
    expect(target.requests).toHaveLength(0);
    expect(result.outcome).toBe('dry_run');
  });

  it('keeps only outputLimit bytes of the response body', async () => {
    target.setHandler((_req, res) => {
      res.writeHead(200);
      res.end('x'.repeat(100_000));
    });
    const result = await runRunbook(runbookFrom(restart()), alertWith({ service: 'a' }, { summary: 's' }), { outputLimit: 300, notify });
    expect(result.steps[0]!.status).toBe('succeeded');
    expect(result.steps[0]!.output).toContain('x'.repeat(300));
    expect(result.steps[0]!.output).not.toContain('x'.repeat(301));
    expect(result.steps[0]!.output).toContain('(truncated after 300 bytes)');
  });

  it('sends an object body as JSON with alert values as JSON strings', async () => {
    const rb = runbookFrom(`
name: x
allow_hosts: ['${target.host}']
steps:
  - name: a
    type: http
    method: POST
    url: ${target.base}/scale
    body: { service: '{{ labels.service }}', replicas: 2, tags: ['{{ labels.team }}', true] }`);
    const evil = 'x", "replicas": 999, "y": "';
    await runRunbook(rb, alertWith({ service: evil, team: '{"a":1}' }));
    const req = target.requests[0]!;
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ service: evil, replicas: 2, tags: ['{"a":1}', true] });
  });

  it('fails the step, sending nothing, when a label the url needs is missing or empty', async () => {
    const missing = await runRunbook(runbookFrom(restart()), alertWith({}, { summary: 's' }));
    expect(missing.steps[0]).toMatchObject({ status: 'failed', error: 'labels.service is not set' });
    const empty = await runRunbook(runbookFrom(restart()), alertWith({ service: '' }, { summary: 's' }));
    expect(empty.steps[0]).toMatchObject({ status: 'failed', error: 'labels.service is empty and would change the url path' });
    expect(target.requests).toHaveLength(0);
  });
});

describe('http step: injection attempts in labels change nothing', () => {
  const withHeader = () => `
name: x
allow_hosts: ['${target.host}']
steps:
  - name: a
    type: http
    url: ${target.base}/hook
    headers:
      X-Service: '{{ labels.service }}'`;

  it.each(['checkout\r\nX-Injected: yes', 'checkout\nX-Injected: yes', 'checkout\rX-Injected: yes', 'a\u0000b'])(
    'a header value with CR/LF/NUL (%j) fails the step and no request is sent',
    async (value) => {
      const result = await runRunbook(runbookFrom(withHeader()), alertWith({ service: value }));
      expect(result.steps[0]).toMatchObject({ status: 'failed', ok: false });
      expect(result.steps[0]!.error).toBe('labels.service contains a line break or control character and cannot go into a header');
      expect(target.requests).toHaveLength(0);
    },
  );

  it('a clean header value arrives as exactly one header', async () => {
    await runRunbook(runbookFrom(withHeader()), alertWith({ service: 'checkout: yes' }));
    expect(target.requests[0]!.headers['x-service']).toBe('checkout: yes');
    expect(target.requests[0]!.headers['x-injected']).toBeUndefined();
  });

  it.each([
    ['evil.com/x', '/v1/services/evil.com%2Fx/restart'],
    ['@evil.com', '/v1/services/%40evil.com/restart'],
    ['../../admin', '/v1/services/..%2F..%2Fadmin/restart'],
    ['a?b=c#d', '/v1/services/a%3Fb%3Dc%23d/restart'],
    ['x\\..\\y', '/v1/services/x%5C..%5Cy/restart'],
    [`${'127.0.0.1'}:1/`, '/v1/services/127.0.0.1%3A1%2F/restart'],
  ])('a url label %j is percent-encoded and the request still goes to the allow-listed host', async (service, path) => {
    const result = await runRunbook(runbookFrom(restart()), alertWith({ service }, { summary: 'evil.com&x=1' }), { notify });
    expect(result.steps[0]!.status).toBe('succeeded');
    expect(elsewhere.requests).toHaveLength(0);
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]!.url).toBe(`${path}?reason=evil.com%26x%3D1`);
    expect(target.requests[0]!.headers.host).toBe(target.host);
  });

  it.each(['..', '.', '%2e%2e', '.%2E'])('a label %j that would form a dot segment fails the step', async (service) => {
    const result = await runRunbook(runbookFrom(restart()), alertWith({ service }, { summary: 's' }));
    if (service.includes('%')) {
      // Percent signs are encoded themselves (%252e), so this is an ordinary segment.
      expect(result.steps[0]!.status).toBe('succeeded');
      expect(target.requests[0]!.url).toContain('/v1/services/' + encodeURIComponent(service) + '/restart');
    } else {
      expect(result.steps[0]).toMatchObject({ status: 'failed', error: 'a value would make a "." or ".." path segment and change the url path' });
      expect(target.requests).toHaveLength(0);
    }
  });
});

describe('http step: redirects', () => {
  const redirectTo = (location: string) => (req: SeenRequest, res: ServerResponse) => {
    if (req.url === '/start') {
      res.writeHead(302, { location });
      res.end();
    } else json(res, 200, { at: req.url, method: req.method });
  };
  const rb = (hosts: string[]) =>
    runbookFrom(`
name: x
allow_hosts: ${JSON.stringify(hosts)}
steps:
  - name: a
    type: http
    method: POST
    url: ${target.base}/start
    headers: { Authorization: 'Bearer {{ env.TOKEN }}' }
    body: { a: 1 }
env: { TOKEN: '\${TOKEN}' }`, { TOKEN: 'sekrit-token-value' });

  it('does not follow a redirect to a host that is not on the allow-list', async () => {
    target.setHandler(redirectTo(`${elsewhere.base}/steal`));
    const result = await runRunbook(rb([target.host]), alertWith({}));
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: `redirected to ${elsewhere.host}, which is not on the allow-list; not followed` });
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('does not follow a redirect to another scheme', async () => {
    target.setHandler(redirectTo('file:///etc/passwd'));
    const result = await runRunbook(rb([target.host]), alertWith({}));
    expect(result.steps[0]!.status).toBe('failed');
    expect(result.steps[0]!.error).toMatch(/not on the allow-list; not followed/);
  });

  it('follows a redirect within the allow-list (302 after POST continues as GET)', async () => {
    target.setHandler(redirectTo('/landed'));
    const result = await runRunbook(rb([target.host]), alertWith({}));
    expect(result.steps[0]!.status).toBe('succeeded');
    expect(target.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /start', 'GET /landed']);
    expect(target.requests[1]!.headers.authorization).toBe('Bearer sekrit-token-value');
  });

  it('drops credentials when an allowed redirect changes origin', async () => {
    target.setHandler(redirectTo(`${elsewhere.base}/ok`));
    const result = await runRunbook(rb([target.host, elsewhere.host]), alertWith({}));
    expect(result.steps[0]!.status).toBe('succeeded');
    expect(elsewhere.requests).toHaveLength(1);
    expect(elsewhere.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('http step: secrets', () => {
  it('never records a secret from env, in the request, the response or an error', async () => {
    const secret = 'tok-3f9a8b7c6d5e';
    target.setHandler((req, res) => json(res, 500, { echoed: req.headers.authorization, query: req.url }));
    const rb = runbookFrom(
      `
name: x
allow_hosts: ['${target.host}']
env: { TOKEN: '\${ORCH_TOKEN}' }
steps:
  - name: a
    type: http
    url: ${target.base}/x?key={{ env.TOKEN }}
    headers: { X-Token: '{{ env.TOKEN }}', Authorization: 'Bearer {{ env.TOKEN }}' }
  - name: b
    type: notify
    when: '!steps.a.ok'
    message: 'failed: {{ steps.a.output }}'`,
      { ORCH_TOKEN: secret },
    );
    const sent: string[] = [];
    const recorded: string[] = [];
    const result = await runRunbook(rb, alertWith({}), { notify: (m) => void sent.push(m), onStep: (r) => void recorded.push(JSON.stringify(r)) });
    expect(target.requests[0]!.headers['x-token']).toBe(secret); // it was really sent
    expect(result.steps[0]!.status).toBe('failed');
    const everything = JSON.stringify(result) + sent.join('') + recorded.join('');
    expect(everything).toContain('***');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(encodeURIComponent(secret));
  });

  it('masks values read from ${VAR} anywhere in the file, not only under env:', async () => {
    target.setHandler((req, res) => json(res, 200, { got: req.url }));
    const rb = runbookFrom(
      `
name: x
allow_hosts: ['${target.host}']
steps:
  - { name: a, type: http, url: '${target.base}/x?key=\${API_KEY}' }`,
      { API_KEY: 'literal-key-123' },
    );
    const result = await runRunbook(rb, alertWith({}));
    expect(target.requests[0]!.url).toBe('/x?key=literal-key-123');
    expect(JSON.stringify(result)).not.toContain('literal-key-123');
  });
});

describe('http step: a secret cut in half by the size limit', () => {
  it('is masked too', async () => {
    const secret = 'cut-secret-0123456789';
    target.setHandler((_req, res) => {
      res.writeHead(200);
      res.end('x'.repeat(290) + secret + 'y'.repeat(1000));
    });
    const rb = runbookFrom(`
name: x
allow_hosts: ['${target.host}']
env: { T: '\${T}' }
steps: [{ name: a, type: http, url: '${target.base}/' }]`, { T: secret });
    const result = await runRunbook(rb, alertWith({}), { outputLimit: 300 });
    const out = result.steps[0]!.output;
    expect(out).toContain('x'.repeat(290) + '***\n… (truncated after 300 bytes)');
    expect(out).not.toContain(secret.slice(0, 10));
  });
});

describe('http step: allow-list at run time', () => {
  it('refuses a host the merged allow-lists no longer contain', async () => {
    // Loaded while the global list allowed it; run with a global list that does not.
    const rb = runbookFrom(`
name: x
steps: [{ name: a, type: http, url: '${target.base}/x' }]`, {}, { allowHosts: [target.host] });
    expect(rb.allowHosts).toEqual([target.host]);
    const narrowed = { ...rb, allowHosts: [] };
    const result = await runRunbook(narrowed, alertWith({}), { allowHosts: ['example.org'] });
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: `host ${target.host} is not on the allow-list; request not sent` });
    expect(target.requests).toHaveLength(0);
  });
});
