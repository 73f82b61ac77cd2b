import { describe, expect, it } from 'vitest';
import type { NotificationRow } from '../../src/store/types.js';
import { oneSendPerBundle } from '../../src/notify/pipeline/bundle.js';
import { cancelReason, isStale } from '../../src/notify/pipeline/cancel-stale.js';
import { paced, RateLimiter } from '../../src/notify/pipeline/pace.js';
import { notifiedMessage } from '../../src/notify/pipeline/record.js';
import type { IncidentSummary } from '../../src/notify/types.js';

function row(over: Partial<NotificationRow>): NotificationRow {
  return {
    id: 1, incidentId: 1, kind: 'page', channel: 'email', person: 'alice', recipientName: 'Alice', address: 'a@example.com',
    idempotencyKey: 'k', status: 'pending', attempts: 0, dueAt: 0, bundleKey: null, fallbackOf: null, providerId: null,
    mode: null, threadRef: null, errorKind: null, lastError: null, createdAt: 0, updatedAt: 0, deliveredAt: null,
    ...over,
  };
}
const incident = (over: Partial<IncidentSummary>) => ({ id: 1, status: 'triggered', acknowledgedBy: null, resolvedBy: null, ...over }) as IncidentSummary;

describe('dispatch stages', () => {
  it('a bundle is sent once, by its first due member; unbundled rows all go', () => {
    const due = [row({ id: 1, bundleKey: 'email:a' }), row({ id: 2 }), row({ id: 3, bundleKey: 'email:a' }), row({ id: 4, bundleKey: 'email:b' }), row({ id: 5 })];
    expect(oneSendPerBundle(due).map((n) => n.id)).toEqual([1, 2, 4, 5]);
  });

  it('pacing lets one call through per second from the one number, and chat per channel', () => {
    const limiter = new RateLimiter();
    const rows = [row({ id: 1, channel: 'voice' }), row({ id: 2, channel: 'voice', address: '+2' }), row({ id: 3, channel: 'chat', address: 'C1' }), row({ id: 4, channel: 'chat', address: 'C2' }), row({ id: 5 }), row({ id: 6 })];
    expect(paced(limiter, rows, 0).map((n) => n.id)).toEqual([1, 3, 4, 5, 6]);
    expect(paced(limiter, rows.slice(1, 2), 999).map((n) => n.id)).toEqual([]);
    expect(paced(limiter, rows.slice(1, 2), 1000).map((n) => n.id)).toEqual([2]);
  });

  it('only a retried page of an answered incident is stale', () => {
    const answered = incident({ status: 'acknowledged' });
    expect(isStale({ row: row({ attempts: 1 }), incident: answered })).toBe(true);
    expect(isStale({ row: row({ attempts: 0 }), incident: answered })).toBe(false);
    expect(isStale({ row: row({ attempts: 1, kind: 'reminder' }), incident: answered })).toBe(false);
    expect(isStale({ row: row({ attempts: 1 }), incident: incident({}) })).toBe(false);
    expect(isStale({ row: row({ attempts: 1 }), incident: null })).toBe(false);
  });

  it('says who answered the incident a page was cancelled for', () => {
    expect(cancelReason(incident({ status: 'acknowledged', acknowledgedBy: 'alice' }), 'voice')).toBe('not sent: the incident was acknowledged by alice before voice delivered');
    expect(cancelReason(incident({ status: 'resolved', resolvedBy: null }), 'sms')).toBe('not sent: the incident was resolved before sms delivered');
  });

  it('the timeline line of a delivery says what, to whom, how and after how many attempts', () => {
    const n = { recipientName: 'Bob', channel: 'voice' };
    expect(notifiedMessage('page', n, 'live', 0)).toBe('page sent to Bob by voice');
    expect(notifiedMessage('bundle', n, 'log', 2)).toBe('bundled page sent to Bob by voice (log mode: no credentials) after 3 attempts');
  });
});
