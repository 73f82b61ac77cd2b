import { z } from 'zod';
import type { Alert } from '../../alerts/alert.js';
import { fingerprintLabels } from '../../alerts/fingerprint.js';
import { isWebLink } from '../../alerts/web-link.js';
import { annotationSet, labelSet, nonEmpty, url, type LabelNameRule } from './common.js';
import { time } from '../../time/rfc3339.js';

/** One alert as Alertmanager's webhook (version 4) and Grafana's webhook send it, with label names checked by `names`. */
export function webhookAlertSchema(names: LabelNameRule) {
  return z.object({
    status: z.enum(['firing', 'resolved']),
    labels: labelSet(names).describe('Label names to values: the alert\'s identity (at least one)'),
    annotations: annotationSet.optional().describe('Annotation names to values (summary, description, runbook_url…)'),
    startsAt: time,
    endsAt: time.optional().describe('For a resolved alert, when it ended (now when absent)'),
    generatorURL: url.optional(),
    fingerprint: z
      .string()
      .regex(/^[0-9a-zA-Z_-]{1,64}$/, 'must be 1-64 letters, digits, - or _')
      .optional()
      .describe("Sent by Alertmanager and Grafana; checked for shape but not used (Vigil computes the identity from the labels, as Alertmanager does)"),
  });
}

export function alertmanagerWebhookSchema(names: LabelNameRule) {
  return z.object({
    version: z.literal('4', { message: 'unsupported webhook version (expected "4")' }),
    status: z.enum(['firing', 'resolved']).optional(),
    receiver: z.string().optional(),
    groupKey: z.string().optional(),
    externalURL: url.optional(),
    truncatedAlerts: z.number().int().nonnegative().optional(),
    alerts: z.array(webhookAlertSchema(names)),
  });
}

/** With Alertmanager's classic label names (`ingest.labelNames` default). */
export const alertmanagerWebhook = alertmanagerWebhookSchema('classic');

export type WebhookAlert = z.output<ReturnType<typeof webhookAlertSchema>>;

/**
 * Common part of the two webhook formats. Alertmanager hides a firing alert's endsAt (zero time) and sends
 * an explicit resolved notification, so a firing webhook alert has no expiry of its own. The identity is
 * always computed from the labels (Alertmanager's own algorithm, so Alertmanager's ids come out the same):
 * a sender's `fingerprint` is not trusted, or two different alerts claiming one would be merged.
 */
export function fromWebhookAlert(a: WebhookAlert, source: Alert['source'], receivedAt: number): Alert {
  const labels = a.labels;
  const endsAt = a.status === 'resolved' ? (a.endsAt ?? receivedAt) : null;
  return {
    fingerprint: fingerprintLabels(labels),
    source,
    status: a.status,
    labels,
    annotations: a.annotations ?? {},
    startsAt: a.startsAt ?? receivedAt,
    endsAt,
    expiresAt: null,
    generatorURL: nonEmpty(a.generatorURL),
    links: isWebLink(a.generatorURL) ? [{ href: a.generatorURL, text: 'Source' }] : [],
    values: null,
    rawSeverity: labels.severity ?? null,
    receivedAt,
  };
}

export function normalizeAlertmanager(body: z.output<typeof alertmanagerWebhook>, receivedAt: number): Alert[] {
  return body.alerts.map((a) => fromWebhookAlert(a, 'alertmanager', receivedAt));
}
