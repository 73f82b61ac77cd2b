import { describe, expect, it } from 'vitest';
import type { ContractContext } from '../contract.js';
import { accessToken, session } from '../fixtures.js';

export function accessContract({ store }: ContractContext): void {
  describe('access tokens and sessions', () => {
    it('keeps tokens by hash, lists them oldest first, and records their use', async () => {
      const s = await store();
      await s.write(async (tx) => {
        await tx.insertAccessToken(accessToken({ id: 'pat_b', hash: 'hb', createdAt: 2_000, expiresAt: 90_000 }));
        await tx.insertAccessToken(accessToken({ id: 'pat_a', hash: 'ha', createdAt: 2_000, label: null }));
        await tx.insertAccessToken(accessToken({ id: 'pat_0', hash: 'h0', createdAt: 1_000 }));
      });
      expect(await s.accessTokenByHash('hb')).toEqual(accessToken({ id: 'pat_b', hash: 'hb', createdAt: 2_000, expiresAt: 90_000 }));
      expect(await s.accessTokenByHash('nope')).toBeUndefined();
      expect((await s.listAccessTokens()).map((t) => t.id)).toEqual(['pat_0', 'pat_a', 'pat_b']);
      await s.write((tx) => tx.touchAccessToken('pat_a', 3_000));
      expect(await s.accessTokenByHash('ha')).toMatchObject({ lastUsedAt: 3_000, label: null });
    });

    it('revoking a token ends the sessions opened with it, once', async () => {
      const s = await store();
      await s.write(async (tx) => {
        await tx.insertAccessToken(accessToken({ id: 'pat_1', hash: 'h1' }));
        await tx.insertSession(session({ hash: 's1', tokenId: 'pat_1' }));
        await tx.insertSession(session({ hash: 's2', tokenId: null, via: 'api-token', admin: true, person: 'admin', name: 'admin' }));
      });
      expect(await s.sessionByHash('s2')).toEqual(session({ hash: 's2', tokenId: null, via: 'api-token', admin: true, person: 'admin', name: 'admin' }));
      expect(await s.write((tx) => tx.revokeAccessToken('pat_1', 5_000))).toBe(true);
      expect(await s.write((tx) => tx.revokeAccessToken('pat_1', 6_000))).toBe(false);
      expect(await s.write((tx) => tx.revokeAccessToken('pat_none', 6_000))).toBe(false);
      expect(await s.accessTokenByHash('h1')).toMatchObject({ revokedAt: 5_000 });
      expect(await s.sessionByHash('s1')).toBeUndefined();
      expect(await s.sessionByHash('s2')).toMatchObject({ admin: true });
    });

    it('sessions end when deleted, or when they have expired', async () => {
      const s = await store();
      await s.write(async (tx) => {
        await tx.insertSession(session({ hash: 'a', tokenId: null, expiresAt: 1_000 }));
        await tx.insertSession(session({ hash: 'b', tokenId: null, expiresAt: 2_000 }));
        await tx.insertSession(session({ hash: 'c', tokenId: null, expiresAt: 3_000 }));
      });
      await s.write((tx) => tx.deleteSession('c'));
      expect(await s.sessionByHash('c')).toBeUndefined();
      expect(await s.write((tx) => tx.deleteExpiredSessions(2_000))).toBe(2);
      expect(await s.write((tx) => tx.deleteExpiredSessions(2_000))).toBe(0);
      expect(await s.sessionByHash('a')).toBeUndefined();
    });
  });
}
