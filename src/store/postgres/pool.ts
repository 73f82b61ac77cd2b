import type pg from 'pg';
import { lazyPackage } from '../../runtime/lazy-package.js';
import type { Raw } from '../row-mapping.js';

/** node-postgres, loaded when a PostgreSQL store first connects (the embedded store never loads it). */
export const pgDriver = lazyPackage<typeof pg>('pg', (driver) => {
  // BIGINT (epoch milliseconds, ids, counters) as numbers: every value Vigil stores fits in 2^53.
  driver.types.setTypeParser(driver.types.builtins.INT8, (v) => Number(v));
});

export type { Raw };

/**
 * One statement on a connection (the transaction's client, or the pool for reads): its rows. The SQL uses `?`
 * placeholders as the SQLite store's does (numbered here), so both stores can share statements.
 */
export type Query = (sql: string, params?: unknown[]) => Promise<Raw[]>;

export interface PoolOptions {
  url: string;
  /** Connections at the most (writes and reads share them). */
  size: number;
  /** A connection that is not had within this time fails the request (503) instead of queueing forever. */
  connectTimeoutMs: number;
  /** A statement running longer is cancelled by the server. */
  statementTimeoutMs: number;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new (pgDriver().Pool)({
    connectionString: options.url,
    max: options.size,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    // A server that stops answering (a network black hole) fails the query here rather than after the
    // kernel's TCP timeout, so the request gets its 503 and the scheduler ticks on.
    query_timeout: options.statementTimeoutMs + 5000,
    keepAlive: true,
    application_name: 'vigil',
  });
  // An idle connection the server dropped (restart, failover) is only logged by pg as an 'error' event;
  // without a listener it would crash the process. The next query opens a new one.
  pool.on('error', () => {});
  return pool;
}

const numberedCache = new Map<string, string>();

/** `?` placeholders as PostgreSQL's `$1, $2, …` (Vigil's SQL has no `?` of its own: no JSONB operators). */
export function numbered(sql: string): string {
  let out = numberedCache.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    if (numberedCache.size < 2000) numberedCache.set(sql, out);
  }
  return out;
}

const statementNames = new Map<string, string>();

/**
 * Each distinct statement is prepared once per connection under its own name (parsed and planned once, not
 * on every call); past a bound, rarer ones run unnamed.
 */
function statementFor(sql: string, values: unknown[] | undefined): pg.QueryConfig {
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < 2000) statementNames.set(sql, (name = `v${statementNames.size + 1}`));
  return name === undefined ? { text: numbered(sql), values: values ?? [] } : { name, text: numbered(sql), values: values ?? [] };
}

/** The rows of one statement on this client or pool. */
export function queryOn(db: pg.Pool | pg.PoolClient): Query {
  return async (sql, params) => (await db.query(statementFor(sql, params))).rows as Raw[];
}
