import { severities, type Incident, type IncidentStatus, type Severity } from './types.js';

/**
 * The board's tab, filters and order, kept in the address bar so a filtered board can be bookmarked. Pure.
 */

export const tabs = ['open', 'triggered', 'acknowledged', 'resolved', 'all'] as const;
export type Tab = (typeof tabs)[number];
export type Sort = 'urgency' | 'newest';

export interface BoardQuery {
  tab: Tab;
  severity: Severity | null;
  team: string | null;
  service: string | null;
  q: string;
  mine: boolean;
  sort: Sort;
}

/** Open incidents most urgent first; resolved ones (and everything) newest first. */
export function defaultSort(tab: Tab): Sort {
  return tab === 'resolved' || tab === 'all' ? 'newest' : 'urgency';
}

export function parseBoardQuery(search: string): BoardQuery {
  const p = new URLSearchParams(search);
  const tab = (tabs as readonly string[]).includes(p.get('tab') ?? '') ? (p.get('tab') as Tab) : 'open';
  const severity = (severities as readonly string[]).includes(p.get('severity') ?? '') ? (p.get('severity') as Severity) : null;
  const sort = p.get('sort') === 'urgency' || p.get('sort') === 'newest' ? (p.get('sort') as Sort) : defaultSort(tab);
  const text = (name: string) => {
    const v = p.get(name)?.trim();
    return v ? v.slice(0, 200) : null;
  };
  return { tab, severity, team: text('team'), service: text('service'), q: text('q') ?? '', mine: p.get('mine') === '1', sort };
}

/** The address bar's query for a board: only what differs from the defaults. */
export function boardSearch(q: BoardQuery): string {
  const p = new URLSearchParams();
  if (q.tab !== 'open') p.set('tab', q.tab);
  if (q.severity) p.set('severity', q.severity);
  if (q.team) p.set('team', q.team);
  if (q.service) p.set('service', q.service);
  if (q.q.trim()) p.set('q', q.q.trim());
  if (q.mine) p.set('mine', '1');
  if (q.sort !== defaultSort(q.tab)) p.set('sort', q.sort);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The API request for one page of the board (with the tabs' counts on the first). */
export function incidentsRequest(q: BoardQuery, opts: { cursor?: string | null; limit: number; counts: boolean }): string {
  const p = new URLSearchParams();
  if (q.tab !== 'all') p.set('status', q.tab);
  if (q.severity) p.set('severity', q.severity);
  if (q.team) p.set('team', q.team);
  if (q.service) p.set('service', q.service);
  if (q.q.trim()) p.set('q', q.q.trim());
  if (q.mine) p.set('mine', 'true');
  p.set('sort', q.sort);
  p.set('limit', String(opts.limit));
  if (opts.counts) p.set('counts', 'true');
  if (opts.cursor) p.set('cursor', opts.cursor);
  return `/api/v1/incidents?${p.toString()}`;
}

const rank = (s: Severity) => severities.indexOf(s);

/** The server's orders: urgency is severity, then oldest first, then id; newest is by id, descending. */
export function compareIncidents(sort: Sort): (a: Incident, b: Incident) => number {
  if (sort === 'newest') return (a, b) => b.id - a.id;
  return (a, b) => rank(a.severity) - rank(b.severity) || Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id;
}

function statusMatches(tab: Tab, status: IncidentStatus): boolean {
  return tab === 'all' || (tab === 'open' ? status !== 'resolved' : tab === status);
}

/**
 * Whether an incident belongs on the board: known from its fields, except for free text and "mine" (labels and
 * pages live on the server), which make the answer 'ask' when the fields themselves match.
 */
export function belongs(i: Incident, q: BoardQuery): boolean | 'ask' {
  if (!statusMatches(q.tab, i.status)) return false;
  if (q.severity && i.severity !== q.severity) return false;
  if (q.team && i.team !== q.team) return false;
  if (q.service && i.service !== q.service) return false;
  return q.q.trim() !== '' || q.mine ? 'ask' : true;
}

export interface PatchResult {
  rows: Incident[];
  /** Some change could not be placed without the server (free text, mine): fetch the first page again. */
  refetch: boolean;
}

/**
 * The loaded rows after a live batch: changed rows replaced (or dropped when they no longer belong), new matches
 * placed in order when they fall within what is loaded (or everything is loaded); nothing refetched that the
 * batch itself says.
 */
export function patchRows(rows: readonly Incident[], changed: readonly Incident[], q: BoardQuery, complete: boolean): PatchResult {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const compare = compareIncidents(q.sort);
  const last = rows[rows.length - 1];
  let refetch = false;
  for (const c of changed) {
    const fits = belongs(c, q);
    if (byId.has(c.id)) {
      if (fits === false) byId.delete(c.id);
      else byId.set(c.id, c);
      continue;
    }
    if (fits === false) continue;
    if (fits === 'ask') {
      refetch = true;
      continue;
    }
    if (complete || !last || compare(c, last) < 0) byId.set(c.id, c);
  }
  return { rows: [...byId.values()].sort(compare), refetch };
}
