/** A personal access token: people sign in to the console and script the API under their own name. */
export interface AccessTokenRow {
  /** Public id, shown in lists and used to revoke (never the secret). */
  id: string;
  person: string;
  /** SHA-256 of the secret, hex: the secret itself is shown once and never stored. */
  hash: string;
  label: string | null;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

/** A signed-in console session (the cookie holds the secret; the store its hash). */
export interface SessionRow {
  hash: string;
  person: string;
  name: string;
  admin: boolean;
  /** How the person signed in: personal-token, api-token. */
  via: string;
  /** The personal token it was opened with (revoking it ends the session); null for the API token. */
  tokenId: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface AccessTx {
  insertAccessToken(row: AccessTokenRow): Promise<void>;
  /** Revokes a token by id and ends the sessions opened with it; false when there is no such token or it was revoked already. */
  revokeAccessToken(id: string, at: number): Promise<boolean>;
  touchAccessToken(id: string, at: number): Promise<void>;
  insertSession(row: SessionRow): Promise<void>;
  deleteSession(hash: string): Promise<void>;
  /** Removes sessions that expired before `now`; returns how many. */
  deleteExpiredSessions(now: number): Promise<number>;
}

export interface AccessReads {
  accessTokenByHash(hash: string): Promise<AccessTokenRow | undefined>;
  listAccessTokens(): Promise<AccessTokenRow[]>;
  sessionByHash(hash: string): Promise<SessionRow | undefined>;
}
