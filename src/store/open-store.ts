import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

/** The store's settings (config.store, validated at start-up). */
export interface StoreSettings {
  path: string;
  url?: string | undefined;
  synchronous: 'full' | 'normal';
  maxPendingWrites: number;
  busyTimeout: number;
  poolSize: number;
  connectTimeout: number;
  statementTimeout: number;
  /** PostgreSQL: how long a claim holds before another instance takes it over. */
  lease: number;
}

/**
 * How a command uses the database: `serve` owns it (migrates, locks an SQLite file; on PostgreSQL one of several
 * equal instances), `migrate` only brings the schema up to date (`vigil db migrate`), `read` only reads (reports, rules
 * tests: never migrates or locks), `alongside` writes a few rows next to a serving Vigil (tokens).
 */
export type StoreUse = 'serve' | 'migrate' | 'read' | 'alongside';

export interface StoreHooks {
  onCommit?: (seconds: number, writes: number) => void;
  onEffectError?: (err: unknown) => void;
  /** PostgreSQL: the store can no longer serve (an older Vigil took the database while this one was away). */
  onFatal?: (err: Error) => void;
}

/** The one place a store is chosen: a postgres:// URL is PostgreSQL, anything else the SQLite file. */
export function openStore(config: StoreSettings, use: StoreUse, hooks: StoreHooks = {}): Store {
  if (config.url) {
    return new PostgresStore({
      url: config.url,
      poolSize: use === 'serve' ? config.poolSize : 2,
      maxPendingWrites: config.maxPendingWrites,
      connectTimeoutMs: config.connectTimeout,
      statementTimeoutMs: config.statementTimeout,
      migrate: use === 'serve' || use === 'migrate',
      serving: use === 'serve',
      leaseMs: config.lease,
      ...hooks,
    });
  }
  return new SqliteStore({
    path: config.path,
    synchronous: config.synchronous,
    maxPendingWrites: use === 'serve' ? config.maxPendingWrites : 10,
    // migrate: opened as serve is (the file locked while its schema changes), then closed.
    busyTimeoutMs: config.busyTimeout,
    ...(use === 'read' ? { readonly: true } : use === 'alongside' ? { alongside: true } : {}),
    ...(hooks.onCommit ? { onCommit: hooks.onCommit } : {}),
    ...(hooks.onEffectError ? { onEffectError: hooks.onEffectError } : {}),
  });
}

/** The store as a log line or message may show it: a URL without its password. */
export function storeLabel(config: StoreSettings): string {
  if (!config.url) return config.path;
  try {
    const u = new URL(config.url);
    if (u.password) u.password = '***';
    for (const secret of ['password', 'sslpassword', 'sslkey']) if (u.searchParams.has(secret)) u.searchParams.set(secret, '***');
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
