import { existsSync } from 'node:fs';
import { loadConfig, type Env } from '../config/load.js';
import { loadSummary } from '../reports/load.js';
import { isPeriodProblem, resolvePeriod } from '../reports/period.js';
import { renderSummaryText } from '../reports/render-text.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';

export interface ReportOptions {
  since?: string;
  until?: string;
  team?: string;
  tz?: string;
  json?: boolean;
}

export interface ReportIo {
  env?: Env;
  cwd?: string;
  /** Epoch ms for "now" (relative times count back from it). */
  now?: number;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

/**
 * `vigil report`: the figures the digests send, for any period, from the database Vigil writes
 * (VIGIL_DB or store.path of VIGIL_CONFIG), as a table or as the API's JSON. Returns the exit code.
 */
export async function report(opts: ReportOptions, io: ReportIo = {}): Promise<number> {
  const out = io.out ?? ((text: string) => void process.stdout.write(text));
  const err = io.err ?? ((text: string) => void process.stderr.write(text));
  const config = loadConfig(io.env ?? process.env, io.cwd ?? process.cwd());
  const period = resolvePeriod(opts, io.now ?? Date.now(), config.digests.timeZone);
  if (isPeriodProblem(period)) {
    err(`--${period.field}: ${period.problem}\n`);
    return 2;
  }
  if (!config.store.url && !existsSync(config.store.path)) {
    err(`no Vigil database at ${config.store.path} (set VIGIL_DB, or store.path in VIGIL_CONFIG)\n`);
    return 1;
  }
  let store: Store | undefined;
  try {
    // Read-only: a report never migrates, locks or writes the database Vigil serves.
    store = openStore(config.store, 'read');
    await store.opened();
  } catch (e) {
    await store?.close();
    err(`${(e as Error).message}\n`);
    return 1;
  }
  try {
    const summary = await loadSummary(store, {
      ...period,
      team: opts.team ?? null,
      targets: config.digests.targets,
      nightHours: config.digests.nightHours,
    });
    out(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummaryText(summary));
    return 0;
  } finally {
    await store.close();
  }
}
