import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '../errors/errors.js';
import type { SilenceRow } from '../rules/suppression-types.js';
import type { StoreTx } from '../store/types.js';
import type { NewSilence } from './engine-port.js';
import type { SuppressionPass } from './suppression-pass.js';

/** Stores a silence; alerts already firing that it matches are suppressed on the next tick. */
export async function createSilence(suppressions: SuppressionPass, tx: StoreTx, input: NewSilence, now: number): Promise<SilenceRow> {
  const row: SilenceRow = { id: randomUUID(), ...input, createdAt: now, updatedAt: now };
  await tx.insertSilence(row);
  tx.afterCommit(() => suppressions.silenceCreated(row));
  return row;
}

/** Ends a silence now (Alertmanager's expire); the alerts it muted page again on the next tick. */
export async function expireSilence(suppressions: SuppressionPass, tx: StoreTx, id: string, by: string, now: number): Promise<SilenceRow> {
  const silence = await tx.getSilence(id);
  if (!silence) throw notFound(`silence ${id} not found`);
  if (silence.endsAt <= now) throw conflict(`silence ${id} has already ended`);
  const patch = { endsAt: Math.max(now, silence.startsAt), updatedAt: now, comment: `${silence.comment} (expired by ${by})` };
  await tx.updateSilence(id, patch);
  const updated = { ...silence, ...patch };
  tx.afterCommit(() => suppressions.silenceEnded(updated));
  return updated;
}
