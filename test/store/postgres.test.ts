import { afterAll, beforeAll } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/types.js';
import { freshDatabase, requirePostgres, truncateAll } from '../helpers/postgres.js';
import { describeStoreContract } from './contract.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
const available = requirePostgres('PostgreSQL: the Store contract');
beforeAll(async () => {
  if (available) db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function openStore(): Promise<Store> {
  // Serving, as `vigil serve` opens it: a reopen is a restart, which gives back what the old store held.
  const store = new PostgresStore({ url: db.url, poolSize: 5, maxPendingWrites: 1000, connectTimeoutMs: 5000, statementTimeoutMs: 10_000, serving: true });
  await store.opened();
  return store;
}

if (available) describeStoreContract('PostgreSQL', {
  open: async () => {
    await truncateAll(db.url).catch(() => {}); // before the first store the schema does not exist yet
    return openStore();
  },
  reopen: async (store) => {
    await store.close();
    return openStore();
  },
});
