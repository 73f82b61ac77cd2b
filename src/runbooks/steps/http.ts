import axios, { type AxiosResponse } from 'axios';
import type { Readable } from 'node:stream';
import { hostAllowed } from '../allow-list.js';
import { OutputBuffer } from '../output.js';
import { asHeaderValue, render } from '../step-template.js';
import { deadline } from '../timing.js';
import type { HttpStep } from '../types.js';
import { renderUrl } from '../url-template.js';
import { failed, type StepContext, type StepOutcome } from './context.js';
import { renderJsonBody } from './json-body.js';

const maxRedirects = 5;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Header values never written to the record, whatever they contain. */
const sensitiveHeaders = /^(authorization|proxy-authorization|cookie|x-api-key|x-auth-token)$/i;
/** Headers not sent on to another origin after a redirect (as browsers and curl do). */
const credentialHeaders = /^(authorization|proxy-authorization|cookie)$/i;

interface Request {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | null;
}

function describe(r: Request): string {
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${sensitiveHeaders.test(k) ? '[redacted]' : v}`);
  return [`${r.method} ${r.url.href}`, ...headers, ...(r.body === null ? [] : ['', r.body])].join('\n');
}

function build(step: HttpStep, ctx: StepContext): Request {
  const url = renderUrl(step.url, ctx.scope);
  const headers: Record<string, string> = {};
  for (const h of step.headers) headers[h.name] = render(h.value, ctx.scope, asHeaderValue);
  let body: string | null = null;
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (step.body?.kind === 'json') {
    body = renderJsonBody(step.body.value, ctx.scope);
    if (!has('content-type')) headers['Content-Type'] = 'application/json';
  } else if (step.body?.kind === 'text') {
    body = step.body.value;
    if (!has('content-type')) headers['Content-Type'] = 'text/plain; charset=utf-8';
  }
  if (!has('user-agent')) headers['User-Agent'] = 'vigil-runbook';
  return { method: step.method, url, headers, body };
}

function expected(step: HttpStep, status: number): boolean {
  return step.expectStatus.includes(status) || step.expectClasses.includes(Math.floor(status / 100));
}

const expectation = (step: HttpStep) => [...step.expectStatus.map(String), ...step.expectClasses.map((c) => `${c}xx`)].join(', ');

async function excerpt(res: AxiosResponse<Readable>, ctx: StepContext, signal: AbortSignal): Promise<string> {
  const limit = ctx.outputLimit;
  const buffer = new OutputBuffer(limit);
  const stream = res.data;
  const onAbort = () => stream.destroy(signal.reason as Error);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      buffer.push(chunk as Buffer);
      if (buffer.full && buffer.total > limit) break; // stop reading: the rest is not recorded anyway
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stream.destroy();
  }
  return buffer.text(ctx.secrets, true);
}

/**
 * Sends the request to the host written in the runbook. Redirects are followed by hand, and only to hosts on
 * the allow-list; a proxy from the environment is ignored so the connection goes where the allow-list says.
 */
export async function runHttpStep(step: HttpStep, ctx: StepContext): Promise<StepOutcome> {
  let req = build(step, ctx);
  if (!hostAllowed(req.url, ctx.allowHosts)) return failed(`host ${req.url.host} is not on the allow-list; request not sent`);
  if (ctx.dryRun) return { status: 'dry_run', output: `would send:\n${describe(req)}` };

  const dl = deadline(step.timeout, ctx.signal);
  const log: string[] = [];
  try {
    for (let hop = 0; ; hop++) {
      log.push(describe(req));
      const res = await axios.request<Readable>({
        url: req.url.href,
        method: req.method,
        headers: req.headers,
        data: req.body ?? undefined,
        maxRedirects: 0,
        proxy: false,
        responseType: 'stream',
        validateStatus: () => true,
        signal: dl.signal,
      });
      const location = res.headers.location as string | undefined;
      if (redirectStatuses.has(res.status) && location && !expected(step, res.status)) {
        res.data.destroy();
        const next = new URL(location, req.url);
        log.push(`→ ${res.status} redirect to ${next.href}`);
        if ((next.protocol !== 'http:' && next.protocol !== 'https:') || !hostAllowed(next, ctx.allowHosts)) {
          return failed(`redirected to ${next.host || next.protocol}, which is not on the allow-list; not followed`, log.join('\n'));
        }
        if (hop + 1 >= maxRedirects) return failed(`more than ${maxRedirects} redirects`, log.join('\n'));
        req = redirected(req, res.status, next);
        continue;
      }
      const body = await excerpt(res, ctx, dl.signal);
      log.push(`→ ${res.status} ${res.statusText ?? ''}`.trimEnd(), body);
      const output = log.join('\n');
      if (expected(step, res.status)) return { status: 'succeeded', output, code: res.status };
      return { status: 'failed', output, code: res.status, error: `expected status ${expectation(step)}, got ${res.status}` };
    }
  } catch (err) {
    if (dl.timedOut()) return { status: 'timed_out', output: log.join('\n'), error: `no complete answer within ${step.timeout}ms` };
    if (ctx.signal?.aborted) return failed('aborted: Vigil is shutting down', log.join('\n'));
    return failed((err as Error).message, log.join('\n'));
  } finally {
    dl.dispose();
  }
}

/** 303, and 301/302 after a POST, continue as GET without a body; credentials stay with their origin. */
function redirected(req: Request, status: number, next: URL): Request {
  const toGet = status === 303 || ((status === 301 || status === 302) && req.method === 'POST');
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([k]) => {
      if (next.origin !== req.url.origin && credentialHeaders.test(k)) return false;
      return !(toGet && k.toLowerCase() === 'content-type');
    }),
  );
  return { method: toGet ? 'GET' : req.method, url: next, headers, body: toGet ? null : req.body };
}
