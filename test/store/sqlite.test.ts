import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/vigil.js';
import { describeStoreContract } from './contract.js';

const files = new WeakMap<Store, string>();

function openAt(file: string): Store {
  const store = new SqliteStore({ path: file, synchronous: 'full', maxPendingWrites: 1000, busyTimeoutMs: 1000 });
  files.set(store, file);
  return store;
}

describeStoreContract('SQLite', {
  open: async () => openAt(path.join(tempDir(), 'vigil.db')),
  reopen: async (store) => {
    await store.close();
    return openAt(files.get(store)!);
  },
});
