import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { callQuery } from './call-query.js';
import { refusalText } from './refusal.js';
import { named } from '../../http/api-schemas.js';
import { operation, route } from '../../http/operation.js';
import { lazyPackage } from '../../runtime/lazy-package.js';
import { badRequest, VigilError } from '../../errors/errors.js';
import type { Logger } from '../../observe/logger.js';
import { translate, translator } from '../../text/messages/catalog.js';
import { callNcco, vonageInputUrl, vonageLanguage, vonageQuerySignature } from '../channels/phone/vonage.js';
import type { IncidentActions } from '../types.js';
import { DIGITS } from './twilio.js';

/** Vonage's JWT checks, loaded with the first signed callback. */
const vonageJwt = lazyPackage<typeof import('@vonage/jwt')>('@vonage/jwt');

export const VONAGE_INPUT_PATH = '/api/v1/callbacks/vonage/input';

export interface VonageCallbackDeps {
  signatureSecret: string | undefined;
  publicUrl: string;
  actions: IncidentActions;
  logger: Logger;
  /** Milliseconds since the epoch (the clock of the JWT's iat). */
  now: () => number;
}

/** A signed event older (or further ahead) than this is a replay, not Vonage's delivery. */
export const VONAGE_EVENT_WINDOW_MS = 5 * 60_000;
/** Token ids remembered to refuse a second delivery of one event within the window (bounded). */
const MAX_SEEN_TOKENS = 10_000;

/** The claims Vonage puts in a signed callback's JWT that Vigil checks beyond the signature. */
interface Claims {
  payload_hash?: unknown;
  iat?: unknown;
  jti?: unknown;
}

