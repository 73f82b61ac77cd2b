import type { Batch, Incident, IncidentStatus } from './types.js';

/**
 * What a live batch raises, by the handbook's levels: a critical incident that opened, reopened or escalated to
 * the viewer raises the pop-up; a warning that opened shows a notice; reminders and info stay on the board.
 * Pure.
 */

export interface Raised {
  /** For the pop-up: critical, still unacknowledged, not muted. */
  critical: { incident: Incident; escalated: boolean }[];
  /** For the non-modal notice. */
  warnings: Incident[];
}

const wantsAttention = (i: Incident) => i.status === 'triggered' && !i.suppressed;

export function raisedBy(batch: Batch): Raised {
  const byId = new Map(batch.incidents.map((i) => [i.id, i]));
  const opened = new Set(batch.opened);
  const escalated = new Set(batch.escalatedToMe ?? []);
  const critical: Raised['critical'] = [];
  const warnings: Incident[] = [];
  for (const id of new Set([...opened, ...escalated])) {
    const i = byId.get(id);
    if (!i || !wantsAttention(i)) continue;
    if (i.severity === 'critical') critical.push({ incident: i, escalated: escalated.has(id) && !opened.has(id) });
    else if (i.severity === 'warning' && opened.has(id)) warnings.push(i);
  }
  return { critical, warnings };
}

/**
 * The pop-up's list after a batch: what it raised is added (or refreshed), and incidents someone acknowledged
 * or resolved meanwhile leave it. Oldest first, as they were raised.
 */
export function nextPopup<T extends { incident: Incident }>(current: readonly T[], batch: Batch, raised: readonly T[]): T[] {
  const latest = new Map(batch.incidents.map((i) => [i.id, i]));
  const out: T[] = [];
  const seen = new Set<number>();
  for (const item of current) {
    const fresh = latest.get(item.incident.id) ?? item.incident;
    const again = raised.find((r) => r.incident.id === fresh.id);
    if (!wantsAttention(fresh)) continue;
    out.push(again ?? { ...item, incident: fresh });
    seen.add(fresh.id);
  }
  for (const r of raised) if (!seen.has(r.incident.id)) out.push(r);
  return out;
}

/**
 * A batch read before an action the viewer saw answered (an acknowledgement) can arrive after the answer and
 * would show the incident triggered again. An incident known to be acknowledged or resolved only becomes
 * triggered again by reopening (or paging again), which the batch lists in `opened`; otherwise its triggered copy
 * is stale and is left out. `settled` holds the incidents known not to be triggered; the updated map is returned.
 */
const MAX_SETTLED = 10_000;

export function withoutStale(batch: Batch, settled: ReadonlyMap<number, IncidentStatus>): { batch: Batch; settled: Map<number, IncidentStatus> } {
  const next = new Map(settled);
  const opened = new Set(batch.opened);
  const stale = new Set<number>();
  for (const i of batch.incidents) {
    if (i.status !== 'triggered') next.set(i.id, i.status);
    else if (!next.has(i.id)) continue;
    else if (opened.has(i.id)) next.delete(i.id);
    else stale.add(i.id);
  }
  // Bounded: the oldest entries go first (a Map keeps insertion order).
  for (const id of next.keys()) {
    if (next.size <= MAX_SETTLED) break;
    next.delete(id);
  }
  if (stale.size === 0) return { batch, settled: next };
  return {
    batch: { ...batch, incidents: batch.incidents.filter((i) => !stale.has(i.id)), escalatedToMe: (batch.escalatedToMe ?? []).filter((id) => !stale.has(id)) },
    settled: next,
  };
}

/** The tab's title: "(2) Vigil" while two critical incidents wait for someone. */
export function tabTitle(waiting: number, page: string | null): string {
  const base = page ? `${page} · Vigil` : 'Vigil';
  return waiting > 0 ? `(${waiting}) ${base}` : base;
}
