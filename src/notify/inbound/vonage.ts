import { createHash } from 'node:crypto';
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
import { callNcco, vonageInputUrl, vonageLanguage } from '../channels/phone/vonage.js';
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
  // The signature covers the raw bytes: they are checked before they are read as JSON.
  const raw = express.raw({ type: () => true, limit: '64kb' });
  const verify: RequestHandler = (req, res, next) => {
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const token = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (!signatureSecret || !token || !vonageJwt().verifySignature(token, signatureSecret) || claims(token).payload_hash !== hash) {
      logger.warn({ configured: Boolean(signatureSecret), signed: Boolean(token) }, 'rejected Vonage callback: missing or invalid signature');
      res.status(403).type('text/plain').send('invalid Vonage signature');
      return;
    }
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
      if (!action) return void res.json(callNcco('', vonageInputUrl(deps.publicUrl, incidentId, locale), locale));
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
      "Vonage posts the call's input event to the eventUrl Vigil put in the call, with a JWT (Authorization: Bearer) whose payload_hash is the raw body's SHA-256; any other key repeats the menu.",
    access: 'vonage-signature',
    // Vonage may add its own parameters to the URL Vigil gave it: only these are read.
    ignoreUnknownQuery: true,
    query: callQuery,
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
      403: { description: 'No valid signed JWT (or no signature secret configured): nothing changed', type: 'text/plain' },
    },
  }),
};
