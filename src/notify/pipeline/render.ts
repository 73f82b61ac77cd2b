import type { NotificationRow, Store } from '../../store/types.js';
import { recipientOf, storedMessage } from '../outbox.js';
import { render } from '../render.js';
import { readerPreferences } from '../reader-locale.js';
import type { ChannelName, Delivery, IncidentSummary, MessageKind } from '../types.js';
import type { Member } from './bundle.js';
import type { PipelineContext } from './context.js';

/** One send, ready for its channel. */
export interface Prepared {
  /** The messages it delivers: one, or the due members of a bundle; the first one speaks for them. */
  members: NotificationRow[];
  delivery: Delivery;
  /** The first chat message about the incident to this address, which acknowledged/resolved rewrite. */
  original: NotificationRow | null;
}

/** Timeline events a progress report shows: what people said and did, and what runbooks achieved. */
const PROGRESS_KINDS = ['note', 'acknowledged', 'escalated', 'runbook_finished'];
const PROGRESS_UPDATES = 3;
/** What a page shows of runbooks: outcomes, refusals and the steps that failed. */
const REMEDIATION_KINDS = ['runbook_finished', 'runbook_refused', 'runbook_step'];
/** Kinds whose message carries the recipient's signed acknowledge/resolve links while the incident is open. */
const ACTION_KINDS = new Set<MessageKind>(['page', 'bundle', 'escalation', 'reminder']);
/** Rendered when written: the outbox row carries the message. */
const STORED_KINDS = new Set(['digest', 'review', 'update']);

/** Renders the message for its members (at least one), with what its kind shows: progress, remediation, links, thread. */
export async function renderSend(ctx: PipelineContext, sending: Member[], now: number): Promise<Prepared> {
  const members = sending.map((m) => m.row);
  const n = members[0]!;
  const summaries = sending.flatMap((m) => (m.incident ? [m.incident] : []));
  const kind: MessageKind = members.length > 1 ? 'bundle' : (n.kind as MessageKind);
  const found = summaries.find((s) => s.id === n.incidentId) ?? summaries[0] ?? null;
  const incident =
    found && kind === 'reminder'
      ? { ...found, progress: await progressOf(ctx.store, found, now) }
      : found && (kind === 'page' || kind === 'escalation')
        ? { ...found, remediation: await remediationOf(ctx.store, found.id) }
        : found;
  const actions = incident && ctx.options.links && incident.status !== 'resolved' && ACTION_KINDS.has(kind) ? ctx.options.links(incident.id, n.person) : null;
  const original = n.channel === 'chat' && n.incidentId !== null && n.kind !== 'page' ? await ctx.store.firstChatMessage(n.incidentId, n.address) : null;
  const stored = STORED_KINDS.has(n.kind) ? await storedMessage(ctx.store, n.id) : null;
  const delivery: Delivery = {
    notificationId: n.id,
    kind,
    channel: n.channel as ChannelName,
    recipient: recipientOf(n),
    incident,
    rendered:
      stored ??
      (incident
        ? render(kind, incident, { bundle: summaries, actions, ...readerPreferences(ctx.options.rules(), n.person, incident.team, ctx.options) })
        : { subject: n.kind, text: n.kind, html: '', sms: n.kind, speech: n.kind }),
    idempotencyKey: n.idempotencyKey,
    threadRef: original?.threadRef ?? null,
    actions,
  };
  return { members, delivery, original };
}

/** What runbooks tried before this page went out (a held page carries the evidence), latest last. */
async function remediationOf(store: Store, incidentId: number): Promise<string[]> {
  return (await store.latestEvents(incidentId, REMEDIATION_KINDS, 20))
    .filter((e) => e.kind !== 'runbook_step' || (e.data as { step?: { ok?: boolean } } | null)?.step?.ok === false)
    .slice(0, 5)
    .reverse()
    .map((e) => e.message);
}

/** What a progress report tells: time open and the latest updates people and runbooks recorded. */
async function progressOf(store: Store, i: IncidentSummary, now: number): Promise<NonNullable<IncidentSummary['progress']>> {
  const updates = (await store.latestEvents(i.id, PROGRESS_KINDS, PROGRESS_UPDATES)).map((e) => ({ at: e.at, by: e.actor, text: e.message }));
  return { openForMs: Math.max(0, now - i.createdAt), updates };
}
