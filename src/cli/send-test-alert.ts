import { severities, type Severity } from '../alerts/severity.js';
import { isSeverity, sampleWebhook, testAlertName } from './sample-alert.js';

export interface SendTestAlertOptions {
  /** Default: critical when firing; every severity's test alert when resolving. */
  severity?: string;
  url: string;
  token?: string;
  resolve?: boolean;
}

/** `vigil send-test-alert`: posts a sample Alertmanager webhook to a running Vigil. Returns the exit code. */
export async function sendTestAlert(opts: SendTestAlertOptions): Promise<number> {
  if (opts.severity !== undefined && !isSeverity(opts.severity)) {
    console.error(`unknown severity "${opts.severity}" (expected critical, warning, reminder or info)`);
    return 2;
  }
  const status = opts.resolve ? 'resolved' : 'firing';
  // Resolving without a severity resolves whichever test alerts are firing: resolving one that is not is a no-op.
  const which: readonly Severity[] = opts.severity !== undefined ? [opts.severity as Severity] : opts.resolve ? severities : ['critical'];
  const target = `${opts.url.replace(/\/+$/, '')}/api/v1/alerts/alertmanager`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(target, { method: 'POST', headers, body: JSON.stringify(sampleWebhook(which, status)) });
  } catch (err) {
    console.error(`could not reach Vigil at ${target}: ${(err as Error).message}`);
    return 1;
  }
  const text = await res.text();
  if (!res.ok) {
    console.error(`Vigil answered ${res.status}: ${text}`);
    return 1;
  }
  console.log(`sent ${status} ${which.map(testAlertName).join(', ')} to ${target}: ${res.status} ${text}`);
  return 0;
}
