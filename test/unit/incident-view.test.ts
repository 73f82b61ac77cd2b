import { describe, expect, it } from 'vitest';
import { presentIncident } from '../../src/api/present.js';
import { webhookBody } from '../../src/notify/channels/webhook.js';
import { summarize } from '../../src/notify/incident-summary.js';
import type { Delivery } from '../../src/notify/types.js';
import type { IncidentRow } from '../../src/store/types.js';

const row: IncidentRow = {
  id: 7,
  groupKey: 'g',
  title: 'web-1 is down',
  status: 'acknowledged',
  severity: 'critical',
  priority: 'P1',
  team: 'platform',
  service: 'node',
  source: 'alertmanager',
  alertCount: 2,
  firingCount: 2,
  suppressedCount: 0,
  pagedAt: Date.UTC(2026, 0, 1, 10, 0),
  policy: null,
  escalationTier: 1,
  escalationRound: 0,
  ackSlaBreached: false,
  resolveSlaBreached: false,
  holdUntil: null,
  selfHealed: false,
  flapping: false,
  reopenCount: 0,
  createdAt: Date.UTC(2026, 0, 1, 10, 0),
  updatedAt: Date.UTC(2026, 0, 1, 10, 5),
  acknowledgedAt: Date.UTC(2026, 0, 1, 10, 5),
  acknowledgedBy: 'alice',
  resolvedAt: null,
  resolvedBy: null,
};

const alert = (description: string, href: string) => ({ annotations: { description, runbook_url: href }, links: [] });

describe('one mapping of an incident', () => {
  it('the API shows the contract fields first, in their documented order', () => {
    expect(Object.keys(presentIncident(row)).slice(0, 13)).toEqual([
      'id', 'title', 'status', 'severity', 'priority', 'team', 'service', 'alertCount',
      'createdAt', 'acknowledgedAt', 'acknowledgedBy', 'resolvedAt', 'resolvedBy',
    ]);
    expect(presentIncident(row)).toMatchObject({ id: 7, status: 'acknowledged', createdAt: '2026-01-01T10:00:00.000Z', acknowledgedBy: 'alice' });
  });

  it('a message sees the brief, its alerts’ links and the first lines of their descriptions, each once', () => {
    const alerts = [alert('disk full', 'https://runbooks.example/disk'), alert('disk full', 'https://runbooks.example/disk'), alert('load high', 'javascript:alert(1)')];
    expect(summarize(row, alerts)).toEqual({
      id: 7,
      title: 'web-1 is down',
      status: 'acknowledged',
      severity: 'critical',
      priority: 'P1',
      team: 'platform',
      service: 'node',
      createdAt: row.createdAt,
      acknowledgedBy: 'alice',
      resolvedBy: null,
      alertCount: 2,
      links: [{ href: 'https://runbooks.example/disk', text: 'Runbook' }],
      details: ['disk full', 'load high'],
    });
    const many = Array.from({ length: 7 }, (_, n) => alert(`line ${n}`, ''));
    expect(summarize(row, many).details).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  });

  it('the webhook body carries the brief with createdAt as ISO 8601, in the documented order, and nothing a message adds', () => {
    const incident = { ...summarize(row, []), progress: { openForMs: 1, updates: [] }, remediation: ['runbook restart failed'] };
    const delivery: Delivery = {
      notificationId: 1,
      kind: 'reminder',
      channel: 'webhook',
      recipient: { person: null, name: 'webhook', address: 'https://hooks.example/vigil' },
      incident,
      rendered: { subject: 's', text: 't', html: '', sms: '', speech: '' },
      idempotencyKey: 'k',
      threadRef: null,
      actions: null,
    };
    const body = webhookBody(delivery, new Date(Date.UTC(2026, 0, 1, 11, 0)));
    expect(Object.keys(body)).toEqual(['version', 'kind', 'incident', 'subject', 'text', 'recipient', 'idempotencyKey', 'sentAt']);
    expect(Object.keys(body.incident!)).toEqual([
      'id', 'title', 'status', 'severity', 'priority', 'team', 'service', 'createdAt', 'acknowledgedBy', 'resolvedBy', 'alertCount', 'links',
    ]);
    expect(body.incident!.createdAt).toBe('2026-01-01T10:00:00.000Z');
  });
});
