import type { Logger } from '../../observe/logger.js';
import { redactSecretLinks } from '../../observe/redact.js';
import { ChannelError, type Channel, type ChannelName, type Delivery, type SendResult } from '../types.js';

/**
 * What a log line shows of a message on each channel: the form that channel would have sent. Never a webhook's
 * address: webhook URLs often carry a token.
 */
const shown: Record<ChannelName, (d: Delivery) => Record<string, string>> = {
  voice: (d) => ({ to: d.recipient.address, speech: d.rendered.speech }),
  sms: (d) => ({ to: d.recipient.address, body: d.rendered.sms }),
  email: (d) => ({ to: d.recipient.address, subject: d.rendered.subject, text: d.rendered.text }),
  chat: (d) => ({ to: d.recipient.address, subject: d.rendered.subject }),
  webhook: (d) => ({ subject: d.rendered.subject }),
};

/** Signed links are credentials: a link copied from the log must not act. */
const redacted = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, redactSecretLinks(v)]));

/**
 * A channel without credentials: every message is logged (signed links redacted) and reported delivered in mode
 * 'log', so `npm start` shows the whole flow with no accounts. It keeps the name and provider of the channel it
 * stands in for (pacing, fallback and health go by them) and never calls it.
 */
export class LogChannel implements Channel {
  readonly name: ChannelName;
  readonly provider: string;
  readonly live = false;
  private readonly logger: Logger;

  constructor(
    private readonly unconfigured: Channel,
    logger: Logger,
  ) {
    this.name = unconfigured.name;
    this.provider = unconfigured.provider;
    this.logger = logger.child({ channel: unconfigured.name });
    if (unconfigured.update) {
      this.update = async (delivery, providerId) => {
        this.logger.info({ incident: delivery.incident?.id ?? null, ts: providerId, mode: 'log' }, `update: ${redactSecretLinks(delivery.rendered.subject)}`);
      };
    }
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const fields = { kind: delivery.kind, notificationId: delivery.notificationId, incident: delivery.incident?.id ?? null, mode: 'log' };
    this.logger.info({ ...fields, ...redacted(shown[this.name](delivery)) }, redactSecretLinks(delivery.rendered.text));
    // Only chat threads its messages: a follow-up there keeps the thread it was asked to go to.
    return this.name === 'chat' ? { providerId: null, mode: 'log', threadRef: delivery.threadRef } : { providerId: null, mode: 'log' };
  }

  /** Only where the channel itself can rewrite a message it sent (chat). */
  readonly update?: (delivery: Delivery, providerId: string) => Promise<void>;

  async close(): Promise<void> {
    await this.unconfigured.close?.();
  }
}

/** The channel itself when it has credentials, otherwise its log mode. */
export function withLogMode(channel: Channel, logger: Logger): Channel {
  return channel.live ? channel : new LogChannel(channel, logger);
}

/** The client of a channel with credentials; one without is only ever used through withLogMode. */
export function configured<T>(client: T | null, channel: ChannelName): T {
  if (client === null) throw new ChannelError('client', `${channel} is not configured`);
  return client;
}
