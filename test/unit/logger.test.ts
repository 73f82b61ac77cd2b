import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';

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
});
