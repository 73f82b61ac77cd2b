import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenCreate, tokenRevoke } from '../../src/cli/token.js';
import { amWebhook, databaseOf, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
afterEach(async () => v?.close());

const API_TOKEN = 'api-secret-token';
const fire = (t: TestVigil) => t.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'InstanceDown', instance: 'web-1', job: 'node' } }]));

/** A personal token made the way people make them: `vigil token create`, against Vigil's database. */
async function createToken(dbPath: string, person: string, expires?: string): Promise<{ token: string; id: string }> {
  let printed = '';
  const code = await tokenCreate({ person, expires }, { env: { VIGIL_DB: dbPath }, now: v.clock.now(), out: (t) => (printed += t), err: (t) => (printed += t) });
  expect(code, printed).toBe(0);
  return { token: /(vigil_pat_\S+)/.exec(printed)![1]!, id: /Token (pat_\w+)/.exec(printed)![1]! };
}

async function start(file: Record<string, unknown> = {}, apiTokens = [API_TOKEN]) {
  const dbPath = path.join(tempDir(), 'vigil.db');
  v = await startVigil({ dbPath, auth: { apiTokens }, file });
  return databaseOf(v);
}

/** Signs in like the console's page does; returns the session cookie. */
async function signIn(t: TestVigil, token: string): Promise<{ status: number; cookie: string | null; body: any; headers: Headers }> {
  const res = await fetch(`${t.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: t.url }, body: JSON.stringify({ token }) });
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, cookie: setCookie ? setCookie.split(';')[0]! : null, body: await res.json().catch(() => null), headers: res.headers };
}

const fromConsole = (t: TestVigil, cookie: string) => ({ cookie, origin: t.url, 'sec-fetch-site': 'same-origin' });

describe('people act as themselves', () => {
  it('a personal token signs in to a session; the console acknowledges as that person', async () => {
    const db = await start();
    await fire(v);
    const { token } = await createToken(db, 'alice');
    const session = await signIn(v, token);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ person: 'alice', name: 'Alice Example', admin: false, open: false });
    const set = session.headers.get('set-cookie')!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).not.toMatch(/Secure/);
    expect(await (await v.get('/api/v1/session', { cookie: session.cookie! })).json()).toMatchObject({ person: 'alice', via: 'session' });

    const ack = await v.post('/api/v1/incidents/1/acknowledge', { by: 'somebody-else' }, fromConsole(v, session.cookie!));
    expect(ack.status).toBe(200);
    const incident = await v.json('/api/v1/incidents/1', { authorization: `Bearer ${API_TOKEN}` });
    expect(incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice' });
    expect(incident.timeline.find((e: any) => e.kind === 'acknowledged')).toMatchObject({ message: 'acknowledged by Alice Example (console)', actor: 'alice', source: 'console' });
  });

  it('a personal token works on the API as a Bearer token, under the person’s name', async () => {
    const db = await start();
    await fire(v);
    const { token } = await createToken(db, 'bob');
    // bob is on call at the test clock and was paged; alice was not.
    expect((await v.json('/api/v1/incidents?mine=true', { authorization: `Bearer ${token}` })).incidents.map((i: any) => i.id)).toEqual([1]);
    const alice = await createToken(db, 'alice');
    expect((await v.json('/api/v1/incidents?mine=true', { authorization: `Bearer ${alice.token}` })).incidents).toEqual([]);
    const res = await v.post('/api/v1/incidents/1/resolve', { note: 'rebooted' }, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const incident = await v.json('/api/v1/incidents/1', { authorization: `Bearer ${token}` });
    expect(incident).toMatchObject({ status: 'resolved', resolvedBy: 'bob' });
    expect(incident.timeline.find((e: any) => e.kind === 'resolved').message).toBe('resolved by Bob Example: rebooted');
  });

  it('the API token signs in as the administrator', async () => {
    await start();
    const session = await signIn(v, API_TOKEN);
    expect(session.body).toMatchObject({ person: 'admin', name: 'admin', admin: true });
  });

  it('a wrong, revoked or expired token is refused; revoking ends the sessions it opened', async () => {
    const db = await start();
    expect((await signIn(v, 'vigil_pat_not-a-token')).status).toBe(401);
    const { token, id } = await createToken(db, 'alice');
    const session = await signIn(v, token);
    expect(session.status).toBe(200);
    expect(await tokenRevoke(id, { env: { VIGIL_DB: db }, out: () => {}, err: () => {} })).toBe(0);
    expect((await v.get('/api/v1/incidents', { authorization: `Bearer ${token}` })).status).toBe(401);
    expect((await v.get('/api/v1/incidents', { cookie: session.cookie! })).status).toBe(401);
    expect((await signIn(v, token)).status).toBe(401);

    const short = await createToken(db, 'bob', '1h');
    expect((await v.get('/api/v1/incidents', { authorization: `Bearer ${short.token}` })).status).toBe(200);
    v.clock.advance(3_600_001);
    expect((await v.get('/api/v1/incidents', { authorization: `Bearer ${short.token}` })).status).toBe(401);
  });

  it('failed sign-ins are limited per address, with Retry-After', async () => {
    await start({ console: { signInAttempts: 3, signInWindow: '10m' } });
    for (let i = 0; i < 3; i++) expect((await signIn(v, `wrong-${i}`)).status).toBe(401);
    const blocked = await signIn(v, API_TOKEN);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    v.clock.advance(10 * 60_000 + 1);
    expect((await signIn(v, API_TOKEN)).status).toBe(200);
  });

  it('a state-changing request with the session cookie from another site is refused', async () => {
    const db = await start();
    await fire(v);
    const { cookie } = await signIn(v, (await createToken(db, 'alice')).token);
    const res = await v.post('/api/v1/incidents/1/acknowledge', {}, { cookie: cookie!, origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await v.post('/api/v1/incidents/1/acknowledge', {}, { cookie: cookie!, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await v.json('/api/v1/incidents/1', { cookie: cookie! })).status).toBe('triggered');
    // Signing out ends the session.
    const out = await fetch(`${v.url}/api/v1/session`, { method: 'DELETE', headers: { cookie: cookie!, origin: v.url } });
    expect(out.status).toBe(204);
    expect((await v.get('/api/v1/incidents', { cookie: cookie! })).status).toBe(401);
  });

  it('cookies are Secure when Vigil is reached over https', async () => {
    await start({ server: { publicUrl: 'https://vigil.example.com' } });
    expect((await signIn(v, API_TOKEN)).headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('a trusted proxy’s header signs a person in by email; from anywhere else the header is ignored', async () => {
    await start({ console: { authProxy: { header: 'X-Forwarded-Email', trustedProxies: ['127.0.0.1'] } } });
    await fire(v);
    const res = await v.post('/api/v1/incidents/1/acknowledge', {}, { 'x-forwarded-email': 'Bob@Example.com', origin: v.url });
    expect(res.status).toBe(200);
    const incident = await v.json('/api/v1/incidents/1', { 'x-forwarded-email': 'bob@example.com' });
    expect(incident.timeline.find((e: any) => e.kind === 'acknowledged').message).toBe('acknowledged by Bob Example (console)');
    expect((await v.get('/api/v1/incidents', { 'x-forwarded-email': 'nobody@example.com' })).status).toBe(401);
    await v.close();

    await start({ console: { authProxy: { header: 'X-Forwarded-Email', trustedProxies: ['10.0.0.0/8'] } } });
    expect((await v.get('/api/v1/incidents', { 'x-forwarded-email': 'bob@example.com' })).status).toBe(401);
  });

  it('with no API token the API is open and says so', async () => {
    await start({}, []);
    expect(await (await v.get('/api/v1/session')).json()).toMatchObject({ open: true, person: null });
  });
});
