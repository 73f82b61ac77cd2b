import { z } from 'zod';
import type { Alert, AlertLink } from '../../alerts/alert.js';
import { fromWebhookAlert, webhookAlertSchema } from './alertmanager.js';
import { isWebLink } from '../../alerts/web-link.js';
import { url } from './common.js';

/**
 * Grafana's own Alertmanager allows any Unicode in label names, spaces included (it rewrites them only for an
 * external Alertmanager), so this door takes well-formed UTF-8 names whatever `ingest.labelNames` says.
 */
const grafanaAlert = webhookAlertSchema('utf8').extend({
  values: z.record(z.string().max(256), z.union([z.number(), z.string().max(256), z.null()])).nullable().optional(),
  valueString: z.string().max(16_384).optional(),
  dashboardURL: url.optional(),
  panelURL: url.optional(),
  silenceURL: url.optional(),
  imageURL: url.optional(),
});

/** Grafana unified alerting's webhook contact point (version "1"). */
export const grafanaWebhook = z.object({
  version: z.string().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  orgId: z.number().optional(),
  title: z.string().optional(),
  externalURL: url.optional(),
  alerts: z.array(grafanaAlert),
});

export function normalizeGrafana(body: z.output<typeof grafanaWebhook>, receivedAt: number): Alert[] {
  return body.alerts.map((a) => {
    const alert = fromWebhookAlert(a, 'grafana', receivedAt);
    const links: AlertLink[] = [...alert.links];
    const add = (href: string | undefined, text: string) => {
      if (isWebLink(href)) links.push({ href, text });
    };
    add(a.dashboardURL, 'Dashboard');
    add(a.panelURL, 'Panel');
    add(a.silenceURL, 'Silence');
    add(a.imageURL, 'Image');
    return { ...alert, links, values: a.values ?? null };
  });
}