function claims(token: string): Claims {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Claims;
  } catch {
    return {};
  }
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The keypad digit of a Vonage call (its NCCO input's event). Answered 403, changing nothing, unless the request
 * carries a JWT signed with the account's signature secret whose payload_hash is the body's SHA-256, issued
 * within 5 minutes and not taken before (its jti), and the URL's incident and language carry Vigil's signature.
 */
export function vonageCallbacks(deps: VonageCallbackDeps): Router {
  const { signatureSecret, actions, logger } = deps;
  const router = express.Router();
  // Token ids of the events taken within the window, with their iat: a second delivery of one is refused.
  const seen = new Map<string, number>();
  const firstDelivery = (jti: string, iatMs: number, now: number): boolean => {
    for (const [id, at] of seen) {
      if (at >= now - VONAGE_EVENT_WINDOW_MS && seen.size < MAX_SEEN_TOKENS) break;
      seen.delete(id);
    }
    if (seen.has(jti)) return false;
    seen.set(jti, iatMs);
    return true;
  };
  const refuse = (res: express.Response, why: string) => {
    logger.warn({ why }, `rejected Vonage callback: ${why}`);
    res.status(403).type('text/plain').send(`invalid Vonage signature: ${why}`);
  };
  // The signature covers the raw bytes: they are checked before they are read as JSON.
  const raw = express.raw({ type: () => true, limit: '64kb' });
  const verify: RequestHandler = (req, res, next) => {
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (!signatureSecret) return refuse(res, 'no notify.vonage.signatureSecret configured');
    if (!token || !vonageJwt().verifySignature(token, signatureSecret)) return refuse(res, 'missing or invalid JWT');
    const c = claims(token);
    if (c.payload_hash !== hash) return refuse(res, 'payload_hash is not the body');
    // The JWT has no expiry of its own: its issue time says whether this is Vonage's delivery or a replay.
    const now = deps.now();
    const iatMs = typeof c.iat === 'number' ? c.iat * 1000 : NaN;
    if (!(Math.abs(now - iatMs) <= VONAGE_EVENT_WINDOW_MS)) return refuse(res, 'iat missing or outside the 5-minute window');
    // The query names the incident: it must be the one Vigil signed into the URL of the call.
    const incident = typeof req.query.incident === 'string' ? req.query.incident : '';
    const lang = req.query.lang === 'zh-CN' ? 'zh-CN' : 'en';
    const sig = typeof req.query.sig === 'string' ? req.query.sig : '';
    if (!/^\d{1,15}$/.test(incident) || !sameText(sig, vonageQuerySignature(signatureSecret, Number(incident), lang))) {
      return refuse(res, 'the incident in the URL is not the one the call was placed for');
    }
    if (typeof c.jti === 'string' && !firstDelivery(c.jti, iatMs, now)) return refuse(res, 'this event was already taken');
    try {
      req.body = JSON.parse(bytes.toString('utf8')) as unknown;
    } catch {
      next(badRequest('input: the signed body is not JSON', [{ field: '(body)', problem: 'not valid JSON' }]));
      return;
    }
    next();
  };
  route(
    router,
    vonageOperations.input,
    async ({ query, body: event }, _req, res) => {
      const { lang: locale, incident: incidentId } = query;
      const talk = (text: string) => [{ action: 'talk' as const, text, language: vonageLanguage[locale] }];
      if (incidentId === null) return void res.json(talk(translate(locale, 'voice.unknown')));
      const digit = event.dtmf?.digits ?? '';
      const action = Object.hasOwn(DIGITS, digit) ? DIGITS[digit]! : null;
      if (!action) return void res.json(callNcco('', vonageInputUrl(deps.publicUrl, incidentId, locale, signatureSecret), locale));
      // On Vigil's outbound calls the event's `to` is the person who was called.
      const phone = event.to ? `+${event.to.replace(/^\+/, '')}` : '';
      const who = actions.personByPhone(phone)?.id ?? phone;
      try {
        await actions[action](incidentId, who, 'voice');
        res.json(talk(translate(locale, 'voice.done', { id: incidentId, action })));
      } catch (err) {
        if (!(err instanceof VigilError)) logger.error({ err }, 'Vonage voice callback failed');
        res.json(talk(err instanceof VigilError ? refusalText(err, translator(locale)) : translate(locale, 'smsReply.sorry')));
      }
    },
    raw,
    verify,
  );
  return router;
}

/** Vonage's call control: what the call says next, and the keypad input whose digit comes back here. */
const nccoSchema = named(
  'Ncco',
  z.array(
    z.discriminatedUnion('action', [
      z.object({ action: z.literal('talk'), text: z.string(), language: z.string(), bargeIn: z.boolean().optional() }),
      z.object({
        action: z.literal('input'),
        type: z.array(z.literal('dtmf')),
        dtmf: z.object({ maxDigits: z.number().int(), timeOut: z.number().int() }),
        eventUrl: z.array(z.string()).describe('This callback again, for the next key'),
        eventMethod: z.literal('POST'),
      }),
    ]),
  ),
  "A Vonage NCCO: the call's next actions",
);

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const vonageOperations = {
  input: operation({
    id: 'vonageInputCallback',
    method: 'post',
    path: VONAGE_INPUT_PATH,
    tag: 'callbacks',
    summary: "A keypress on Vigil's Vonage paging call: 4 acknowledges, 6 resolves, 5 escalates the incident; answered with an NCCO",
    description:
      "Vonage posts the call's input event to the eventUrl Vigil put in the call (its incident and language signed by Vigil), with a JWT (Authorization: Bearer) whose payload_hash is the raw body's SHA-256, issued within the last 5 minutes and taken once; any other key repeats the menu.",
    access: 'vonage-signature',
    // Vonage may add its own parameters to the URL Vigil gave it: only these are read.
    ignoreUnknownQuery: true,
    query: callQuery.extend({ sig: z.string().optional().describe("Vigil's signature of the incident and language, from the URL it gave the call") }),
    body: z
      .object({
        dtmf: z
          .object({ digits: z.string().nullish().describe('The key pressed (none on a timeout)') })
          .loose()
          .optional(),
        to: z.string().nullish().describe('The number called (without +): the person acting, by their phone number'),
      })
      .loose()
      .describe("Vonage's input event; only these fields are read"),
    bodyName: 'input',
    responses: {
      200: { description: 'The NCCO: what was done, or the menu again', schema: nccoSchema },
      403: { description: 'No valid signed JWT (or no signature secret configured), an old or repeated one, or a URL Vigil did not sign: nothing changed', type: 'text/plain' },
    },
  }),
};
