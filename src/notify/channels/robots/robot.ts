import axios from 'axios';
import type { Severity } from '../../../alerts/severity.js';
import { ChannelError, type Channel, type Delivery, type SendResult } from '../../types.js';
import { classifyWebhookError, classifyWebhookResponse } from '../webhook.js';

import type { robotTypes } from '../../../config/schema.js';

export type RobotType = (typeof robotTypes)[number];

/** Who a message to a group is for, to @mention them where the platform can. */
export interface Mention {
  name: string;
  phone: string | null;
  wecom: string | null;
  feishu: string | null;
}

/** What every robot shows: a title, the body's lines, and the signed one-click links (none of them takes a button press back). */
export interface RobotMessage {
  title: string;
  lines: string[];
  severity: Severity | null;
  actions: { acknowledge: string; resolve: string } | null;
  /** The links' words in the reader's language. */
  labels: { acknowledge: string; resolve: string };
  mention: Mention | null;
}

/** One platform's incoming webhook: where to post, what, and what its answer's body says went wrong. */
export interface RobotFormat {
  readonly type: RobotType;
  /** Null without the credential (log mode). */
  request(message: RobotMessage, nowMs: number): { url: string; body: unknown } | null;
  /** A 2xx answer that still refuses the message (these platforms answer errors with 200 and a code), classified. */
  refusal(data: unknown): ChannelError | null;
}

/** The message of a delivery as robots show it: the rendered text without its link lines, the links apart. */
export function robotMessage(delivery: Delivery, mention: Mention | null): RobotMessage {
  const a = delivery.actions;
  // The text's own link lines ("Acknowledge: <url>" in the reader's words) become the robot's buttons or links.
  const lines = delivery.rendered.text.trimEnd().split('\n').filter((l) => !a || !(l.endsWith(a.acknowledge) || l.endsWith(a.resolve)));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const labels = delivery.rendered.actionLabels ?? { acknowledge: 'Acknowledge', resolve: 'Resolve' };
  return { title: delivery.rendered.subject, lines, severity: delivery.incident?.severity ?? null, actions: a, labels, mention };
}

/** Markdown link text cannot hold brackets; URLs are Vigil's own (signed links) or a sender's. */
export const markdownLink = (text: string, url: string) => `[${text.replace(/[[\]]/g, '')}](${url})`;

/**
 * A chat robot as a channel: posts the platform's JSON to its webhook (no redirects followed: the body may carry
 * signed links), and classifies the HTTP status and the platform's own error code in one place.
 */
export class RobotChannel implements Channel {
  readonly name = 'chat' as const;
  readonly provider: RobotType;
  readonly live: boolean;

  constructor(
    private readonly format: RobotFormat,
    private readonly timeoutMs: number,
    private readonly mentionOf: (person: string | null) => Mention | null,
    private readonly now: () => number = Date.now,
  ) {
    this.provider = format.type;
    this.live = format.request({ title: '', lines: [], severity: null, actions: null, labels: { acknowledge: '', resolve: '' }, mention: null }, 0) !== null;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const req = this.format.request(robotMessage(delivery, this.mentionOf(delivery.recipient.person)), this.now());
    if (!req) throw new ChannelError('client', `${this.provider} is not configured`);
    let res;
    try {
      res = await axios.post(req.url, req.body, {
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        timeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs),
        maxRedirects: 0,
        validateStatus: () => true,
        responseType: 'json',
      });
    } catch (err) {
      throw classifyWebhookError(err, this.timeoutMs, this.provider);
    }
    const failure = classifyWebhookResponse(res, this.now(), this.provider) ?? this.format.refusal(res.data);
    if (failure) throw failure;
    return { providerId: null, mode: 'live' };
  }
}
