import type twilio from 'twilio';
import type { Channel, Delivery, SendResult } from '../types.js';
import { translate, type Locale } from '../../text/messages/catalog.js';
import { configured } from './log-mode.js';
import { classifyTwilioError, createTwilioClient, twilioPackage, type TwilioConfig, type TwilioSender } from './twilio-client.js';

/** Twilio's <Say> speaks the reader's language (a zh-CN voice for Chinese); English keeps Twilio's default voice. */
export function sayIn(locale: Locale): { language?: 'zh-CN' } {
  return locale === 'zh-CN' ? { language: 'zh-CN' } : {};
}

/** Where Twilio posts the keypad digit of a call about this incident. */
export function voiceActionUrl(publicUrl: string, incidentId: number, locale: Locale = 'en'): string {
  // The language rides in the URL Twilio signs: the answer to the keypress speaks it too.
  return `${publicUrl.replace(/\/+$/, '')}/api/v1/callbacks/twilio/voice?incident=${incidentId}${locale === 'en' ? '' : `&lang=${locale}`}`;
}

/** Adds the keypad menu: a Gather that posts the pressed digit to the action URL. */
export function addVoiceMenu(response: twilio.twiml.VoiceResponse, actionUrl: string, speech?: string, locale: Locale = 'en'): void {
  const gather = response.gather({ numDigits: 1, action: actionUrl, method: 'POST', timeout: 10 });
  if (speech) gather.say(sayIn(locale), speech);
  gather.say(sayIn(locale), translate(locale, 'voice.menu'));
}

/** The call: the speech and the menu, once more if nothing was pressed, then goodbye. */
export function callTwiml(speech: string, actionUrl: string | null, locale: Locale = 'en'): string {
  const response = new (twilioPackage().twiml.VoiceResponse)();
  if (actionUrl === null) {
    response.say(sayIn(locale), speech);
  } else {
    addVoiceMenu(response, actionUrl, speech, locale);
    addVoiceMenu(response, actionUrl, speech, locale);
  }
  response.say(sayIn(locale), translate(locale, 'voice.goodbye'));
  return response.toString();
}

/** Phone calls through Twilio's Calls API; keypresses come back to the Twilio callbacks. */
export class VoiceChannel implements Channel {
  readonly name = 'voice' as const;
  readonly provider = 'twilio';
  readonly live: boolean;
  private readonly sender: TwilioSender | null;

  constructor(
    config: TwilioConfig,
    private readonly publicUrl: string,
  ) {
    this.sender = createTwilioClient(config);
    this.live = this.sender !== null;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const { recipient, rendered, incident } = delivery;
    const sender = configured(this.sender, this.name);
    const twiml = callTwiml(rendered.speech, incident ? voiceActionUrl(this.publicUrl, incident.id, rendered.locale) : null, rendered.locale);
    try {
      const call = await sender.client.calls.create({ to: recipient.address, from: sender.from, twiml });
      return { providerId: call.sid, mode: 'live' };
    } catch (err) {
      throw classifyTwilioError(err);
    }
  }
}
