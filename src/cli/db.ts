import { loadConfig, type Env } from '../config/load.js';
import { VigilError } from '../errors/errors.js';
import { openStore, storeLabel } from '../store/open-store.js';
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
    const away = e instanceof VigilError && e.code === 'unavailable';
    err(away ? `cannot reach the database ${storeLabel(config.store)}; is it running?\n` : `${(e as Error).message}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}
