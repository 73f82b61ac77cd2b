import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, inject, it } from 'vitest';

/**
 * Whether the run has a PostgreSQL server. When it has not, registers a suite that says what to install: a
 * failing test on CI (CI=true), a skipped one elsewhere (as the end-to-end tests do for their binaries).
 */
export function requirePostgres(suite: string): boolean {
  const url = inject('postgresUrl');
  if (url && !url.startsWith('missing:')) return true;
  const message = `no PostgreSQL for the tests: ${url?.replace(/^missing: /, '') ?? 'not set up'}`;
  describe(suite, () => {
    if (process.env.CI === 'true') {
      it('needs PostgreSQL', () => {
        throw new Error(message);
      });
    } else it.skip(`skipped: ${message}`, () => {});
  });
  if (process.env.CI !== 'true') console.warn(`[postgres] ${suite}: skipped, ${message}`);
  return false;
}

/** The admin URL of the run's PostgreSQL server (test/setup/postgres-cluster.ts). */
export function postgresAdminUrl(): string {
  const url = inject('postgresUrl');
  if (!url || url.startsWith('missing:')) throw new Error(`no PostgreSQL server for the tests (${url ?? 'not set up'})`);
  return url;
}

/** A new, empty database for one test file; drop() removes it (after every store on it is closed). */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = postgresAdminUrl();
  const name = `vigil_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Empties every Vigil table of the database (a fresh store for the next test, same schema). */
export async function truncateAll(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'vigil_schema'");
    if (tables.rows.length) await c.query(`TRUNCATE ${tables.rows.map((r) => r.tablename).join(', ')} RESTART IDENTITY CASCADE`);
  } finally {
    await c.end();
  }
}

/** A TCP relay to a PostgreSQL server that can be cut and restored: the database going away and coming back. */
export interface DatabaseRelay {
  /** The database URL through the relay. */
  url: string;
  /** Drops every connection and stops listening (the server is gone). */
  cut(): void;
  /** Listens again (the server is back). */
  restore(): Promise<void>;
  /** cut(), for good: at the end of a test file. */
  close(): void;
}

/** Starts cut: restore() opens it. */
export async function relayTo(target: URL, port: number): Promise<DatabaseRelay> {
  const { createServer, connect } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let server: import('node:net').Server | null = null;
  const cut = () => {
    server?.close();
    server = null;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const restore = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port), target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => (client.destroy(), upstream.destroy());
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const url = new URL(target.toString());
  url.port = String(port);
  return { url: url.toString(), cut, restore, close: cut };
}
