import type { IncidentRow, StoreTx } from '../store/types.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { Policy } from '../rules/schema.js';
import { resolveTargets } from './directory.js';
import type { ChannelName } from './types.js';

/**
 * Decides who is told what and writes it to the outbox, inside the transaction of the change that caused
 * it; the dispatcher delivers. Idempotency keys name the cause, so one event never pages twice.
 */
export class NotificationPlanner {
  constructor(
    private readonly rules: () => RuleSet,
    private readonly webhookUrl: string | undefined,
  ) {}

  /** Pages the policy's roles. Bundled policies join (or open) the recipient's bundle window. */
  async page(tx: StoreTx, incident: IncidentRow, policy: Policy, cause: string, now: number): Promise<{ planned: number; missing: string[] }> {
    const { targets, missing } = resolveTargets(this.rules(), incident.team, policy.notify, this.webhookUrl);
    const window = policy.bundleWindow ?? 0;
    let planned = 0;
    for (const t of targets) {
      const bundleKey = window > 0 ? `${t.channel}:${t.recipient.address}` : null;
      const dueAt = bundleKey ? ((await tx.bundleDueAt(bundleKey)) ?? now + window) : now;
      const id = await tx.insertNotification(
        {
          incidentId: incident.id,
          kind: 'page',
          channel: t.channel,
          person: t.recipient.person,
          recipientName: t.recipient.name,
          address: t.recipient.address,
          idempotencyKey: `incident:${incident.id}:page:${cause}:${t.channel}:${t.recipient.address}`,
          dueAt,
          bundleKey,
          fallbackOf: null,
        },
        now,
      );
      if (id !== null) planned++;
    }
    return { planned, missing };
  }

  /**
   * Everyone who was paged hears about the outcome, on the channel they were paged on (a phone call
   * becomes a text: nobody wants a call to say it is over).
   */
  async outcome(tx: StoreTx, incident: IncidentRow, kind: 'acknowledged' | 'resolved', now: number): Promise<number> {
    const paged = (await tx.notificationsOf(incident.id)).filter(
      (n) => (n.kind === 'page' || n.kind === 'escalation') && !(n.status === 'pending' && n.bundleKey !== null),
    );
    let planned = 0;
    const seen = new Set<string>();
    for (const n of paged) {
      // Acknowledgements only update chat threads; resolutions reach every person paged.
      if (kind === 'acknowledged' && n.channel !== 'chat') continue;
      const channel: ChannelName = n.channel === 'voice' ? 'sms' : (n.channel as ChannelName);
      const key = `${channel}:${n.address}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const id = await tx.insertNotification(
        {
          incidentId: incident.id,
          kind,
          channel,
          person: n.person,
          recipientName: n.recipientName,
          address: n.address,
          idempotencyKey: `incident:${incident.id}:${kind}:${(kind === 'resolved' ? incident.resolvedAt : incident.acknowledgedAt) ?? now}:${key}`,
          dueAt: now,
          bundleKey: null,
          fallbackOf: null,
        },
        now,
      );
      if (id !== null) planned++;
    }
    return planned;
  }
}
