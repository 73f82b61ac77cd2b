import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { newEvent, newIncident } from './fixtures.js';
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

describe('SQLite: revisions of timeline events written behind', () => {
  it("a storm's running summary reaches the file within a second or two, without waiting for a close", async () => {
    const file = path.join(tempDir(), 'vigil.db');
    const store = openAt(file);
    try {
      const { id } = await store.write((tx) => tx.insertIncident(newIncident()));
      const eventId = await store.write((tx) => tx.addEvent(newEvent(id, { kind: 'alerts_joined', message: '1 more alert joined', data: { count: 1 } })));
      for (const n of [2, 3]) await store.write((tx) => tx.reviseEvent({ id: eventId, incidentId: id, kind: 'alerts_joined' }, `${n} more alerts joined`, { count: n }));
      const inFile = () => {
        const db = new Database(file, { readonly: true });
        try {
          return (db.prepare('SELECT message FROM timeline WHERE id = ?').get(eventId) as { message: string }).message;
        } finally {
          db.close();
        }
      };
      await waitFor(async () => inFile() === '3 more alerts joined', 5000, 'the revision in the file');
    } finally {
      await store.close();
    }
  });
});
