import { rowMapping } from '../row-mapping.js';
import type { AccessTokenRow, SessionRow } from '../types/access.js';

export const tokenFromRow = rowMapping<AccessTokenRow>({
  id: 'id',
  person: 'person',
  hash: 'hash',
  label: 'label',
  createdAt: 'created_at',
  expiresAt: 'expires_at',
  revokedAt: 'revoked_at',
  lastUsedAt: 'last_used_at',
}).fromRow;

export const sessionFromRow = rowMapping<SessionRow>({
  hash: 'hash',
  person: 'person',
  name: 'name',
  admin: ['admin', 'flag'],
  via: 'via',
  tokenId: 'token_id',
  createdAt: 'created_at',
  expiresAt: 'expires_at',
}).fromRow;
