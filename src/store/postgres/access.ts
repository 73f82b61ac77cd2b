import { sessionFromRow, tokenFromRow } from '../rows/access.js';
import type { AccessReads, AccessTx } from '../types/access.js';
import type { Query } from './pool.js';

/** Personal tokens' and sessions' writes, for the store's transaction object. */
export function accessTx(q: Query): AccessTx {
  return {
    async insertAccessToken(t) {
      await q('INSERT INTO access_tokens (id, person, hash, label, created_at, expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        t.id,
        t.person,
        t.hash,
        t.label,
        t.createdAt,
        t.expiresAt,
        t.revokedAt,
        t.lastUsedAt,
      ]);
    },
    async revokeAccessToken(id, at) {
      const revoked = (await q('UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id', [at, id])).length > 0;
      await q('DELETE FROM sessions WHERE token_id = ?', [id]);
      return revoked;
    },
    async touchAccessToken(id, at) {
      await q('UPDATE access_tokens SET last_used_at = ? WHERE id = ?', [at, id]);
    },
    async insertSession(s) {
      await q('INSERT INTO sessions (hash, person, name, admin, via, token_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        s.hash,
        s.person,
        s.name,
        s.admin ? 1 : 0,
        s.via,
        s.tokenId,
        s.createdAt,
        s.expiresAt,
      ]);
    },
    async deleteSession(hash) {
      await q('DELETE FROM sessions WHERE hash = ?', [hash]);
    },
    async deleteExpiredSessions(now) {
      // Counted in the database: one row back however many sessions expired.
      const [r] = await q('WITH gone AS (DELETE FROM sessions WHERE expires_at <= ? RETURNING 1) SELECT count(*) AS n FROM gone', [now]);
      return r!.n as number;
    },
  };
}

/** Personal tokens' and sessions' reads. */
export function accessReads(q: Query): AccessReads {
  return {
    accessTokenByHash: async (hash) => {
      const [r] = await q('SELECT * FROM access_tokens WHERE hash = ?', [hash]);
      return r ? tokenFromRow(r) : undefined;
    },
    // Ids sort byte by byte as in SQLite, whatever the database's collation.
    listAccessTokens: async () => (await q('SELECT * FROM access_tokens ORDER BY created_at, id COLLATE "C"')).map(tokenFromRow),
    sessionByHash: async (hash) => {
      const [r] = await q('SELECT * FROM sessions WHERE hash = ?', [hash]);
      return r ? sessionFromRow(r) : undefined;
    },
  };
}
