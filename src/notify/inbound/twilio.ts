import express, { type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { callQuery } from './call-query.js';
import { refusalText } from './refusal.js';
import { operation, route } from '../../http/operation.js';
import { VigilError } from '../../errors/errors.js';
import type { Logger } from '../../observe/logger.js';
import { addVoiceMenu, sayIn, voiceActionUrl } from '../channels/voice.js';
import { twilioPackage } from '../channels/twilio-client.js';
import { translate, translator, type Locale, type Translate } from '../../text/messages/catalog.js';
import type { IncidentActions } from '../types.js';

export type ReplyAction = 'acknowledge' | 'resolve' | 'escalate';

export interface TwilioCallbackDeps {
  authToken: string | undefined;
  publicUrl: string;
  actions: IncidentActions;
  logger: Logger;
  /** The language of SMS answers to numbers of nobody with a locale (notify.locale). */
  locale?: Locale;
}

export const VOICE_PATH = '/api/v1/callbacks/twilio/voice';
export const SMS_PATH = '/api/v1/callbacks/twilio/sms';

/** What each key of a call's keypad does (Twilio's and Vonage's calls alike). */
export const DIGITS: Record<string, ReplyAction> = { '4': 'acknowledge', '6': 'resolve', '5': 'escalate' };
/** The handbook's words, either side of the id ("确认 123", "123确认"). */
const CHINESE: Record<string, ReplyAction> = { 确认: 'acknowledge', 解决: 'resolve', 升级: 'escalate' };
/** Words that may lead a reply ("ACK 123", "4 123", "RES"). */
const LEADING: Record<string, ReplyAction> = {
  ...DIGITS,
  ack: 'acknowledge',
  acknowledge: 'acknowledge',
  res: 'resolve',
  resolve: 'resolve',
  esc: 'escalate',
  escalate: 'escalate',
  ...CHINESE,
};
/** Words that may follow an incident id ("123a", "123 resolve"). */
const TRAILING: Record<string, ReplyAction> = {
  a: 'acknowledge',
  ack: 'acknowledge',
  acknowledge: 'acknowledge',
  r: 'resolve',
  res: 'resolve',
  resolve: 'resolve',
  e: 'escalate',
  esc: 'escalate',
  escalate: 'escalate',
  ...CHINESE,
};
/** Carrier keywords Twilio answers itself; they are never notes. */
const OPT_OUT = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'start', 'unstop']);
const HELP_WORDS = new Set(['help', 'info', '?']);

