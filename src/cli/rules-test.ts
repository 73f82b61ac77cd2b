import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig } from '../config/load.js';
import { evaluate, explain, matches } from '../rules/evaluate.js';
import { loadRuleSet } from '../rules/ruleset.js';
import { InhibitionIndex } from '../rules/inhibition.js';
import { SilenceBook } from '../rules/silences.js';
import { findSuppression } from '../rules/suppression.js';
import { fingerprintLabels } from '../alerts/fingerprint.js';
import { alertLabel } from '../rules/grouping.js';
import { parseTime } from '../time/rfc3339.js';
import { openStore, storeLabel } from '../store/open-store.js';
import type { Store } from '../store/types.js';

const alertShape = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).optional(),
  fingerprint: z.string().optional(),
});

type TestAlert = z.output<typeof alertShape>;

/** Accepts one alert, an array of them (Alertmanager API v2), or a webhook body with `alerts` (Alertmanager, Grafana). */
function alertsFrom(json: unknown): TestAlert[] {
  const candidates = Array.isArray(json) ? json : Array.isArray((json as { alerts?: unknown })?.alerts) ? (json as { alerts: unknown[] }).alerts : [json];
  if (candidates.length === 0) throw new Error('no alerts in the input');
  return candidates.map((candidate, i) => {
    const parsed = alertShape.safeParse(candidate);
    if (parsed.success) return parsed.data;
    const which = candidates.length > 1 ? `alert ${i + 1}: ` : '';
    throw new Error(`${which}expected an alert with "labels" (an object of strings), an array of alerts, or a webhook body`);
  });
}

function readInput(args: string[]): TestAlert[] {
  const pairs = args.filter((a) => /^[a-zA-Z_][\w.]*=/.test(a));
  if (pairs.length > 0) {
    const labels: Record<string, string> = {};
    const annotations: Record<string, string> = {};
    for (const p of pairs) {
      const i = p.indexOf('=');
      const name = p.slice(0, i);
      if (name.startsWith('annotations.')) annotations[name.slice(12)] = p.slice(i + 1);
      else labels[name] = p.slice(i + 1);
    }
    return [{ labels, annotations }];
  }
  const source = args[0] ?? '-';
  if (source !== '-' && !existsSync(source)) throw new Error(`${source}: no such file`);
  const text = readFileSync(source === '-' ? 0 : source, 'utf8');
  return alertsFrom(JSON.parse(text));
}

/**
 * `vigil rules test`: what the rules decide for each alert given, and whether it would be silenced, in maintenance
 * or inhibited (silences and firing alerts are read from the database when it exists).
 */
export async function rulesTest(args: string[], opts: { at?: string }): Promise<number> {
  const config = loadConfig();
  const rules = loadRuleSet(config.rules.dir);
  const alerts = readInput(args);
  const now = opts.at ? parseTime(opts.at) : Date.now();
  if (now == null) throw new Error(`--at: "${opts.at}" is not an RFC 3339 time`);

  const silences = new SilenceBook();
  const inhibition = new InhibitionIndex();
  let storeNote = 'no database: silences and inhibiting alerts not checked';
  if (config.store.url || existsSync(config.store.path)) {
    let store: Store | undefined;
    try {
      store = openStore(config.store, 'read');
      await store.opened();
    } catch (err) {
      await store?.close();
      store = undefined;
      storeNote = `${(err as Error).message}: silences and inhibiting alerts not checked`;
    }
    if (store) {
      try {
        silences.load(await store.listSilences(now));
        for (const a of await store.allFiringAlerts()) inhibition.add(rules, a.fingerprint, a.labels, alertLabel(a.labels));
        storeNote = `checked against ${storeLabel(config.store)}`;
      } finally {
        await store.close();
      }
    }
  }

  const blocks = alerts.map((alert, i) => {
    const annotations = alert.annotations ?? {};
    const decision = evaluate(rules, { labels: alert.labels, annotations, rawSeverity: alert.labels.severity ?? null }, config.incidents.groupBy);
    const fingerprint = alert.fingerprint ?? fingerprintLabels(alert.labels);
    const suppression = findSuppression({ rules, silences, inhibition }, { labels: alert.labels, annotations, fingerprint }, now);
    const heading = alerts.length > 1 ? `alert ${i + 1} of ${alerts.length}` : 'alert';
    // Only the rules files' monitors: those made through the API are in the database.
    const pings = rules.heartbeats.filter((h) => h.spec.matchers.length > 0 && matches(h.spec.matchers, { labels: alert.labels, annotations }));
    return [
      `${`${heading}:`.padEnd(12)} ${alertLabel(alert.labels)} ${JSON.stringify(alert.labels)}`,
      ...(pings.length > 0 ? [`heartbeat:   a ping of ${pings.map((h) => h.spec.name).join(', ')} when firing; never an incident (what follows applies without that heartbeat)`] : []),
      `rules:       ${decision.matchedRules.length ? decision.matchedRules.join(' → ') : '(none matched)'}`,
      `severity:    ${decision.severity} (${decision.severityFrom})`,
      `priority:    ${decision.priority}`,
      `team:        ${decision.team ?? '(none)'}${decision.teamNote ? ` (${decision.teamNote})` : ''}`,
      `service:     ${decision.service ?? '(none)'}`,
      `title:       ${decision.title}`,
      `runbooks:    ${decision.runbooks.length ? decision.runbooks.join(', ') : '(none)'}`,
      `channels:    ${decision.policy.notify.length ? decision.policy.notify.map((n) => `${n.role}: ${n.channels.join(', ')}`).join('; ') : 'nobody is paged (digest only)'}`,
      `suppressed:  ${suppression ? `${suppression.kind}: ${suppression.reason}` : 'no'} (${storeNote})`,
      '',
      `why: ${explain(decision)}`,
    ].join('\n');
  });
  const lines = [blocks.join('\n\n')];
  console.log(lines.join('\n'));
  return 0;
}
