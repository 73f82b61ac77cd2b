import { createHash } from 'node:crypto';
import type { KnownBlock } from '@slack/web-api';
import type { IncidentRow, PagedRecipient, StoreTx } from '../store/types.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { Policy } from '../rules/schema.js';
import { addressOf, resolveTargets, type Target } from './directory.js';
import { recipientOf, writeManyToOutbox, writeToOutbox, type OutboxMessage } from './outbox.js';
import { teamOf } from '../rules/teams.js';
import { resolveTier } from '../rules/escalation.js';
import { smsSegment } from './render.js';
import type { ChannelName, MessageKind } from './types.js';
import type { EscalationStep, PagingPort } from '../incidents/paging-port.js';

/**
 * Decides who is told what and writes it to the outbox, inside the transaction of the change that caused
 * it; the dispatcher delivers. Idempotency keys name the cause, so one event never pages twice.
 */
export class NotificationPlanner implements PagingPort {
  constructor(
    private readonly rules: () => RuleSet,
    private readonly webhookUrl: string | undefined,
  ) {}

  /** Pages the policy's roles. Bundled policies join (or open) the recipient's bundle window. */
  async page(tx: StoreTx, incident: IncidentRow, policy: Policy, cause: string, now: number): Promise<{ planned: number; missing: string[] }> {
    const { targets, missing } = resolveTargets(this.rules(), incident.team, policy, this.webhookUrl, now);
    const window = policy.bundleWindow ?? 0;
    let planned = 0;
    for (const t of targets) {
      const bundleKey = window > 0 ? `${t.channel}:${t.recipient.address}` : null;
      const bundle = bundleKey ? { key: bundleKey, dueAt: (await tx.bundleDueAt(bundleKey)) ?? now + window } : null;
      const key = `incident:${incident.id}:page:${cause}:${t.channel}:${t.recipient.address}`;
      const id = await writeToOutbox(tx, { ...about(incident, 'page', t, key, bundle?.dueAt ?? now), bundleKey: bundle?.key ?? null }, now);
      if (id !== null) planned++;
    }
    return { planned, missing };
  }

  /**
   * Pages each incident's escalation tier: whoever its schedules have on call and the people it names, by the
   * channels the target names or the policy uses for the on-call role, and the chat channels it names. Returns
   * who was paged (in words, and the people's ids), or null when the tier reaches nobody. Many incidents'
   * escalations (due together) are written in one go.
   */
  async escalate(tx: StoreTx, steps: readonly EscalationStep[], now: number): Promise<({ names: string; people: string[] } | null)[]> {
    const rules = this.rules();
    const messages: OutboxMessage[] = [];
    const paged = steps.map(({ incident, policy, tier, tierNumber, round }) => {
      const defaults = policy.notify.find((n) => n.role === 'oncall')?.channels ?? ['voice', 'sms'];
      const names: string[] = [];
      const people = new Set<string>();
      const insert = (to: Target) =>
        messages.push(about(incident, 'escalation', to, `incident:${incident.id}:escalation:${incident.reopenCount}-r${round}-t${tierNumber}:${to.channel}:${to.recipient.address}`, now));
      for (const target of resolveTier(rules, tier, now)) {
        if (target.kind === 'chat') {
          insert({ channel: 'chat', recipient: { person: null, name: target.address, address: target.address } });
          names.push(target.address);
          continue;
        }
        let reached = false;
        for (const channel of target.channels ?? defaults) {
          const t = addressOf(rules, target.person, channel, incident.team);
          if (!t) continue;
          insert(t);
          reached = true;
        }
        if (reached) {
          names.push(rules.people.get(target.person)?.name ?? target.person);
          people.add(target.person);
        }
      }
      return names.length > 0 ? { names: [...new Set(names)].join(', '), people: [...people] } : null;
    });
    await writeManyToOutbox(tx, messages, now);
    return paged;
  }

  /**
   * Progress reminders: each incident's responders (everyone paged) are asked for an update, its stakeholders
   * (the team's management role) get a progress report. `seq` makes each interval's reminder distinct. Many
   * incidents' reminders are read and written in one go (a handful of statements however many are due).
   */
  async progress(tx: StoreTx, reminders: readonly { incident: IncidentRow; seq: number }[], now: number): Promise<number[]> {
    const rules = this.rules();
    const paged = await tx.pagedRecipientsOfEach(reminders.map((r) => r.incident.id));
    const messages: OutboxMessage[] = [];
    const owner: number[] = [];
    for (const [i, { incident, seq }] of reminders.entries()) {
      const recipients = respondersAmong(paged.get(incident.id) ?? [], { peopleOnly: true });
      for (const id of teamOf(rules, incident.team)?.roles.management ?? []) {
        const t = addressOf(rules, id, 'email', incident.team);
        if (t) recipients.set(`email:${t.recipient.address}`, t);
      }
      for (const [key, r] of recipients) {
        messages.push(about(incident, 'reminder', r, `incident:${incident.id}:reminder:${seq}:${key}`, now));
        owner.push(i);
      }
    }
    const planned = reminders.map(() => 0);
    for (const [j, id] of (await writeManyToOutbox(tx, messages, now)).entries()) if (id !== null) planned[owner[j]!]!++;
    return planned;
  }

