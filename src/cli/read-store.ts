import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';

/**
 * Opens the database Vigil writes for reading only (a CLI command never migrates, locks or writes it), or
 * says why it cannot (to `err`) and gives null.
 */
export async function openReadStore(config: Config, err: (text: string) => void): Promise<Store | null> {
  if (!config.store.url && !existsSync(config.store.path)) {
    err(`no Vigil database at ${config.store.path} (set VIGIL_DB, or store.path in VIGIL_CONFIG)\n`);
    return null;
  }
  let store: Store | undefined;
  try {
    store = openStore(config.store, 'read');
    await store.opened();
    return store;
  } catch (e) {
    await store?.close();
    err(`${(e as Error).message}\n`);
    return null;
  }
}
