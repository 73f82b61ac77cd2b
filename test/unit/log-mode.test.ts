import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observe/logger.js';
import { LogChannel, withLogMode } from '../../src/notify/channels/log-mode.js';
import type { Channel, ChannelName, Delivery } from '../../src/notify/types.js';

const link = 'https://vigil.example.com/api/v1/actions/eyJhIjoiYWNrIn0.c2ln';

function delivery(channel: ChannelName): Delivery {
  return {
    notificationId: 7,
    kind: 'page',
    channel,
    recipient: { person: 'alice', name: 'Alice', address: channel === 'webhook' ? 'https://hooks.example/T0KEN' : '+15550100' },
    incident: null,
    rendered: { subject: 'CPU high', text: `CPU high\nAcknowledge: ${link}`, html: '', sms: `CPU high ${link}`, speech: 'CPU high' },
    idempotencyKey: 'n7',
    threadRef: 'T1',
    actions: null,
  };
}

/** A channel that must never be called: the wrapper stands in for it. */
function unconfigured(name: ChannelName, withUpdate = false): Channel & { calls: number } {
  const c = {
    name,
    provider: 'p-' + name,
    live: false,
    calls: 0,
    async send() {
      c.calls++;
      throw new Error('called');
    },
    ...(withUpdate ? { update: async () => void c.calls++ } : {}),
  };
  return c;
}

function logging() {
  const lines: string[] = [];
  return { lines, logger: createLogger('info', { write: (l: string) => void lines.push(l) }) };
}

describe('log mode', () => {
  it('a live channel is used as it is', () => {
    const live = { ...unconfigured('sms'), live: true };
    expect(withLogMode(live, createLogger('silent'))).toBe(live);
  });

  it('stands in for a channel without credentials under its name and provider, and never calls it', async () => {
    const { lines, logger } = logging();
    const sms = unconfigured('sms');
    const channel = withLogMode(sms, logger);
    expect(channel).toBeInstanceOf(LogChannel);
    expect([channel.name, channel.provider, channel.live]).toEqual(['sms', 'p-sms', false]);
    expect(await channel.send(delivery('sms'))).toEqual({ providerId: null, mode: 'log' });
    expect(sms.calls).toBe(0);
    expect(JSON.parse(lines[0]!)).toMatchObject({ channel: 'sms', notificationId: 7, mode: 'log', to: '+15550100', body: 'CPU high https://vigil.example.com/api/v1/actions/[redacted]' });
  });

  it('logs the form each channel would have sent, never a signed link nor a webhook address', async () => {
    const { lines, logger } = logging();
    for (const name of ['voice', 'sms', 'email', 'chat', 'webhook'] as const) await withLogMode(unconfigured(name), logger).send(delivery(name));
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged.map((l) => l.channel)).toEqual(['voice', 'sms', 'email', 'chat', 'webhook']);
    expect(logged[0]).toMatchObject({ speech: 'CPU high' });
    expect(logged[2]).toMatchObject({ subject: 'CPU high', text: 'CPU high\nAcknowledge: https://vigil.example.com/api/v1/actions/[redacted]' });
    expect(logged[3].msg).toContain('Acknowledge: https://vigil.example.com/api/v1/actions/[redacted]');
    expect(lines.join('')).not.toContain('eyJhIjoiYWNrIn0');
    expect(lines.join('')).not.toContain('T0KEN');
  });

  it('rewrites a message only where the channel itself could', async () => {
    const { lines, logger } = logging();
    expect(withLogMode(unconfigured('email'), logger).update).toBeUndefined();
    const chat = unconfigured('chat', true);
    const logged = withLogMode(chat, logger);
    // A follow-up in log mode stays in the thread it was asked to go to.
    expect(await logged.send(delivery('chat'))).toEqual({ providerId: null, mode: 'log', threadRef: 'T1' });
    lines.length = 0;
    await logged.update!(delivery('chat'), '1714564800.000100');
    expect(chat.calls).toBe(0);
    expect(JSON.parse(lines[0]!)).toMatchObject({ channel: 'chat', ts: '1714564800.000100', mode: 'log', msg: 'update: CPU high' });
  });
});
