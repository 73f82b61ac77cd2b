import express, { type ErrorRequestHandler, type Response, type Router } from 'express';
import { escapeHtml } from '../../text/html.js';
import { VigilError } from '../../errors/errors.js';
import type { Logger } from '../../observe/logger.js';
import type { createLinkSigner, LinkAction, LinkClaims } from '../link-signer.js';
import type { IncidentActions } from '../types.js';

export interface LinkActionDeps {
  signer: ReturnType<typeof createLinkSigner>;
  actions: IncidentActions;
  logger: Logger;
}

const verbs: Record<LinkAction, { ask: string; done: string }> = {
  acknowledge: { ask: 'Acknowledge', done: 'acknowledged' },
  resolve: { ask: 'Resolve', done: 'resolved' },
};


/** Every argument is escaped here; callers pass plain text. */
function page(res: Response, status: number, title: string, message: string, form?: string): void {
  const body = `<!doctype html>
<html lang="en">
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

function refused(res: Response, err: unknown): void {
  const message = err instanceof VigilError ? err.message : 'this link is not valid';
  page(res, 403, 'Link not accepted', message);
}

function check(signer: LinkActionDeps['signer'], token: string): LinkClaims | VigilError {
  try {
    return signer.verify(token);
  } catch (err) {
    if (err instanceof VigilError) return err;
    throw err;
  }
}

/**
 * One-click acknowledge/resolve from an email or chat link. The signed token is the credential, so these
 * routes sit outside API-token auth and before the JSON-only body parser. GET only asks: mail scanners and
 * link previews fetch every link, and acting on GET would acknowledge incidents nobody has seen.
 */
export function linkActions(deps: LinkActionDeps): Router {
  const { signer, actions, logger } = deps;
  const router = express.Router();
  const path = '/api/v1/actions/:token';

  router.get(path, (req, res) => {
    const claims = check(signer, String(req.params.token));
    if (claims instanceof VigilError) return refused(res, claims);
    const { ask } = verbs[claims.action];
    const who = claims.person ? ` You will act as ${claims.person}.` : '';
    page(res, 200, `${ask} incident ${claims.incidentId}?`, `Confirm to ${ask.toLowerCase()} incident ${claims.incidentId}.${who}`, ask);
  });

  router.post(path, express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const claims = check(signer, String(req.params.token));
    if (claims instanceof VigilError) return refused(res, claims);
    const { action, incidentId, person } = claims;
    const by = person ?? 'email link';
    try {
      await actions[action](incidentId, by, 'email');
    } catch (err) {
      if (err instanceof VigilError) {
        return page(res, err.status, `Incident ${incidentId} not ${verbs[action].done}`, err.message);
      }
      logger.error({ err, incidentId, action }, 'action from a signed link failed');
      return page(res, 500, `Incident ${incidentId} not ${verbs[action].done}`, 'Vigil could not do this right now; try again shortly.');
    }
    logger.info({ incidentId, action, by }, 'incident action from a signed link');
    page(res, 200, `Incident ${incidentId} ${verbs[action].done}.`, `Incident ${incidentId} was ${verbs[action].done} by ${by}.`);
  });

  // Body problems (too large, bad encoding) answered in the same HTML shape as everything else here.
  const onError: ErrorRequestHandler = (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, 'signed link request failed');
    page(res, status, 'Request not accepted', status === 413 ? 'The request body is too large.' : 'The request could not be read.');
  };
  router.use(path, onError);
  return router;
}
