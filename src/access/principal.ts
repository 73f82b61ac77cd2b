/** Who is acting: every console and API action is attributed to one. */
export interface Principal {
  /** The person id from the rules (admin for the API token); null when the API is open to anyone. */
  person: string | null;
  /** Shown on the timeline: "acknowledged by Alice Example (console)". */
  name: string;
  admin: boolean;
  via: 'api-token' | 'personal-token' | 'session' | 'proxy' | 'open';
  /** The personal token it authenticated with, if any. */
  tokenId?: string;
}

export const openPrincipal: Principal = { person: null, name: 'anonymous', admin: true, via: 'open' };
export const adminPrincipal: Principal = { person: 'admin', name: 'admin', admin: true, via: 'api-token' };

/** The door an action came through, for the timeline: the console's own session, or the API. */
export function sourceOf(p: Principal): 'console' | 'api' {
  return p.via === 'session' || p.via === 'proxy' ? 'console' : 'api';
}

/** Who an API or console action is recorded as. */
export interface ActingAs {
  /** Stored as acknowledgedBy/resolvedBy and the event's actor: the person id (or what a script named itself). */
  by: string;
  /** Shown in the timeline's words. */
  name?: string;
  source: 'console' | 'api';
}

/**
 * People act as themselves (a `by` they send is ignored); the API token and an open API may name who acts,
 * as scripts always could. An open console's own requests are marked as the console's.
 */
export function actingAs(p: Principal | undefined, given: string | undefined, fromOwnPage: boolean): ActingAs {
  if (!p || p.via === 'open') return fromOwnPage && !given ? { by: 'anonymous', source: 'console' } : { by: given ?? 'api', source: 'api' };
  if (p.via === 'api-token') return { by: given ?? 'api', source: 'api' };
  return { by: p.person!, name: p.name, source: sourceOf(p) };
}