  /**
   * A message from a runbook (its notify steps, approval requests) to the incident's responders: everyone
   * paged so far (a call becomes a text), or, while nobody has been paged (a held page), the team's chat
   * channel only, which wakes nobody. The text is stored with each outbox row.
   */
  async update(tx: StoreTx, incident: IncidentRow, from: string, text: string, now: number, approvalRunId?: string): Promise<number> {
    const recipients = await respondersOf(tx, incident, { peopleOnly: false });
    const chat = teamOf(this.rules(), incident.team)?.chat;
    if (recipients.size === 0 && chat) recipients.set(`chat:${chat}`, { channel: 'chat', recipient: { person: null, name: chat, address: chat } });
    const subject = `[${incident.priority} UPDATE] #${incident.id} ${incident.title}`;
    const plain = `${from}: ${text}\n\n#${incident.id} ${incident.title}\n`;
    // An approval request in chat gets Approve / Reject buttons (the Slack interactivity callback decides the run).
    const blocks = approvalRunId ? approvalBlocks(subject, `${from}: ${text}`, approvalRunId) : undefined;
    // A text carries the words themselves (an approval's APPROVE/REJECT code), not only the subject.
    const sms = smsSegment(`[${incident.priority} UPDATE] #${incident.id} ${from}: ${text}`);
    const message = { subject, text: plain, html: '', sms };
    let planned = 0;
    const textKey = createHash('sha256').update(text).digest('hex').slice(0, 16);
    for (const [key, r] of recipients) {
      const body = r.channel === 'chat' && blocks ? { ...message, blocks } : message;
      const id = await writeToOutbox(tx, { ...about(incident, 'update', r, `incident:${incident.id}:update:${now}:${textKey}:${key}`, now), body }, now);
      if (id !== null) planned++;
    }
    return planned;
  }

  /**
   * Everyone who was paged hears about the outcome, on the channel they were paged on (a phone call
   * becomes a text: nobody wants a call to say it is over).
   */
  async outcome(tx: StoreTx, incident: IncidentRow, kind: 'acknowledged' | 'resolved', now: number): Promise<number> {
    // A page still waiting in its bundle was never sent: nobody needs to hear how it ended.
    const paged = (await tx.pagesOf(incident.id)).filter((n) => !(n.status === 'pending' && n.bundleKey !== null));
    const at = (kind === 'resolved' ? incident.resolvedAt : incident.acknowledgedAt) ?? now;
    let planned = 0;
    const seen = new Set<string>();
    for (const n of paged) {
      // Acknowledgements only update chat threads; resolutions reach every person paged.
      if (kind === 'acknowledged' && n.channel !== 'chat') continue;
      const channel: ChannelName = n.channel === 'voice' ? 'sms' : (n.channel as ChannelName);
      const key = `${channel}:${n.address}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const to = { channel, recipient: recipientOf(n) };
      if ((await writeToOutbox(tx, about(incident, kind, to, `incident:${incident.id}:${kind}:${at}:${key}`, now), now)) !== null) planned++;
    }
    return planned;
  }
}

/** A message about the incident, due at `dueAt`. */
function about(incident: IncidentRow, kind: MessageKind, to: Target, idempotencyKey: string, dueAt: number): OutboxMessage {
  return { kind, incidentId: incident.id, to, idempotencyKey, dueAt };
}

/** The incident's responders, as respondersAmong tells them from who its pages went to. */
async function respondersOf(tx: StoreTx, incident: IncidentRow, opts: { peopleOnly: boolean }): Promise<Map<string, Target>> {
  return respondersAmong((await tx.pagedRecipientsOfEach([incident.id])).get(incident.id) ?? [], opts);
}

/**
 * Everyone paged about an incident so far (pages and escalations), keyed by channel and address; a call
 * becomes a text, nobody wants a call for an update. Webhooks are systems, not responders.
 */
function respondersAmong(paged: readonly PagedRecipient[], opts: { peopleOnly: boolean }): Map<string, Target> {
  const out = new Map<string, Target>();
  for (const n of paged) {
    if (opts.peopleOnly && !n.person) continue;
    const channel: ChannelName = n.channel === 'voice' ? 'sms' : (n.channel as ChannelName);
    if (channel === 'webhook') continue;
    out.set(`${channel}:${n.address}`, { channel, recipient: recipientOf(n) });
  }
  return out;
}

/** Slack blocks of a runbook approval request: the question and Approve / Reject buttons carrying the run id. */
function approvalBlocks(subject: string, text: string, runId: string): KnownBlock[] {
  const plain = (t: string) => ({ type: 'plain_text' as const, text: t });
  return [
    { type: 'section', text: { type: 'mrkdwn', text: `*${subject.replace(/[&<>]/g, ' ')}*\n${text.replace(/[&<>]/g, ' ')}` } },
    {
      type: 'actions',
      block_id: `vigil_runbook_${runId}`,
      elements: [
        { type: 'button', action_id: RUNBOOK_APPROVE_ACTION_ID, text: plain('Approve'), style: 'primary', value: runId },
        { type: 'button', action_id: RUNBOOK_REJECT_ACTION_ID, text: plain('Reject'), style: 'danger', value: runId },
      ],
    },
  ];
}

export const RUNBOOK_APPROVE_ACTION_ID = 'vigil_runbook_approve';
export const RUNBOOK_REJECT_ACTION_ID = 'vigil_runbook_reject';
