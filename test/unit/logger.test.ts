import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observe/logger.js';

describe('logger', () => {
  it('never writes secrets', () => {
    let out = '';
    const sink = new Writable({ write(chunk, _enc, cb) { out += chunk; cb(); } });
    const logger = createLogger('info', sink);
    logger.info({
      twilio: { authToken: 'tw-secret', accountSid: 'AC1' },
      slack: { botToken: 'xoxb-secret', signingSecret: 'sl-secret' },
      smtp: { password: 'pw-secret' },
      grafana: { hmacSecret: 'gf-secret' },
      req: { headers: { authorization: 'Bearer api-secret', 'x-twilio-signature': 'sig-secret' } },
      event: { routing_key: 'pd-secret' },
    }, 'config');
    for (const secret of ['tw-secret', 'xoxb-secret', 'sl-secret', 'pw-secret', 'gf-secret', 'api-secret', 'sig-secret', 'pd-secret']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('AC1');
    expect(out).toContain('[redacted]');
  });

  it('pretty lines (for a terminal) are redacted too; auto writes JSON to anything but a terminal', () => {
    let out = '';
    const sink = new Writable({ write(chunk, _enc, cb) { out += chunk; cb(); } });
    createLogger('info', sink, 'pretty').info({ auth: { token: 'tok-secret', user: 'alice' }, slack: { botToken: 'xoxb-secret' } }, 'signed in');
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: signed in\n/);
    expect(out).toContain('alice');
    expect(out).not.toContain('tok-secret');
    expect(out).not.toContain('xoxb-secret');
    expect(out).toContain('[redacted]');
    expect(() => JSON.parse(out)).toThrow();

    out = '';
    createLogger('info', sink, 'auto').info({ auth: { token: 'tok-secret' } }, 'signed in');
    expect(JSON.parse(out)).toMatchObject({ msg: 'signed in', auth: { token: '[redacted]' } });
  });
});
