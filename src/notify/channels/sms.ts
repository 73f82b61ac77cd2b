import type { Logger } from '../../observe/logger.js';
import { redactSecretLinks } from '../../observe/redact.js';
import type { Channel, Delivery, SendResult } from '../types.js';
import { classifyTwilioError, createTwilioClient, type TwilioConfig, type TwilioSender } from './twilio-client.js';

/** Text messages through Twilio's Messages API; replies come back to the Twilio callbacks. */
export class SmsChannel implements Channel {
  readonly name = 'sms' as const;
  readonly provider = 'twilio';
  readonly live: boolean;
  private readonly sender: TwilioSender | null;

  constructor(
    config: TwilioConfig,
    private readonly logger: Logger,
  ) {
    this.sender = createTwilioClient(config);
    this.live = this.sender !== null;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const { recipient, rendered } = delivery;
    if (!this.sender) {
      this.logger.info(
        { channel: this.name, notificationId: delivery.notificationId, to: recipient.address, body: redactSecretLinks(rendered.sms) },
        'sms (log mode: Twilio not configured)',
      );
      return { providerId: null, mode: 'log' };
    }
    try {
      const message = await this.sender.client.messages.create({
        to: recipient.address,
        from: this.sender.from,
        body: rendered.sms,
      });
      return { providerId: message.sid, mode: 'live' };
    } catch (err) {
      throw classifyTwilioError(err);
    }
  }
}
