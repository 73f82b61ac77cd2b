import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../time/clock.js';
import { unauthorized } from '../errors/errors.js';
import { matchesAny, presentedToken } from '../http/auth.js';
import { createHash } from 'node:crypto';
import type { RuleSet } from '../rules/ruleset.js';
import type { Store } from '../store/types.js';
import { adminPrincipal, openPrincipal, type Principal } from './principal.js';
import { hashSecret, TOKEN_PREFIX } from './secrets.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';

export interface AuthenticatorOptions {
  /** VIGIL_API_TOKEN values: each signs in as the administrator. Empty: the API and console are open. */
  apiTokens: readonly string[];
  store: Pick<Store, 'accessTokenByHash' | 'sessionByHash' | 'write'>;
  rules: () => RuleSet;
  clock: Clock;
  authProxy?: { header: string; trustedProxies: readonly string[] };
}

/** A token's last use is written at most this often (not one write per request). */
const TOUCH_EVERY_MS = 5 * 60_000;

/**
 * Finds who is asking: the API token (the administrator), a person's token, a console session, or a trusted
 * proxy's header naming a person by email. Every secret is compared through its hash (constant time for the
 * configured API tokens, an indexed hash lookup for personal tokens and sessions).
 */
export class Authenticator {
  private readonly apiTokens: Buffer[];
  private readonly proxies: BlockList | null;
  private readonly touched = new Map<string, number>();

  constructor(private readonly options: AuthenticatorOptions) {
    this.apiTokens = options.apiTokens.map((t) => createHash('sha256').update(t, 'utf8').digest());
    this.proxies = options.authProxy ? trusted(options.authProxy.trustedProxies) : null;
  }

  /** With no API token configured, anyone who can reach Vigil may act (the console says so). */
  get open(): boolean {
    return this.apiTokens.length === 0;
  }

  /** The principal of a request, or a 401. */
  async authenticate(req: IncomingMessage): Promise<Principal> {
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const token = presentedToken(authorization);
      const p = token === undefined ? null : await this.fromToken(token);
      if (p) return p;
      // An open API takes any credentials, as it always did (a sender may send them anyway).
      if (this.open) return openPrincipal;
      throw unauthorized('a valid API token or personal token is required (Authorization: Bearer <token>)');
    }
    const session = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (session) {
      const p = await this.fromSession(session);
      if (p) return p;
    }
    const proxied = this.fromProxy(req);
    if (proxied) return proxied;
    if (this.open) return openPrincipal;
    throw unauthorized('sign in with a personal token or the API token (Authorization: Bearer <token>, or the console)');
  }

  /** The API token (administrator) or a person's token that is neither revoked nor expired. */
  async fromToken(token: string): Promise<Principal | null> {
    if (matchesAny(token, this.apiTokens)) return adminPrincipal;
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const row = await this.options.store.accessTokenByHash(hashSecret(token));
    const now = this.options.clock.now();
    if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) return null;
    const person = this.options.rules().people.get(row.person);
    // A person removed from the rules can no longer act, whatever tokens they hold.
    if (!person) return null;
    this.touch(row.id, now);
    return { person: person.id, name: person.name, admin: false, via: 'personal-token', tokenId: row.id };
  }

  async fromSession(secret: string): Promise<Principal | null> {
    const row = await this.options.store.sessionByHash(hashSecret(secret));
    if (!row || row.expiresAt <= this.options.clock.now()) return null;
    if (!row.admin && !this.options.rules().people.has(row.person)) return null;
    return { person: row.person, name: row.name, admin: row.admin, via: 'session' };
  }

  /** The proxy's header, only on a request whose peer is a trusted proxy; the email must be a person's. */
  fromProxy(req: IncomingMessage): Principal | null {
    const proxy = this.options.authProxy;
    if (!proxy || !this.proxies) return null;
    const value = req.headers[proxy.header.toLowerCase()];
    if (typeof value !== 'string' || value === '') return null;
    const peer = req.socket.remoteAddress;
    if (!peer || !isTrusted(this.proxies, peer)) return null;
    const email = value.trim().toLowerCase();
    for (const p of this.options.rules().people.values()) {
      if (p.email?.toLowerCase() === email) return { person: p.id, name: p.name, admin: false, via: 'proxy' };
    }
    return null;
  }

  private touch(id: string, now: number): void {
    const last = this.touched.get(id);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    if (this.touched.size > 10_000) this.touched.clear();
    // Best effort: a failed write of the last-used time must not fail the request.
    void this.options.store.write((tx) => tx.touchAccessToken(id, now)).catch(() => undefined);
  }
}

function trusted(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

function isTrusted(list: BlockList, peer: string): boolean {
  // IPv4 peers of a dual-stack socket arrive as ::ffff:a.b.c.d.
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(peer)?.[1];
  if (v4) return list.check(v4, 'ipv4');
  return list.check(peer, isIP(peer) === 6 ? 'ipv6' : 'ipv4');
}

