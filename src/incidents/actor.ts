import { incidentNotFound } from './refusals.js';
import type { IncidentRow, StoreTx } from '../store/types.js';
import { writeEvent } from './timeline.js';

export interface Actor {
  /** The person (or sender) acting. */
  by: string;
  /** Their name in the timeline's words, when known (a person signed in to the console or the API). */
  name?: string;
  /** The door it came through: api, pagerduty, ... */
  source: string;
  note?: string;
}

/** "Alice Example (console)": the console's actions say where they came from. */
export function who(actor: Actor): string {
  return `${actor.name ?? actor.by}${actor.source === 'console' ? ' (console)' : ''}`;
}

/** The incident a person acts on; an unknown id is a 404. */
export async function incidentToActOn(tx: StoreTx, id: number): Promise<IncidentRow> {
  const incident = await tx.getIncident(id);
  if (!incident) throw incidentNotFound(id);
  return incident;
}

/** "acknowledged by Alice: on it", with the note as data when there is one. */
export function recordByHand(tx: StoreTx, incidentId: number, now: number, actor: Actor, kind: 'acknowledged' | 'resolved'): Promise<void> {
  const note = actor.note ? `: ${actor.note}` : '';
  return writeEvent(tx, incidentId, now, { actor: actor.by, source: actor.source }, kind, `${kind} by ${who(actor)}${note}`, actor.note ? { note: actor.note } : null);
}
