import { heartbeatFromRow, heartbeats } from '../rows/heartbeats.js';
import type { HeartbeatReads, HeartbeatTx } from '../types/heartbeats.js';
import { insertRow, updateById } from './dynamic-sql.js';
import { type Read, rowOf, type Stmt } from './statements.js';

const byName = 'SELECT * FROM heartbeats WHERE name = ?';

/** Heartbeat monitors and the store's named instants. */
export function heartbeatTx(stmt: Stmt): HeartbeatTx {
  return {
    heartbeat: (name) => Promise.resolve(rowOf(stmt, byName, heartbeatFromRow, name)),
    insertHeartbeat: (row) => Promise.resolve(insertRow(stmt, 'heartbeats', heartbeats.writable, row)),
    updateHeartbeat: (id, patch) => Promise.resolve(updateById(stmt, 'heartbeats', heartbeats.writable, id, patch)),
    deleteHeartbeat: (id) => {
      stmt('DELETE FROM heartbeats WHERE id = ?').run(id);
      return Promise.resolve();
    },
    markedAt: (mark) => {
      const r = stmt('SELECT at FROM marks WHERE name = ?').get(mark) as { at: number } | undefined;
      return Promise.resolve(r ? r.at : null);
    },
    setMark: (mark, at) => {
      stmt('INSERT INTO marks (name, at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET at = excluded.at').run(mark, at);
      return Promise.resolve();
    },
  };
}

export function heartbeatReads(stmt: Stmt, read: Read): HeartbeatReads {
  return {
    listHeartbeats: () => read(() => (stmt('SELECT * FROM heartbeats ORDER BY name').all() as Record<string, unknown>[]).map(heartbeatFromRow)),
    getHeartbeat: (name) => read(() => rowOf(stmt, byName, heartbeatFromRow, name)),
    heartbeatByKeyHash: (hash) => read(() => rowOf(stmt, 'SELECT * FROM heartbeats WHERE key_hash = ?', heartbeatFromRow, hash)),
    dueHeartbeats: (now, limit) =>
      read(() => (stmt('SELECT name FROM heartbeats WHERE check_at <= ? ORDER BY check_at LIMIT ?').all(now, limit) as { name: string }[]).map((r) => r.name)),
    nextHeartbeatCheckAt: () => read(() => (stmt('SELECT min(check_at) AS at FROM heartbeats').get() as { at: number | null }).at),
  };
}
