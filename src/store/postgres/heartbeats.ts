import { heartbeatFromRow, heartbeats } from '../rows/heartbeats.js';
import type { HeartbeatReads, HeartbeatTx } from '../types/heartbeats.js';
import { insertRow, updateById } from './dynamic-sql.js';
import type { Query } from './pool.js';

async function one(q: Query, sql: string, arg: unknown) {
  const [r] = await q(sql, [arg]);
  return r ? heartbeatFromRow(r) : undefined;
}

/** Heartbeat monitors and the store's named instants. A write locks the monitor it reads (a ping and the sweep decide in turn). */
export function heartbeatTx(q: Query): HeartbeatTx {
  return {
    heartbeat: (name) => one(q, 'SELECT * FROM heartbeats WHERE name = ? FOR UPDATE', name),
    insertHeartbeat: (row) => insertRow(q, 'heartbeats', heartbeats.writable, row),
    updateHeartbeat: (id, patch) => updateById(q, 'heartbeats', heartbeats.writable, id, patch),
    deleteHeartbeat: async (id) => {
      await q('DELETE FROM heartbeats WHERE id = ?', [id]);
    },
    markedAt: async (mark) => {
      const [r] = await q('SELECT at FROM marks WHERE name = ?', [mark]);
      return r ? Number(r.at) : null;
    },
    setMark: async (mark, at) => {
      await q('INSERT INTO marks (name, at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET at = excluded.at', [mark, at]);
    },
  };
}

export function heartbeatReads(read: Query): HeartbeatReads {
  return {
    listHeartbeats: async () => (await read('SELECT * FROM heartbeats ORDER BY name COLLATE "C"')).map(heartbeatFromRow),
    getHeartbeat: (name) => one(read, 'SELECT * FROM heartbeats WHERE name = ?', name),
    heartbeatByKeyHash: (hash) => one(read, 'SELECT * FROM heartbeats WHERE key_hash = ?', hash),
    dueHeartbeats: async (now, limit) => (await read('SELECT name FROM heartbeats WHERE check_at <= ? ORDER BY check_at LIMIT ?', [now, limit])).map((r) => String(r.name)),
    nextHeartbeatCheckAt: async () => {
      const [r] = await read('SELECT min(check_at) AS at FROM heartbeats');
      return r?.at == null ? null : Number(r.at);
    },
  };
}
