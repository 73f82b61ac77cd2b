import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../errors/errors.js';

export interface GrafanaSignatureOptions {
  secret: string;
  signatureHeader: string;
  timestampHeader?: string | undefined;
  replayWindowMs: number;
}

/** Grafana's own default header name, accepted when the configured one is absent. */
const grafanaDefaultHeader = 'x-grafana-alert-signature';

/**
 * Grafana signs the raw body with HMAC-SHA256 (hex); with a timestamp header configured it signs
 * `<unix seconds>:<body>` and the timestamp must be within the replay window.
 */
export function verifyGrafanaSignature(
  opts: GrafanaSignatureOptions,
  headers: Record<string, string | string[] | undefined>,
  rawBody: Buffer,
  now: number,
): void {
  const header = (name: string) => {
    const v = headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const signature = header(opts.signatureHeader) ?? header(grafanaDefaultHeader);
  if (!signature) throw unauthorized(`missing ${opts.signatureHeader} signature`);
  const mac = createHmac('sha256', opts.secret);
  if (opts.timestampHeader) {
    const ts = header(opts.timestampHeader);
    if (!ts || !/^\d{1,12}$/.test(ts)) throw unauthorized(`missing or malformed ${opts.timestampHeader} timestamp`);
    if (Math.abs(now - Number(ts) * 1000) > opts.replayWindowMs) {
      throw unauthorized(`${opts.timestampHeader} is outside the replay window`);
    }
    mac.update(`${ts}:`);
  }
  const expected = mac.update(rawBody).digest();
  const given = Buffer.from(signature.trim().replace(/^sha256=/i, ''), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw unauthorized('signature does not match the request body');
  }
}
