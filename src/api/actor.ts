import type { Request, Response } from 'express';
import { actingAs, type ActingAs } from '../access/principal.js';

/** Who this request acts as (the authenticated principal; see actingAs). */
export function actor(req: Request, res: Response, given?: string): ActingAs {
  return actingAs(res.locals.principal, given, req.headers['sec-fetch-site'] === 'same-origin');
}

/** A script (API token or open API) that did not say who it acts for, where the record needs a name. */
export function anonymousScript(who: ActingAs, given: string | undefined): boolean {
  return who.source === 'api' && who.name === undefined && given === undefined;
}