function lookup(table: Record<string, ReplyAction>, key: string): ReplyAction | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function incidentNumber(text: string): number | null {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** Reads an SMS reply as a command, or null when it is not one (free text becomes a note). */
export function parseSmsReply(body: string): { action: ReplyAction; incidentId: number | null } | null {
  const text = body.trim().toLowerCase().replace(/[.!。！]+$/, '');
  const trailing = /^#?(\d+)\s*([a-z]+|确认|解决|升级)$/.exec(text);
  if (trailing) {
    const action = lookup(TRAILING, trailing[2] ?? '');
    const incidentId = incidentNumber(trailing[1] ?? '');
    return action && incidentId !== null ? { action, incidentId } : null;
  }
  // A Chinese word needs no space before the id ("确认12"); a Latin word or a digit does ("412" is a note).
  const leading = /^([a-z]+|\d)(?:\s+#?(\d+))?$/.exec(text) ?? /^(确认|解决|升级)(?:\s*#?(\d+))?$/.exec(text);
  if (!leading) return null;
  const action = lookup(LEADING, leading[1] ?? '');
  if (!action) return null;
  if (leading[2] === undefined) return { action, incidentId: null };
  const incidentId = incidentNumber(leading[2]);
  return incidentId === null ? null : { action, incidentId };
}

/** `APPROVE 1a2b3c4d` / `REJECT 1a2b3c4d` (or YES / NO): a decision on the runbook run whose id starts so. */
export function parseApprovalReply(body: string): { approved: boolean; code: string } | null {
  const m = /^(approve|yes|reject|no)\s+([0-9a-f]{8})$/i.exec(body.trim());
  if (!m) return null;
  return { approved: /^(approve|yes)$/i.test(m[1]!), code: m[2]!.toLowerCase() };
}

function sendTwiml(res: Response, twiml: { toString(): string }): void {
  res.status(200).type('text/xml').send(twiml.toString());
}

/** A VigilError's message is for the person; anything else is logged and answered with an apology. */
function failureText(err: unknown, logger: Logger, what: string, locale: Locale = 'en'): string {
  if (err instanceof VigilError) return refusalText(err, translator(locale));
  logger.error({ err }, `Twilio ${what} callback failed`);
  return translate(locale, 'smsReply.sorry');
}

/**
 * Twilio's keypress and SMS-reply webhooks. Each route parses its own form body (these are mounted before
 * Vigil's JSON-only parser) and answers 403, changing nothing, unless X-Twilio-Signature is valid.
 */
export function twilioCallbacks(deps: TwilioCallbackDeps): Router {
  const { authToken, actions, logger } = deps;
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  const verify: RequestHandler = (req, res, next) => {
    const signature = req.header('X-Twilio-Signature');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!authToken || !signature || !twilioPackage().validateRequest(authToken, signature, publicUrl + req.originalUrl, body)) {
      logger.warn(
        { path: req.path, configured: Boolean(authToken), signed: Boolean(signature) },
        'rejected Twilio callback: missing or invalid signature',
      );
      res.status(403).type('text/plain').send('invalid Twilio signature');
      return;
    }
    next();
  };

  route(
    router,
    twilioOperations.voice,
    async ({ query, body }, _req, res) => {
      const response = new (twilioPackage().twiml.VoiceResponse)();
      const { lang: locale, incident: incidentId } = query;
      const say = (text: string) => response.say(sayIn(locale), text);
      if (incidentId === null) {
        say(translate(locale, 'voice.unknown'));
        return sendTwiml(res, response);
      }
      const action = lookup(DIGITS, body.Digits ?? '');
      if (!action) {
        addVoiceMenu(response, voiceActionUrl(publicUrl, incidentId, locale), undefined, locale);
        say(translate(locale, 'voice.goodbye'));
        return sendTwiml(res, response);
      }
      // On Vigil's outbound calls Twilio's To is the person who was called.
      const phone = body.To ?? '';
      const who = actions.personByPhone(phone)?.id ?? phone;
      try {
        await actions[action](incidentId, who, 'voice');
        say(translate(locale, 'voice.done', { id: incidentId, action }));
      } catch (err) {
        say(failureText(err, logger, 'voice', locale));
      }
      sendTwiml(res, response);
    },
    form,
    verify,
  );

  route(
    router,
    twilioOperations.sms,
    async ({ body }, _req, res) => {
      const response = new (twilioPackage().twiml.MessagingResponse)();
      const from = body.From ?? '';
      const text = (body.Body ?? '').trim();
      const person = actions.personByPhone(from);
      const who = person?.id ?? from;
      // Answered in the sender's language, as their pages are.
      const t = translator(person?.locale ?? deps.locale ?? 'en');
      try {
        const reply = await answerSms(text, from, who, actions, t);
        if (reply !== null) response.message(reply);
      } catch (err) {
        response.message(failureText(err, logger, 'sms', person?.locale ?? deps.locale));
      }
      sendTwiml(res, response);
    },
    form,
    verify,
  );

  return router;
}

/** The reply text for one SMS, after doing what it asks; null for carrier keywords that get no answer. */
async function answerSms(text: string, from: string, who: string, actions: IncidentActions, t: Translate): Promise<string | null> {
  const lower = text.toLowerCase();
  if (OPT_OUT.has(lower)) return null;
  if (HELP_WORDS.has(lower) || text === '') return t('smsReply.help');
  const decision = parseApprovalReply(text);
  if (decision && actions.decideRunbook) {
    await actions.decideRunbook(decision.code, who, decision.approved);
    return t('smsReply.runbook', { code: decision.code, approved: decision.approved ? 'yes' : 'no' });
  }
  const command = parseSmsReply(text);
  if (command) {
    const incidentId = command.incidentId ?? (await actions.lastIncidentForPhone(from));
    if (incidentId === null) return t('smsReply.noIncident', { help: t('smsReply.help') });
    await actions[command.action](incidentId, who, 'sms');
    return t('smsReply.done', { id: incidentId, action: command.action });
  }
  const last = await actions.lastIncidentForPhone(from);
  if (last === null) return t('smsReply.help');
  await actions.addNote(last, who, 'sms', text);
  return t('smsReply.noted', { id: last });
}

const refused = { description: 'No valid X-Twilio-Signature (or no auth token configured): nothing changed', type: 'text/plain' };

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const twilioOperations = {
  voice: operation({
    id: 'twilioVoiceCallback',
    method: 'post',
    path: VOICE_PATH,
    tag: 'callbacks',
    summary: "A keypress on Vigil's paging call: 4 acknowledges, 6 resolves, 5 escalates the incident; answered with TwiML",
    description: 'Twilio posts the call\'s fields (form-encoded) to the action URL Vigil put in the call; any other key repeats the menu.',
    access: 'twilio-signature',
    // Twilio may add its own parameters to the URL Vigil gave it: only these are read.
    ignoreUnknownQuery: true,
    query: callQuery,
    body: z
      .object({
        Digits: z.string().optional().describe('The key pressed'),
        To: z.string().optional().describe('The number called: the person acting (by their phone number)'),
      })
      .loose()
      .describe("Twilio's voice callback fields; only these are read"),
    bodyName: 'voice',
    bodyOptional: true,
    bodyType: 'application/x-www-form-urlencoded',
    responses: {
      200: { description: 'TwiML: what was done, or the menu again', type: 'text/xml' },
      403: refused,
    },
  }),
  sms: operation({
    id: 'twilioSmsCallback',
    method: 'post',
    path: SMS_PATH,
    tag: 'callbacks',
    summary: 'An SMS reply to a page: ACK/RES/ESC [id] (or 4/6/5, 12a, APPROVE code) acts, other text becomes a note; answered with TwiML',
    description: 'Without an id the command acts on the sender\'s last incident; carrier keywords (STOP, START…) get no answer.',
    access: 'twilio-signature',
    body: z
      .object({
        From: z.string().optional().describe('The sender: the person acting (by their phone number)'),
        Body: z.string().optional().describe('The text of the reply'),
      })
      .loose()
      .describe("Twilio's incoming message fields; only these are read"),
    bodyName: 'sms',
    bodyOptional: true,
    bodyType: 'application/x-www-form-urlencoded',
    responses: {
      200: { description: 'TwiML: the reply message (none for carrier keywords)', type: 'text/xml' },
      403: refused,
    },
  }),
};
