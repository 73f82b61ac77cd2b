import type { Operation } from '../../http/operation.js';
import { createHash } from 'node:crypto';
import express, { type Router } from 'express';
import { verifySignature } from '@vonage/jwt';
import { VigilError } from '../../errors/errors.js';
import type { Logger } from '../../observe/logger.js';
import { translate, type Locale } from '../../text/messages/catalog.js';
import { callNcco, vonageInputUrl, vonageLanguage } from '../channels/phone/vonage.js';
import type { IncidentActions } from '../types.js';
import { DIGITS } from './twilio.js';

export const VONAGE_INPUT_PATH = '/api/v1/callbacks/vonage/input';

export interface VonageCallbackDeps {
  signatureSecret: string | undefined;
  publicUrl: string;
  actions: IncidentActions;
  logger: Logger;
}

/** The claims Vonage puts in a signed callback's JWT that Vigil checks beyond the signature. */
function claims(token: string): { payload_hash?: unknown } {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { payload_hash?: unknown };
  } catch {
    return {};
  }
}

/**
 * The keypad digit of a Vonage call (its NCCO input's event). Answered 403, changing nothing, unless the request
 * carries a JWT signed with the account's signature secret whose payload_hash is the body's SHA-256.
 */
export function vonageCallbacks(deps: VonageCallbackDeps): Router {
  const { signatureSecret, actions, logger } = deps;
  const router = express.Router();
  router.post(VONAGE_INPUT_PATH, express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    const hash = createHash('sha256').update(raw).digest('hex');
    if (!signatureSecret || !token || !verifySignature(token, signatureSecret) || claims(token).payload_hash !== hash) {
      logger.warn({ configured: Boolean(signatureSecret), signed: Boolean(token) }, 'rejected Vonage callback: missing or invalid signature');
      res.status(403).type('text/plain').send('invalid Vonage signature');
      return;
    }
    let event: { dtmf?: { digits?: unknown }; to?: unknown };
    try {
      event = JSON.parse(raw.toString('utf8')) as typeof event;
    } catch {
      res.status(400).type('text/plain').send('expected JSON');
      return;
    }
    const locale: Locale = req.query.lang === 'zh-CN' ? 'zh-CN' : 'en';
    const talk = (text: string) => [{ action: 'talk', text, language: vonageLanguage[locale] }];
    const query = req.query.incident;
    const incidentId = typeof query === 'string' && /^\d{1,15}$/.test(query) ? Number(query) : null;
    if (incidentId === null) return void res.json(talk(translate(locale, 'voice.unknown')));
    const digit = typeof event.dtmf?.digits === 'string' ? event.dtmf.digits : '';
    const action = Object.hasOwn(DIGITS, digit) ? DIGITS[digit]! : null;
    if (!action) return void res.json(callNcco('', vonageInputUrl(deps.publicUrl, incidentId, locale), locale));
    // On Vigil's outbound calls the event's `to` is the person who was called.
    const phone = typeof event.to === 'string' ? `+${event.to.replace(/^\+/, '')}` : '';
    const who = actions.personByPhone(phone)?.id ?? phone;
    try {
      await actions[action](incidentId, who, 'voice');
      res.json(talk(translate(locale, 'voice.done', { id: incidentId, action })));
    } catch (err) {
      if (!(err instanceof VigilError)) logger.error({ err }, 'Vonage voice callback failed');
      res.json(talk(err instanceof VigilError ? err.message : 'Sorry, Vigil could not do that right now.'));
    }
  });
  return router;
}

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const vonageOperations: Record<string, Operation> = {};
