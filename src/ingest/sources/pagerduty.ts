import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Alert, AlertLink } from '../../alerts/alert.js';
import { fingerprintLabels } from '../../alerts/fingerprint.js';
import { isWebLink } from '../../alerts/web-link.js';
import { jsonText, url } from './common.js';
import { time } from '../../time/rfc3339.js';

const text = (max: number) => z.string().min(1).max(max);

/** PagerDuty Events API v2 event (https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty). */
export const pagerDutyEvent = z
  .object({
    routing_key: text(128).describe('A routing key configured in ingest.pagerduty.routingKeys: it picks the service (and team) and authenticates the event'),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: text(255).optional().describe('One alert per dedup_key; required to acknowledge or resolve, made up for a trigger without one'),
    payload: z
      .object({
        summary: text(1024),
        source: text(255),
        severity: z.enum(['critical', 'error', 'warning', 'info']),
        timestamp: time.optional(),
        component: z.string().max(255).optional(),
        group: z.string().max(255).optional(),
        class: z.string().max(255).optional(),
        custom_details: jsonText.optional().describe('Free-form JSON, kept as the details annotation: its serialized text, bounded like any annotation'),
      })
      .optional(),
    images: z.array(z.object({ src: url, href: url.optional(), alt: z.string().max(1024).optional() })).max(50).optional(),
    links: z.array(z.object({ href: url, text: z.string().max(1024).optional() })).max(50).optional(),
    client: z.string().max(255).optional(),
    client_url: url.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.event_action === 'trigger' && !e.payload) {
      ctx.addIssue({ code: 'custom', path: ['payload'], message: 'required for trigger events' });
    }
    if (e.event_action !== 'trigger' && !e.dedup_key) {
      ctx.addIssue({ code: 'custom', path: ['dedup_key'], message: `required for ${e.event_action} events` });
    }
  });

export type PagerDutyEvent = z.output<typeof pagerDutyEvent>;

export interface RoutedService {
  service: string;
  team?: string | undefined;
}

export function newDedupKey(): string {
  return randomBytes(16).toString('hex');
}

/**
 * PagerDuty keeps one alert per (integration, dedup_key); so does Vigil. The routing key itself is a
 * credential and is never stored: the fingerprint is derived from the service it maps to.
 */
export function pagerDutyFingerprint(routed: RoutedService, dedupKey: string): string {
  return fingerprintLabels({ __pagerduty_service: routed.service, __pagerduty_dedup_key: dedupKey });
}

export function normalizePagerDutyTrigger(
  e: PagerDutyEvent,
  dedupKey: string,
  routed: RoutedService,
  receivedAt: number,
): Alert {
  const p = e.payload!;
  const labels: Record<string, string> = {
    alertname: dedupKey,
    dedup_key: dedupKey,
    service: routed.service,
    source: p.source,
    severity: p.severity,
  };
  if (routed.team) labels.team = routed.team;
  for (const key of ['component', 'group', 'class'] as const) if (p[key]) labels[key] = p[key]!;
  const annotations: Record<string, string> = { summary: p.summary };
  if (p.custom_details !== undefined) annotations.details = p.custom_details;
  if (e.client) annotations.client = e.client;
  const links: AlertLink[] = [];
  const add = (href: string, text: string) => {
    if (isWebLink(href)) links.push({ href, text });
  };
  for (const l of e.links ?? []) add(l.href, l.text ?? l.href);
  if (e.client_url) add(e.client_url, e.client ?? 'Source');
  for (const img of e.images ?? []) add(img.href ?? img.src, img.alt ?? 'Image');
  return {
    fingerprint: pagerDutyFingerprint(routed, dedupKey),
    source: 'pagerduty',
    status: 'firing',
    labels,
    annotations,
    startsAt: p.timestamp ?? receivedAt,
    endsAt: null,
    expiresAt: null,
    generatorURL: e.client_url ?? null,
    links,
    values: null,
    rawSeverity: p.severity,
    receivedAt,
  };
}
