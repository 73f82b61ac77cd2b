import { presentHeartbeat } from '../api/heartbeats.js';
import { loadConfig } from '../config/load.js';
import { InhibitionIndex } from '../rules/inhibition.js';
import { loadRuleSet } from '../rules/ruleset.js';
import { SilenceBook } from '../rules/silences.js';
import { findSuppression } from '../rules/suppression.js';
import { shortTime } from './io.js';
import { openReadStore } from './read-store.js';
import { roughDuration } from '../time/duration.js';
import { textTable } from '../reports/text-table.js';

export interface HeartbeatsIo {
  out?: (text: string) => void;
  err?: (text: string) => void;
  now?: number;
}

/**
 * `vigil heartbeats`: every monitor with its state, last ping and next due time, read from the database Vigil
 * writes (read-only), as GET /api/v1/heartbeats shows them. Returns the exit code.
 */
export async function heartbeats(opts: { json?: boolean }, io: HeartbeatsIo = {}): Promise<number> {
  const out = io.out ?? ((text: string) => void process.stdout.write(text));
  const err = io.err ?? ((text: string) => void process.stderr.write(text));
  const now = io.now ?? Date.now();
  const config = loadConfig();
  const store = await openReadStore(config, err);
  if (!store) return 1;
  try {
    const rules = loadRuleSet(config.rules.dir);
    const silences = new SilenceBook();
    silences.load(await store.listSilences(now));
    const muted = (labels: Record<string, string>) =>
      findSuppression({ rules, silences, inhibition: new InhibitionIndex() }, { labels, annotations: {}, fingerprint: '' }, now)?.reason ?? null;
    const shown = (await store.listHeartbeats()).map((row) => presentHeartbeat(row, muted));
    if (opts.json) {
      out(`${JSON.stringify({ heartbeats: shown }, null, 2)}\n`);
      return 0;
    }
    if (shown.length === 0) {
      out('no heartbeat monitors (define them under heartbeats: in rules/, or POST /api/v1/heartbeats)\n');
      return 0;
    }
    const when = (iso: string | null, past: boolean) => {
      if (iso === null) return '-';
      const ms = Date.parse(iso);
      const rel = past ? `${roughDuration(now - ms)} ago` : ms >= now ? `in ${roughDuration(ms - now)}` : `${roughDuration(now - ms)} overdue`;
      return `${shortTime(iso)} (${rel})`;
    };
    const rows = shown.map((h) => [h.name, h.muted ? 'paused (muted)' : h.state, when(h.lastPingAt, true), h.state === 'down' || h.paused ? '-' : when(h.nextDueAt, false), h.schedule ?? '?', h.grace ?? '?']);
    out(`${textTable(['NAME', 'STATE', 'LAST PING', 'NEXT DUE', 'SCHEDULE', 'GRACE'], rows)}\n`);
    return 0;
  } catch (e) {
    err(`${(e as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
