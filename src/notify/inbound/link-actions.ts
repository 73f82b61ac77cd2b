import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { operation, route } from '../../http/operation.js';
import { escapeHtml } from '../../text/html.js';
import { VigilError } from '../../errors/errors.js';
import type { Logger } from '../../observe/logger.js';
import { translator, type Locale } from '../../text/messages/catalog.js';
import type { createLinkSigner, LinkClaims } from '../link-signer.js';
import type { IncidentActions } from '../types.js';
import { refusalText } from './refusal.js';

export interface LinkActionDeps {
  signer: ReturnType<typeof createLinkSigner>;
  actions: IncidentActions;
  logger: Logger;
  /** The language of the person a link was signed for (default notify.locale): the page speaks it. */
  localeOf?: (person: string | null) => Locale;
}


/** Every argument is escaped here; callers pass plain text. */
function page(res: Response, status: number, title: string, message: string, form?: string, locale: Locale = 'en'): void {
  const body = `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Vigil</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.5rem 1.25rem}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
${form === undefined ? '' : `<form method="post"><input type="hidden" name="confirm" value="1"><button type="submit">${escapeHtml(form)}</button></form>`}
</body>
</html>
`;
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      // The token in the URL is a credential: keep it out of caches and other sites' Referer headers.
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    })
    .send(body);
}

/**
 * A link that is not accepted names no person Vigil can trust: its page speaks the language the browser asks
 * for when Vigil has it, else notify.locale.
 */
function browserLocale(req: Request, fallback: Locale): Locale {
  // Best first; "*" (any) or none Vigil has leaves the choice to notify.locale.
  for (const tag of req.acceptsLanguages()) {
    const language = tag.toLowerCase().split('-')[0];
    if (language === 'zh') return 'zh-CN';
    if (language === 'en') return 'en';
    if (language === '*') break;
  }
  return fallback;
}

function check(signer: LinkActionDeps['signer'], token: string): LinkClaims | VigilError {
  try {
    return signer.verify(token);
  } catch (err) {
    if (err instanceof VigilError) return err;
    throw err;
  }
}

const LINK_PATH = '/api/v1/actions/:token';

/**
 * One-click acknowledge/resolve from an email or chat link. The signed token is the credential, so these
 * routes sit outside API-token auth and before the JSON-only body parser. GET only asks: mail scanners and
 * link previews fetch every link, and acting on GET would acknowledge incidents nobody has seen.
 */
export function linkActions(deps: LinkActionDeps): Router {
  const { signer, actions, logger } = deps;
  const router = express.Router();

  const reader = (person: string | null) => {
    const locale = deps.localeOf?.(person) ?? 'en';
    return { locale, t: translator(locale) };
  };
  /** The reader of a page no trusted person is named on (the browser's language, else notify.locale). */
  const browserReader = (req: Request) => {
    const locale = browserLocale(req, deps.localeOf?.(null) ?? 'en');
    return { locale, t: translator(locale) };
  };
  const refused = (req: Request, res: Response, err: VigilError) => {
    const { locale, t } = browserReader(req);
    page(res, 403, t('link.refused'), refusalText(err, t), undefined, locale);
  };

  route(router, linkOperations.ask, (_input, req, res) => {
    const claims = check(signer, String(req.params.token));
    if (claims instanceof VigilError) return refused(req, res, claims);
    const { locale, t } = reader(claims.person);
    const v = { action: claims.action, id: claims.incidentId };
    const who = claims.person ? t('link.actAs', { person: claims.person }) : '';
    page(res, 200, t('link.ask', v), `${t('link.confirm', v)}${who}`, t('link.button', v), locale);
  });

  route(
    router,
    linkOperations.confirm,
    async (_input, req, res) => {
      const claims = check(signer, String(req.params.token));
      if (claims instanceof VigilError) return refused(req, res, claims);
      const { action, incidentId, person } = claims;
      const by = person ?? 'email link';
      const { locale, t } = reader(person);
      const v = { action, id: incidentId };
      try {
        await actions[action](incidentId, by, 'email');
      } catch (err) {
        if (err instanceof VigilError) {
          // The store away for a moment: the browser (or a proxy) may try again, as every 503 of Vigil says.
          if (err.status === 503) res.setHeader('Retry-After', String(err.retryAfter ?? 1));
          return page(res, err.status, t('link.notDone', v), refusalText(err, t), undefined, locale);
        }
        logger.error({ err, incidentId, action }, 'action from a signed link failed');
        return page(res, 500, t('link.notDone', v), t('link.tryAgain'), undefined, locale);
      }
      logger.info({ incidentId, action, by }, 'incident action from a signed link');
      page(res, 200, t('link.done', v), t('link.doneBy', { ...v, by }), undefined, locale);
    },
    express.urlencoded({ extended: false, limit: '8kb' }),
  );

  // Body problems (too large, bad encoding) answered in the same HTML shape as everything else here.
  const onError: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, 'signed link request failed');
    const { locale, t } = browserReader(req);
    page(res, status, t('link.requestRefused'), t(status === 413 ? 'link.tooLarge' : 'link.unreadable'), undefined, locale);
  };
  router.use(LINK_PATH, onError);
  return router;
}

const html = (description: string) => ({ description, type: 'text/html' });
const token = { token: z.string().describe('The signed link token (action, incident, person and expiry)') };

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const linkOperations = {
  ask: operation({
    id: 'getLinkAction',
    method: 'get',
    path: LINK_PATH,
    tag: 'callbacks',
    summary: 'The page of a one-click acknowledge/resolve link from an email or chat: asks to confirm, changes nothing',
    description: 'Mail scanners and link previews fetch every link, so only the POST of its form acts. Every answer is an HTML page.',
    access: 'signed-link',
    params: token,
    responses: {
      200: html('The question, with a button that posts the confirmation'),
      403: html('The link is not valid (altered, expired, or signed with another secret)'),
      500: html('The request failed'),
    },
    errors: 'none',
  }),
  confirm: operation({
    id: 'confirmLinkAction',
    method: 'post',
    path: LINK_PATH,
    tag: 'callbacks',
    summary: "Does what a signed link says (acknowledge or resolve the incident), as the person it was signed for",
    description: 'Every answer is an HTML page.',
    access: 'signed-link',
    params: token,
    // Nothing in the form can be refused: the signed token decides (403 before anything else).
    body: z.object({ confirm: z.unknown().optional().describe("The page's form sends 1") }).loose(),
    bodyName: 'confirmation',
    bodyOptional: true,
    bodyType: 'application/x-www-form-urlencoded',
    responses: {
      200: html('Done: the incident was changed'),
      400: html('The request could not be read'),
      403: html('The link is not valid (altered, expired, or signed with another secret)'),
      404: html('The incident is gone'),
      409: html('The incident refuses the change (already resolved)'),
      413: html('The request body is too large'),
      415: html("The form's charset is not supported"),
      500: html('The change failed; try again'),
      503: html('Vigil could not make the change now; try again'),
    },
    errors: 'none',
  }),
};
