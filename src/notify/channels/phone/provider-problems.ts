import type { Config } from '../../../config/schema.js';
import { twilioConfigured } from '../twilio-client.js';
import { aliyunConfigured, templateFields } from './aliyun-sms.js';
import { vonageConfigured } from './vonage.js';

/** Which providers have what they need to send, per channel (each provider's own test). */
function configured(n: Config['notify']): Record<'sms' | 'voice', Record<string, boolean>> {
  const twilio = twilioConfigured(n.twilio);
  return {
    sms: { twilio, aliyun: aliyunConfigured(n.aliyun), vonage: vonageConfigured(n.vonage, 'sms') },
    voice: { twilio, vonage: vonageConfigured(n.vonage, 'voice') },
  };
}

/**
 * Settings of the phone and SMS providers that cannot work as written: a route through a provider without its
 * credentials while others have theirs (its numbers would skip it unseen), an Alibaba Cloud template variable naming
 * no incident field, Vonage calls whose keypresses could not be verified. `vigil check-config` fails on them;
 * `vigil serve` warns.
 */
export function providerProblems(n: Config['notify']): string[] {
  const problems: string[] = [];
  const ready = configured(n);
  for (const channel of ['sms', 'voice'] as const) {
    const anyReady = Object.values(ready[channel]).some(Boolean);
    const lists: [string, readonly string[]][] = [[`notify.${channel}.providers`, n[channel].providers], ...n[channel].routes.map((r, i): [string, readonly string[]] => [`notify.${channel}.routes[${i}] (${r.prefix})`, r.providers])];
    for (const [where, providers] of lists) {
      for (const p of providers) {
        if (anyReady && !ready[channel][p]) problems.push(`${where}: ${p} has no credentials, so its numbers skip it (configure notify.${p} or remove it)`);
      }
    }
  }
  for (const [name, text] of Object.entries(n.aliyun.templateParams)) {
    for (const m of text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
      if (!(templateFields as readonly string[]).includes(m[1]!)) problems.push(`notify.aliyun.templateParams.${name}: unknown field "{{${m[1]}}}" (fields: ${templateFields.join(', ')})`);
    }
  }
  if (ready.voice.vonage && !n.vonage.signatureSecret) problems.push('notify.vonage.signatureSecret: not set, so keypresses on Vonage calls are refused (Vigil cannot verify them)');
  return problems;
}
