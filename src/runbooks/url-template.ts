import { compileTemplate, describeReference, render, RenderError, TemplateError, type RenderScope, type Template } from './step-template.js';

/**
 * A URL whose scheme, host and port are written out in the runbook and whose path and query may hold
 * placeholders. Every value is percent-encoded for where it lands, so a label like "evil.com/x", "@evil.com"
 * or "../../admin" stays inside one path segment or query value and the request goes where the author said.
 */
export interface UrlTemplate {
  source: string;
  /** scheme://host[:port] exactly as WHATWG URL normalises it. */
  origin: string;
  /** Everything after the origin: path, query (no fragment). */
  rest: Template;
  /** For each placeholder in rest (in order): where it lands. */
  contexts: ('path' | 'query')[];
}

const fixedOrigin = /^(https?):\/\/([^/?#{}\s]+)/i;

export function compileUrlTemplate(source: string): UrlTemplate {
  const m = fixedOrigin.exec(source);
  if (!m) throw new TemplateError(`url must start with http:// or https:// and a host written out (got "${source}")`);
  const afterAuthority = source.slice(m[0].length);
  if (afterAuthority !== '' && !/^[/?]/.test(afterAuthority)) {
    throw new TemplateError('the scheme, host and port of a url must be written out; templates may only appear in the path and query');
  }
  const authority = m[2]!;
  if (authority.includes('@')) throw new TemplateError('credentials in the url are not allowed; use a header with {{ env.NAME }}');
  let origin: string;
  try {
    origin = new URL(`${m[1]}://${authority}/`).origin;
  } catch {
    throw new TemplateError(`invalid host "${authority}" in url`);
  }
  const rest = compileTemplate(afterAuthority);
  const contexts: ('path' | 'query')[] = [];
  let inQuery = false;
  for (const part of rest.parts) {
    if (typeof part === 'string') {
      if (part.includes('#')) throw new TemplateError('a url fragment (#...) is never sent; remove it');
      if (part.includes('?')) inQuery = true;
    } else {
      contexts.push(inQuery ? 'query' : 'path');
    }
  }
  return { source, origin, rest, contexts };
}

/** host[:port] of the fixed origin, for allow-list checks and messages. */
export const urlTemplateHost = (u: UrlTemplate): URL => new URL(u.origin);

/** "." and ".." (also percent-encoded) are removed by URL parsing and would climb out of the written path. */
function isDotSegment(segment: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded === '.' || decoded === '..';
}

/** Renders the URL; throws RenderError when a value is missing or would change anything but a value. */
export function renderUrl(u: UrlTemplate, scope: RenderScope): URL {
  let index = 0;
  const rest = render(u.rest, scope, (value, ref) => {
    const where = u.contexts[index++]!;
    if (where === 'path' && value === '') throw new RenderError(`${describeReference(ref)} is empty and would change the url path`);
    return encodeURIComponent(value);
  });
  const pathPart = rest.split('?')[0]!;
  if (pathPart.split('/').some(isDotSegment)) throw new RenderError('a value would make a "." or ".." path segment and change the url path');
  const url = new URL(u.origin + rest);
  if (url.origin !== u.origin) throw new RenderError(`rendered url ${url.origin} does not match the runbook's ${u.origin}`);
  return url;
}
