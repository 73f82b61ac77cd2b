import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors/errors.js';
import { createLinkSigner } from '../../src/notify/link-signer.js';

const HOUR = 3_600_000;
const secret = 'a-long-random-link-secret';

function signer(opts: { secret?: string | Buffer; publicUrl?: string } = {}) {
  let t = 1_700_000_000_000;
  const s = createLinkSigner(opts.secret ?? secret, 24 * HOUR, opts.publicUrl ?? 'https://vigil.example.com', () => t);
  return { ...s, advance: (ms: number) => void (t += ms) };
}

const tokenOf = (link: string) => link.slice(link.lastIndexOf('/') + 1);

function refusal(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('unauthorized');
    return err as VigilError;
  }
  throw new Error('expected the token to be refused');
}

describe('signed action links', () => {
  it('round-trips action, incident and person', () => {
    const s = signer();
    const link = s.link('acknowledge', 12, 'alice');
    expect(link).toMatch(/^https:\/\/vigil\.example\.com\/api\/v1\/actions\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(s.verify(tokenOf(link))).toEqual({ action: 'acknowledge', incidentId: 12, person: 'alice' });
    expect(s.verify(tokenOf(s.link('resolve', 7, null)))).toEqual({ action: 'resolve', incidentId: 7, person: null });
  });

  it('takes a public URL with a trailing slash and a Buffer secret', () => {
    const s = signer({ publicUrl: 'https://vigil.example.com/ops/', secret: Buffer.from(secret) });
    const link = s.link('resolve', 3, 'bob');
    expect(link.startsWith('https://vigil.example.com/ops/api/v1/actions/')).toBe(true);
    // A string secret and the same bytes as a Buffer sign alike.
    expect(signer().verify(tokenOf(link))).toEqual({ action: 'resolve', incidentId: 3, person: 'bob' });
  });

  it('refuses a token whose claims were altered', () => {
    const s = signer();
    const [payload, sig] = tokenOf(s.link('acknowledge', 12, 'alice')).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, a: 'resolve' })).toString('base64url');
    expect(refusal(() => s.verify(`${forged}.${sig}`)).message).toMatch(/not valid/);
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
    refusal(() => s.verify(`${payload}.${flipped}`));
  });

  it('refuses a token signed with another secret', () => {
    const link = signer({ secret: 'another-secret' }).link('acknowledge', 12, 'alice');
    refusal(() => signer().verify(tokenOf(link)));
  });

  it('refuses garbled tokens', () => {
    const s = signer();
    for (const token of ['', 'abc', 'a.b.c', '..', '.', 'not base64!.%%%']) refusal(() => s.verify(token));
    // Correctly signed, but not a claims object Vigil issued.
    for (const claims of ['[]', 'null', '{"a":"delete","i":1,"p":null,"e":9e15}', '{"a":"resolve","i":-1,"p":null,"e":9e15}', 'not json']) {
      const payload = Buffer.from(claims).toString('base64url');
      const sig = createHmac('sha256', secret).update(payload).digest('base64url');
      refusal(() => s.verify(`${payload}.${sig}`));
    }
  });

  it('refuses an expired token and says so', () => {
    const s = signer();
    const token = tokenOf(s.link('acknowledge', 12, 'alice'));
    s.advance(24 * HOUR - 1);
    expect(s.verify(token).incidentId).toBe(12);
    s.advance(1);
    expect(refusal(() => s.verify(token)).message).toMatch(/expired/);
  });
});
