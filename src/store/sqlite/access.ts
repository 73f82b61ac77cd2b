import { sessionFromRow, tokenFromRow } from '../rows/access.js';
import type { AccessReads, AccessTx } from '../types/access.js';
import type { Raw, Read, Stmt } from './statements.js';

/** Personal tokens' and sessions' writes, for the store's transaction object. */
export function accessTx(stmt: Stmt): AccessTx {
  return {
    insertAccessToken(t) {
      stmt(
        'INSERT INTO access_tokens (id, person, hash, label, created_at, expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(t.id, t.person, t.hash, t.label, t.createdAt, t.expiresAt, t.revokedAt, t.lastUsedAt);
      return Promise.resolve();
    },
    revokeAccessToken(id, at) {
      const revoked = stmt('UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0;
      stmt('DELETE FROM sessions WHERE token_id = ?').run(id);
      return Promise.resolve(revoked);
    },
    touchAccessToken(id, at) {
      stmt('UPDATE access_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
      return Promise.resolve();
    },
    insertSession(s) {
      stmt('INSERT INTO sessions (hash, person, name, admin, via, token_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        s.hash,
        s.person,
        s.name,
        s.admin ? 1 : 0,
        s.via,
        s.tokenId,
        s.createdAt,
        s.expiresAt,
      );
      return Promise.resolve();
    },
    deleteSession(hash) {
      stmt('DELETE FROM sessions WHERE hash = ?').run(hash);
      return Promise.resolve();
    },
    deleteExpiredSessions(now) {
      return Promise.resolve(stmt('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes);
    },
  };
}

/** Personal tokens' and sessions' reads (read, the store's way of running a read). */
export function accessReads(stmt: Stmt, read: Read): AccessReads {
  return {
    accessTokenByHash: (hash) =>
      read(() => {
        const r = stmt('SELECT * FROM access_tokens WHERE hash = ?').get(hash) as Raw | undefined;
        return r ? tokenFromRow(r) : undefined;
      }),
    listAccessTokens: () => read(() => (stmt('SELECT * FROM access_tokens ORDER BY created_at, id').all() as Raw[]).map(tokenFromRow)),
    sessionByHash: (hash) =>
      read(() => {
        const r = stmt('SELECT * FROM sessions WHERE hash = ?').get(hash) as Raw | undefined;
        return r ? sessionFromRow(r) : undefined;
      }),
  };
}
