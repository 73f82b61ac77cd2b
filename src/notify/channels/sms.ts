import type { Channel, Delivery, SendResult } from '../types.js';
import { configured } from './log-mode.js';
import { classifyTwilioError, createTwilioClient, type TwilioConfig, type TwilioSender } from './twilio-client.js';

/** Text messages through Twilio's Messages API; replies come back to the Twilio callbacks. */
export class SmsChannel implements Channel {
  readonly name = 'sms' as const;
  readonly provider = 'twilio';
  readonly live: boolean;
  private readonly sender: TwilioSender | null;

  constructor(config: TwilioConfig) {
    this.sender = createTwilioClient(config);
    this.live = this.sender !== null;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const { recipient, rendered } = delivery;
    const sender = configured(this.sender, this.name);
    try {
      const message = await sender.client.messages.create({
        to: recipient.address,
        from: sender.from,
        body: rendered.sms,
      });
      return { providerId: message.sid, mode: 'live' };
    } catch (err) {
      throw classifyTwilioError(err);
    }
  }
}
