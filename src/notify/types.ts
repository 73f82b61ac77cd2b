import type { KnownBlock } from '@slack/web-api';
import type { IncidentBrief } from '../api/incident-view.js';
import type { Locale } from '../text/messages/catalog.js';

/** The five ways Vigil reaches people, in the fallback order for pages. */
export const channelNames = ['voice', 'sms', 'chat', 'email', 'webhook'] as const;
export type ChannelName = (typeof channelNames)[number];

/** What a message is about; rendering and retry budgets depend on it. */
export type MessageKind = 'page' | 'bundle' | 'reminder' | 'escalation' | 'acknowledged' | 'resolved' | 'digest' | 'review' | 'update';

/** Where one message goes: a person's address on one channel (phone number, email, Slack user/channel id, URL). */
export interface Recipient {
  /** Person id from the people file, or null for a team chat channel or a webhook. */
  person: string | null;
  name: string;
  address: string;
}

/** The incident facts a message is rendered from: the shared brief (api/incident-view.ts) and what messages add. */
export interface IncidentSummary extends IncidentBrief {
  /** First lines of the alerts' summaries/descriptions. */
  details: string[];
  /** For progress reminders: how long it has been open and the latest updates (notes, runbook results), newest first. */
  progress?: { openForMs: number; updates: { at: number; by: string | null; text: string }[] };
  /** For pages: what runbooks tried (outcomes, failed steps with their output), in order. */
  remediation?: string[];
}

/** One message rendered for every channel; each channel takes its part. */
export interface Rendered {
  /** Email subject, chat fallback text, webhook title. */
  subject: string;
  /** Plain text body (email text part, chat body). */
  text: string;
  /** Email HTML body. */
  html: string;
  /** One SMS segment where it can be (≤ 160 GSM characters), with the reply instructions. */
  sms: string;
  /** What the phone call says before the keypad menu. */
  speech: string;
  /** Chat: Block Kit blocks of a message rendered ahead of time (a digest); without them chat renders the incident. */
  blocks?: KnownBlock[];
  /** The reader's language (the call speaks it); absent, English. */
  locale?: Locale;
  /** The one-click links' words in that language (robots' buttons). */
  actionLabels?: { acknowledge: string; resolve: string };
}

/** One send attempt's input. */
export interface Delivery {
  notificationId: number;
  kind: MessageKind;
  channel: ChannelName;
  recipient: Recipient;
  incident: IncidentSummary | null;
  rendered: Rendered;
  /** Stable across retries of the same notification; passed to providers that deduplicate. */
  idempotencyKey: string;
  /** Provider reference of the first message about this incident on this channel (Slack thread ts). */
  threadRef: string | null;
  /** Signed one-click links for this recipient (email and chat). */
  actions: { acknowledge: string; resolve: string } | null;
}

export interface SendResult {
  /** The provider's id for the message (Twilio SID, Slack ts, SMTP message id). */
  providerId: string | null;
  /** 'log' when the channel has no credentials and only logged the message. */
  mode: 'live' | 'log';
  /** For chat: the thread later updates go to. */
  threadRef?: string | null;
  /** What the timeline adds to "sent": a provider that failed before the one that took it. */
  note?: string;
  /** The provider that took it, when a channel has several (absent: the channel's provider for the address). */
  provider?: string;
  /** Providers that failed on the way within this attempt: their health counts the failure. */
  failedOver?: { provider: string; error: ChannelError }[];
}

/** Errors are classified once, here, and the dispatcher acts on the class alone. */
export type ChannelErrorKind = 'client' | 'auth' | 'rate_limited' | 'server' | 'timeout' | 'network';

export class ChannelError extends Error {
  constructor(
    readonly kind: ChannelErrorKind,
    message: string,
    /** From the provider's Retry-After, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChannelError';
  }

  /** Worth retrying: the provider was busy, down or slow, not told something wrong. */
  get transient(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'server' || this.kind === 'timeout' || this.kind === 'network';
  }
}

/** A channel wraps one provider library; it renders nothing itself and classifies its errors. */
export interface Channel {
  readonly name: ChannelName;
  /** The service behind it (twilio, slack, smtp, ...): a page that fails falls back to another provider first. */
  readonly provider: string;
  /** True when credentials are configured; otherwise the channel logs and reports mode 'log'. */
  readonly live: boolean;
  /** Chat: the provider behind one address (Slack, or the robot it names); absent, `provider` for every address. */
  providerOf?(address: string): string;
  /** Every provider it may use, for the health gauges (absent: `provider`). */
  readonly providers?: readonly string[];
  send(delivery: Delivery): Promise<SendResult>;
  /** Chat: update the original message after acknowledge/resolve (optional). */
  update?(delivery: Delivery, providerId: string): Promise<void>;
  close?(): Promise<void>;
}

/** The provider a message to this address goes through. */
export function providerFor(channel: Channel, address: string): string {
  return channel.providerOf?.(address) ?? channel.provider;
}

/** What inbound callbacks (phone keypress, SMS reply, chat button, email link) may do to an incident. */
export interface IncidentActions {
  acknowledge(incidentId: number, by: string, source: string): Promise<unknown>;
  resolve(incidentId: number, by: string, source: string): Promise<unknown>;
  /** Page the next tier now (the escalation issue fills this in; until then it records a note). */
  escalate(incidentId: number, by: string, source: string): Promise<unknown>;
  /**
   * With `once`, the note of an event its sender may deliver again (a Slack event id): recorded only the first
   * time the key is seen within the window, across restarts; resolves to false for a repeat.
   */
  addNote(incidentId: number, by: string, source: string, text: string, once?: { key: string; windowMs: number }): Promise<unknown>;
  /** The person a phone number belongs to (for SMS replies and calls), if known. */
  personByPhone(phone: string): { id: string; name: string; locale?: Locale } | null;
  /** The incident most recently paged to this phone number, for replies without an id ("4", "ACK"). */
  lastIncidentForPhone(phone: string): Promise<number | null>;
  /** The person a Slack member id belongs to, if known. */
  personBySlack(userId: string): { id: string; name: string } | null;
  /** The incident a chat thread belongs to, by its first message's ts. */
  incidentForThread(threadTs: string): Promise<number | null>;
  /** Approves or rejects the step a runbook run waits on (a chat button). */
  decideRunbook?(runId: string, by: string, approved: boolean): Promise<unknown>;
}
