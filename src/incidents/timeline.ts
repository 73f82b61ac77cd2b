import type { StoreTx } from '../store/types.js';

/** Who a timeline event is from: the actor, and the door or stage it came through. */
export interface Voice {
  actor: string;
  source: string;
}

/** Vigil itself, for one of its stages (rules, notify, runbooks, scheduler) or the sender it acts on. */
export const vigil = (source: string): Voice => ({ actor: 'vigil', source });

/** A sender speaking for itself (alertmanager, grafana, ...). */
export const sender = (source: string): Voice => ({ actor: source, source });

/** Adds one event to an incident's timeline, in the transaction of the change it records. */
export async function writeEvent(
  tx: StoreTx,
  incidentId: number,
  at: number,
  from: Voice,
  kind: string,
  message: string,
  data: Record<string, unknown> | null = null,
): Promise<void> {
  await tx.recordEvent({ incidentId, at, kind, actor: from.actor, source: from.source, message, data });
}

/** "3 messages", "1 recipient": counts in timeline messages. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
