import { loadConfig, type Env } from '../config/load.js';
import { loadSummary } from '../reports/load.js';
import { isPeriodProblem, resolvePeriod } from '../reports/period.js';
import { renderSummaryText } from '../reports/render-text.js';
import { openReadStore } from './read-store.js';

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
  const store = await openReadStore(config, err);
  if (!store) return 1;
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
