import { loadConfig, type Env } from '../config/load.js';
import { isUnavailable } from '../errors/errors.js';
import path from 'node:path';
import { textTable } from '../reports/text-table.js';
import { copySqliteToPostgres } from '../store/copy-store.js';
import { openStore, storeLabel } from '../store/open-store.js';
import { isTransientStoreError } from '../store/postgres/faults.js';
import type { Store } from '../store/types.js';

export interface DbIo {
  env?: Env;
  cwd?: string;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

/**
 * `vigil db migrate`: brings the database's schema up to this Vigil's and exits, for operators who migrate
 * from a deploy step rather than at the first `vigil serve`. A schema newer than this Vigil is refused.
 */
export async function dbMigrate(o: DbIo = {}): Promise<number> {
  const out = o.out ?? ((t: string) => void process.stdout.write(t));
  const err = o.err ?? ((t: string) => void process.stderr.write(t));
  const config = loadConfig(o.env ?? process.env, o.cwd ?? process.cwd());
  let store: Store | undefined;
  try {
    store = openStore(config.store, 'migrate');
    await store.opened();
    out(`database ${storeLabel(config.store)}: schema up to date\n`);
    return 0;
  } catch (e) {
    const away = isUnavailable(e);
    err(away ? `cannot reach the database ${storeLabel(config.store)}; is it running?\n` : `${(e as Error).message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}

/**
 * `vigil db copy --from FILE --to postgres://…`: an embedded install moves onto PostgreSQL with its incidents,
 * timelines, timers, outbox, silences, runbook runs, tokens and sessions. Stop Vigil first (the file is locked
 * for the copy); the target must be empty. Prints the rows copied per table.
 */
export async function dbCopy(opts: { from: string; to: string }, o: DbIo = {}): Promise<number> {
  const out = o.out ?? ((t: string) => void process.stdout.write(t));
  const err = o.err ?? ((t: string) => void process.stderr.write(t));
  const config = loadConfig(o.env ?? process.env, o.cwd ?? process.cwd());
  if (!/^postgres(ql)?:\/\//i.test(opts.to)) {
    err('--to: give a postgres:// URL\n');
    return 2;
  }
  const from = path.resolve(o.cwd ?? process.cwd(), opts.from);
  const label = storeLabel({ ...config.store, url: opts.to });
  try {
    const { rows } = await copySqliteToPostgres(from, opts.to, { connectTimeoutMs: config.store.connectTimeout, statementTimeoutMs: config.store.statementTimeout });
    out(textTable(['table', 'rows'], rows.map((r) => [r.table, String(r.rows)])));
    out(`copied ${from} to ${label}; start Vigil with VIGIL_DB set to the PostgreSQL URL\n`);
    return 0;
  } catch (e) {
    const away = e instanceof Error && isTransientStoreError(e);
    err(away ? `cannot reach the database ${label}; is it running?\n` : `${(e as Error).message}\n`);
    return 1;
  }
}
