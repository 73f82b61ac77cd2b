import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/time/clock.js';
import { createLogger } from '../../src/observe/logger.js';
import { configFileSchema, type Config } from '../../src/config/schema.js';
import { createVigil, type Vigil, type VigilOptions } from '../../src/app/vigil.js';
import { numbered } from '../../src/store/postgres/pool.js';
import { freshDatabase } from './postgres.js';
import { conformanceProblems, recordAnswers } from './openapi-conformance.js';

/**
 * VIGIL_TEST_STORE=postgres (the `postgres` test project): every Vigil a test starts keeps its data in a
 * PostgreSQL database of its own instead of a SQLite file; a test that reopens "the same file" (dbPath) gets
 * the same database again.
 */
export const onPostgres = process.env.VIGIL_TEST_STORE === 'postgres';
const databaseOfPath = new Map<string, string>();

/** The database for this dbPath (the same one again), or a new one dropped when its Vigil closes. */
async function postgresFor(dbPath: string | undefined): Promise<{ url: string; drop?: () => Promise<void> }> {
  const known = dbPath === undefined ? undefined : databaseOfPath.get(dbPath);
  if (known) return { url: known };
  const { url, drop } = await freshDatabase();
  if (dbPath === undefined) return { url, drop };
  databaseOfPath.set(dbPath, url);
  return { url };
}

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

/** VIGIL_DB as a command run beside this Vigil (`vigil token`, `vigil report`) names its database. */
export function databaseOf(v: TestVigil): string {
  return v.vigil.config.store.url ?? v.vigil.config.store.path;
}

/**
 * Changes rows behind Vigil's back (what a crash leaves, say), in whichever database the Vigil used: each
 * statement with `?` placeholders and its arguments.
 */
export async function editDatabase(config: Config, statements: [sql: string, ...args: unknown[]][]): Promise<void> {
  if (config.store.url) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: config.store.url });
    await c.connect();
    try {
      for (const [sql, ...args] of statements) await c.query(numbered(sql), args);
    } finally {
      await c.end();
    }
    return;
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(config.store.path);
  try {
    for (const [sql, ...args] of statements) db.prepare(sql).run(...args);
  } finally {
    db.close();
  }
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
    /** This PostgreSQL database, whatever the project: several Vigils given one URL are instances of one cluster. */
    postgresUrl?: string;
  } = {},
): Promise<TestVigil> {
  const clock = new ManualClock(typeof opts.now === 'number' ? opts.now : Date.parse(opts.now ?? '2026-11-22T16:30:00Z'));
  const config = testConfig(opts.file, opts.auth, opts.dbPath);
  const database = opts.postgresUrl ? { url: opts.postgresUrl } : onPostgres ? await postgresFor(opts.dbPath) : null;
  if (database) config.store.url = database.url;
  // Runbook waits (check retries, wait steps) pass at once unless a test says otherwise.
  const vigil = createVigil(config, { clock, logger: opts.logger ?? createLogger('silent'), sleep: opts.sleep ?? (async () => {}) });
  const recorded = recordAnswers(vigil.handler);
  vigil.handler = recorded.listener;
  const port = await vigil.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const post = (pathname: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (pathname: string, headers: Record<string, string> = {}) => fetch(url + pathname, { headers });
  let closed = false;
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
      if (closed) return;
      closed = true;
      const doc = await fetch(`${url}/api/openapi.json`).then((r) => r.text());
      const problems = conformanceProblems(doc, recorded.answers);
      await vigil.close();
      await database?.drop?.();
      if (!opts.dbPath) rmSync(path.dirname(config.store.path), { recursive: true, force: true });
      if (problems.length > 0) throw new Error(`answers that differ from the OpenAPI document:\n${problems.join('\n')}`);
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
