import type { Alert } from '../alerts/alert.js';
import { fingerprintLabels } from '../alerts/fingerprint.js';
import type { HeartbeatSpec } from '../rules/heartbeat-spec.js';

/** The alertname of every heartbeat monitor's alert (rules, silences and maintenance windows match it). */
export const HEARTBEAT_ALERTNAME = 'HeartbeatDown';

/** The labels a monitor's alert carries: its own labels, then what identifies and routes it. */
export function heartbeatLabels(spec: HeartbeatSpec): Record<string, string> {
  return {
    ...spec.labels,
    alertname: HEARTBEAT_ALERTNAME,
    heartbeat: spec.name,
    severity: spec.severity,
    ...(spec.team ? { team: spec.team } : {}),
    ...(spec.service ? { service: spec.service } : {}),
  };
}

/**
 * The alert that fires while a monitor is down. It goes through the rules, suppression, incidents and paging like
 * any sender's; by default each monitor is its own incident (grouped by the heartbeat label) and runs its runbooks.
 */
export function firingAlert(spec: HeartbeatSpec, labels: Record<string, string>, fire: { title: string; details: string }, downSince: number, output: string | null, now: number): Alert {
  return {
    fingerprint: fingerprintLabels(labels),
    source: 'heartbeat',
    status: 'firing',
    labels,
    annotations: {
      summary: fire.title,
      description: fire.details,
      ...(spec.description ? { monitor: spec.description } : {}),
      ...(output ? { output } : {}),
    },
    startsAt: downSince,
    endsAt: null,
    // Only the monitor ends it: a good ping, a pause or its removal.
    expiresAt: null,
    generatorURL: null,
    links: [],
    values: null,
    rawSeverity: spec.severity,
    receivedAt: now,
    defaults: { groupBy: ['heartbeat'], runbooks: spec.runbooks },
  };
}

/** The alert that ends it: the same labels it fired with. */
export function resolvedAlert(labels: Record<string, string>, now: number): Alert {
  return {
    fingerprint: fingerprintLabels(labels),
    source: 'heartbeat',
    status: 'resolved',
    labels,
    annotations: {},
    startsAt: now,
    endsAt: now,
    expiresAt: null,
    generatorURL: null,
    links: [],
    values: null,
    rawSeverity: labels.severity ?? null,
    receivedAt: now,
  };
}
