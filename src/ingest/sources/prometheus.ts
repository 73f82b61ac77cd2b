import { z } from 'zod';
import type { Alert } from '../../alerts/alert.js';
import { fingerprintLabels } from '../../alerts/fingerprint.js';
import { isWebLink } from '../../alerts/web-link.js';
import { annotationSet, labelSet, nonEmpty, url, type LabelNameRule } from './common.js';
import { time } from '../../time/rfc3339.js';

/** Alertmanager API v2 `postableAlerts`: what Prometheus sends to its alertmanagers, label names checked by `names`. */
export function postableAlertsSchema(names: LabelNameRule) {
  return z.array(
    z.object({
      labels: labelSet(names).describe('Label names to values: the alert\'s identity (at least one)'),
      annotations: annotationSet.optional().describe('Annotation names to values'),
      startsAt: time.optional().describe('Now (or endsAt) when absent'),
      endsAt: time.optional().describe('Absent: resolves after ingest.resolveTimeout unless sent again; in the past: resolved'),
      generatorURL: url.optional(),
    }),
  );
}

/** With Alertmanager's classic label names (`ingest.labelNames` default). */
export const postableAlerts = postableAlertsSchema('classic');

export type PostableAlerts = z.output<typeof postableAlerts>;

/** Problems Alertmanager itself rejects: an alert that ends before it starts. */
export function checkPostable(alerts: PostableAlerts): { field: string; problem: string }[] {
  const problems: { field: string; problem: string }[] = [];
  alerts.forEach((a, i) => {
    if (a.startsAt != null && a.endsAt != null && a.endsAt < a.startsAt) {
      problems.push({ field: `[${i}].endsAt`, problem: 'end time must not be before start time' });
    }
  });
  return problems;
}

/**
 * Alertmanager's rules for posted alerts: a missing startsAt is now (or endsAt); a missing endsAt means the
 * alert resolves after resolveTimeout unless refreshed; an endsAt in the past means resolved.
 */
export function normalizePrometheus(alerts: PostableAlerts, receivedAt: number, resolveTimeoutMs: number): Alert[] {
  return alerts.map((a) => {
    const startsAt = a.startsAt ?? a.endsAt ?? receivedAt;
    const endsAt = a.endsAt ?? receivedAt + resolveTimeoutMs;
    const resolved = endsAt <= receivedAt;
    return {
      fingerprint: fingerprintLabels(a.labels),
      source: 'prometheus',
      status: resolved ? 'resolved' : 'firing',
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt,
      endsAt,
      expiresAt: resolved ? null : endsAt,
      generatorURL: nonEmpty(a.generatorURL),
      links: isWebLink(a.generatorURL) ? [{ href: a.generatorURL, text: 'Source' }] : [],
      values: null,
      rawSeverity: a.labels.severity ?? null,
      receivedAt,
    } satisfies Alert;
  });
}
