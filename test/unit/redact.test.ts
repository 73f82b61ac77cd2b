import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observe/logger.js';
import { redactSecretLinks } from '../../src/observe/redact.js';

const token = 'eyJhIjoiYWNrbm93bGVkZ2UiLCJpIjoxMiwicCI6ImFsaWNlIiwiZSI6MTAwMH0.c2lnbmF0dXJlLWFjaw';

describe('redactSecretLinks', () => {
  it('redacts the token of an action path, alone or in a full link, wherever it stands in a text', () => {
    expect(redactSecretLinks(`/api/v1/actions/${token}`)).toBe('/api/v1/actions/[redacted]');
    expect(redactSecretLinks(`Acknowledge: https://vigil.example/api/v1/actions/${token}\nResolve: https://vigil.example/api/v1/actions/${token}x`)).toBe(
      'Acknowledge: https://vigil.example/api/v1/actions/[redacted]\nResolve: https://vigil.example/api/v1/actions/[redacted]',
    );
    expect(redactSecretLinks(`<a href="https://v/api/v1/actions/${token}">Ack</a>`)).toBe('<a href="https://v/api/v1/actions/[redacted]">Ack</a>');
    expect(redactSecretLinks(`<https://v/api/v1/actions/${token}|Ack>`)).toBe('<https://v/api/v1/actions/[redacted]|Ack>');
    expect(redactSecretLinks(`/api/v1/actions/${token}?x=1`)).toBe('/api/v1/actions/[redacted]?x=1');
  });

  it("redacts a heartbeat's ping key in a path, a full link or a message, and leaves name pings readable", () => {
    const key = 'k3y-0f-th3-b4ckup-j0b';
    expect(redactSecretLinks(`/ping/${key}`)).toBe('/ping/[redacted]');
    expect(redactSecretLinks(`/ping/${key}/256?x=1`)).toBe('/ping/[redacted]/256?x=1');
    expect(redactSecretLinks(`curl https://vigil.example:9095/ping/${key}/start`)).toBe('curl https://vigil.example:9095/ping/[redacted]/start');
    expect(redactSecretLinks(`ping refused: "/ping/${key}/fail"`)).toBe('ping refused: "/ping/[redacted]/fail"');
    expect(redactSecretLinks('/api/v1/heartbeats/backup/ping/start')).toBe('/api/v1/heartbeats/backup/ping/start');
    expect(redactSecretLinks(redactSecretLinks(`/ping/${key}`))).toBe('/ping/[redacted]');
  });

  it('leaves other paths and texts as they are, and is idempotent', () => {
    for (const text of ['/api/v1/incidents/12/acknowledge', 'https://runbooks.example/actions/restart', 'no links here', '/api/v1/actions/']) {
      expect(redactSecretLinks(text)).toBe(text);
    }
    expect(redactSecretLinks(redactSecretLinks(`/api/v1/actions/${token}`))).toBe('/api/v1/actions/[redacted]');
  });
});

describe('the logger', () => {
  it('redacts signed links in the message and in top-level fields of every line, children included', () => {
    let out = '';
    const sink = new Writable({ write(chunk, _enc, cb) { out += chunk; cb(); } });
    const logger = createLogger('info', sink).child({ component: 'notify' });
    logger.info({ text: `Acknowledge: https://v/api/v1/actions/${token}`, n: 1 }, `sent https://v/api/v1/actions/${token}`);
    logger.warn(`path /api/v1/actions/${token}`);
    expect(out).not.toContain(token);
    const [first, second] = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(first).toMatchObject({ text: 'Acknowledge: https://v/api/v1/actions/[redacted]', n: 1, msg: 'sent https://v/api/v1/actions/[redacted]', component: 'notify' });
    expect(second.msg).toBe('path /api/v1/actions/[redacted]');
  });
});
