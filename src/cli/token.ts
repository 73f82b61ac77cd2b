import { loadConfig, type Env } from '../config/load.js';
import { parseDuration } from '../time/duration.js';
import { loadRuleSet } from '../rules/ruleset.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { hashSecret, newSecret, newTokenId, TOKEN_PREFIX } from '../access/secrets.js';
import { textTable } from '../reports/text-table.js';

export interface TokenIo {
  env?: Env;
  cwd?: string;
  now?: number;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

function io(o: TokenIo) {
  return {
    out: o.out ?? ((t: string) => void process.stdout.write(t)),
    err: o.err ?? ((t: string) => void process.stderr.write(t)),
    now: o.now ?? Date.now(),
    config: loadConfig(o.env ?? process.env, o.cwd ?? process.cwd()),
  };
}

/** The database the running Vigil uses (a token is one row: writing it next to a running Vigil is safe). */
function openTokenStore(config: ReturnType<typeof loadConfig>): Store {
  return openStore(config.store, 'alongside');
}

/** `vigil token create --person ID [--expires 90d] [--label TEXT]`: prints the new token once. */
export async function tokenCreate(opts: { person: string; expires?: string; label?: string }, o: TokenIo = {}): Promise<number> {
  const { out, err, now, config } = io(o);
  const rules = loadRuleSet(config.rules.dir);
  const person = rules.people.get(opts.person);
  if (!person) {
    err(`--person: "${opts.person}" is not a person in ${config.rules.dir} (known: ${[...rules.people.keys()].join(', ') || 'none'})\n`);
    return 2;
  }
  let expiresAt: number | null = null;
  if (opts.expires !== undefined && opts.expires !== 'never') {
    const ms = parseDuration(opts.expires);
    if (ms === null || ms === 0) {
      err(`--expires: "${opts.expires}" is not a duration (e.g. 90d, 12h) or "never"\n`);
      return 2;
    }
    expiresAt = now + ms;
  }
  const token = newSecret(TOKEN_PREFIX);
  const id = newTokenId();
  const store = openTokenStore(config);
  try {
    await store.write((tx) =>
      tx.insertAccessToken({ id, person: person.id, hash: hashSecret(token), label: opts.label ?? null, createdAt: now, expiresAt, revokedAt: null, lastUsedAt: null }),
    );
  } finally {
    await store.close();
  }
  out(
    [
      `Token ${id} for ${person.name} (${person.id}), ${expiresAt === null ? 'no expiry' : `expires ${new Date(expiresAt).toISOString()}`}.`,
      'It is shown only this once; Vigil keeps only its hash:',
      '',
      `  ${token}`,
      '',
      'Sign in to the console with it, or send it as "Authorization: Bearer <token>" to the API.',
      '',
    ].join('\n'),
  );
  return 0;
}

/** `vigil token list`: every token's id, person, label, dates and state (never the secret). */
export async function tokenList(opts: { json?: boolean }, o: TokenIo = {}): Promise<number> {
  const { out, now, config } = io(o);
  const store = openTokenStore(config);
  try {
    const rows = await store.listAccessTokens();
    const state = (r: (typeof rows)[number]) => (r.revokedAt !== null ? 'revoked' : r.expiresAt !== null && r.expiresAt <= now ? 'expired' : 'active');
    const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));
    if (opts.json) {
      out(
        `${JSON.stringify(
          {
            tokens: rows.map((r) => ({
              id: r.id,
              person: r.person,
              label: r.label,
              state: state(r),
              createdAt: new Date(r.createdAt).toISOString(),
              expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt).toISOString(),
              lastUsedAt: r.lastUsedAt === null ? null : new Date(r.lastUsedAt).toISOString(),
            })),
          },
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    if (rows.length === 0) {
      out('No tokens. Create one with: vigil token create --person ID\n');
      return 0;
    }
    out(
      `${textTable(
        ['id', 'person', 'label', 'state', 'created', 'expires', 'last used'],
        rows.map((r) => [r.id, r.person, r.label ?? '', state(r), iso(r.createdAt), iso(r.expiresAt), iso(r.lastUsedAt)]),
      )}\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

/** `vigil token revoke ID`: the token stops working at once (the console session it opened ends at its expiry). */
export async function tokenRevoke(id: string, o: TokenIo = {}): Promise<number> {
  const { out, err, now, config } = io(o);
  const store = openTokenStore(config);
  try {
    const revoked = await store.write((tx) => tx.revokeAccessToken(id, now));
    if (!revoked) {
      err(`no active token ${id} (see vigil token list)\n`);
      return 1;
    }
    out(`Token ${id} revoked.\n`);
    return 0;
  } finally {
    await store.close();
  }
}
