import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/time/clock.js';
import { createLogger } from '../../src/observe/logger.js';
import { configFileSchema, type Config } from '../../src/config/schema.js';
import { createVigil, type Vigil, type VigilOptions } from '../../src/app/vigil.js';

export const fixturesDir = path.join(import.meta.dirname, '..', 'fixtures');

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(path.join(fixturesDir, name), 'utf8'));
}

export function tempDir(prefix = 'vigil-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A validated config for tests: the file section goes through the same zod schema as vigil.yaml. */
export function testConfig(
  file: Record<string, unknown> = {},
  auth: Partial<Config['auth']> = {},
  dbPath?: string,
): Config {
  const parsed = configFileSchema.parse(file);
  parsed.store.path = dbPath ?? path.join(tempDir(), 'vigil.db');
  return {
    ...parsed,
    auth: { ingestTokens: auth.ingestTokens ?? [], apiTokens: auth.apiTokens ?? [] },
    source: null,
  };
}

export interface TestVigil {
  vigil: Vigil;
  url: string;
  clock: ManualClock;
  post(pathname: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(pathname: string, headers?: Record<string, string>): Promise<Response>;
  json<T = any>(pathname: string, headers?: Record<string, string>): Promise<T>;
  close(): Promise<void>;
}

/** Starts Vigil in-process on a free port with a manual clock and a fresh SQLite file. */
export async function startVigil(
  opts: {
    file?: Record<string, unknown>;
    auth?: Partial<Config['auth']>;
    dbPath?: string;
    now?: string | number;
    sleep?: VigilOptions['sleep'];
    /** Where the log goes (silent by default); tests that read the log pass createLogger('debug', sink). */
    logger?: VigilOptions['logger'];
  } = {},
): Promise<TestVigil> {
  const clock = new ManualClock(typeof opts.now === 'number' ? opts.now : Date.parse(opts.now ?? '2026-11-22T16:30:00Z'));
  const config = testConfig(opts.file, opts.auth, opts.dbPath);
  // Runbook waits (check retries, wait steps) pass at once unless a test says otherwise.
  const vigil = createVigil(config, { clock, logger: opts.logger ?? createLogger('silent'), sleep: opts.sleep ?? (async () => {}) });
  const port = await vigil.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const post = (pathname: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (pathname: string, headers: Record<string, string> = {}) => fetch(url + pathname, { headers });
  return {
    vigil,
    url,
    clock,
    post,
    get,
    async json(pathname, headers) {
      const res = await get(pathname, headers);
      if (!res.ok) throw new Error(`GET ${pathname}: ${res.status} ${await res.text()}`);
      return (await res.json()) as never;
    },
    async close() {
      await vigil.close();
      if (!opts.dbPath) rmSync(path.dirname(config.store.path), { recursive: true, force: true });
    },
  };
}

/** An Alertmanager webhook v4 body for the given alerts. */
export function amWebhook(
  alerts: { labels: Record<string, string>; status?: 'firing' | 'resolved'; annotations?: Record<string, string>; startsAt?: string; endsAt?: string; fingerprint?: string }[],
) {
  return {
    version: '4',
    receiver: 'vigil',
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? '2026-11-22T16:00:00Z',
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: '',
      ...(a.fingerprint ? { fingerprint: a.fingerprint } : {}),
    })),
  };
}
