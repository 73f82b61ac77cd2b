import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fallbackTarget } from '../../src/notify/directory.js';
import { loadRuleSet } from '../../src/rules/ruleset.js';
import type { ChannelName } from '../../src/notify/types.js';

const rules = loadRuleSet(path.join(import.meta.dirname, '..', '..', 'rules'));
const providers: Record<ChannelName, string> = { voice: 'twilio', sms: 'twilio', chat: 'slack', email: 'smtp', webhook: 'webhook' };
const providerOf = (c: ChannelName) => providers[c];
const next = (failed: ChannelName, reached: ChannelName[] = [], person: string | null = 'alice') =>
  fallbackTarget(rules, person, failed, 'platform', { providerOf, reached: new Set(reached) })?.channel ?? null;

describe('where a failed page falls back to', () => {
  it('another provider first: a failed call goes to chat before SMS, which shares Twilio', () => {
    expect(next('voice')).toBe('chat');
    expect(next('sms')).toBe('chat');
    expect(next('chat')).toBe('email');
  });

  it('skips channels the person is already reached on, and comes to the same provider last', () => {
    expect(next('voice', ['chat'])).toBe('email');
    expect(next('voice', ['chat', 'email'])).toBe('sms');
    expect(next('voice', ['chat', 'email', 'sms'])).toBeNull();
    expect(next('email')).toBeNull();
  });

  it('a person without an address on a channel is not sent there; a team channel has no fallback', () => {
    // carol has email only.
    expect(fallbackTarget(rules, 'carol', 'voice', 'platform', { providerOf, reached: new Set() })?.channel).toBe('chat'); // the team's channel
    expect(fallbackTarget(rules, 'carol', 'voice', 'platform', { providerOf, reached: new Set(['chat']) })?.channel).toBe('email');
    expect(next('voice', [], null)).toBeNull();
  });
});
