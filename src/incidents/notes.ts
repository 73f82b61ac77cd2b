import type { StoreTx } from '../store/types.js';
import { incidentToActOn, type Actor } from './actor.js';
import { writeEvent } from './timeline.js';

export type NoteInput = Actor & { text: string };

/** A person's note on the incident's timeline. */
export async function writeNote(tx: StoreTx, id: number, actor: NoteInput, now: number) {
  await incidentToActOn(tx, id);
  await writeEvent(tx, id, now, { actor: actor.by, source: actor.source }, 'note', actor.text);
  await tx.updateIncident(id, { updatedAt: now });
  return { incidentId: id, at: now, by: actor.by, text: actor.text };
}

/**
 * A note from an inbound event a sender may deliver again (a Slack event): recorded only the first time its
 * key is seen within `windowMs`, in the same write as the note. False when it was already recorded.
 */
export async function writeNoteOnce(tx: StoreTx, id: number, actor: NoteInput, once: { key: string; windowMs: number }, now: number): Promise<boolean> {
  // An unknown incident throws in writeNote and rolls the key back with the rest of this write.
  if (!(await tx.firstSighting(once.key, now, now - once.windowMs))) return false;
  await writeNote(tx, id, actor, now);
  return true;
}
