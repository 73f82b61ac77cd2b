import { DateTime } from 'luxon';
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { layOverrides } from '../overrides/stored-overrides.js';
import type { OncallOverrideRow } from '../store/types.js';
import { openReadStore } from './read-store.js';
import { parseInstant } from '../reports/period.js';
import { loadRuleSet, type RuleSet } from '../rules/ruleset.js';
import type { Team } from '../rules/schema.js';
import { shiftsBetween, teamOnCall, teamTierSchedules } from '../oncall/who-is-on-call.js';

export interface OncallOptions {
  team?: string;
  at?: string;
  until?: string;
}

/** On-call looks ahead: an unsigned offset (`7d`) is from now forward, `-2h` two hours ago (the reports' parser). */
function timeOption(name: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseInstant(text, now, 'forward');
  if (ms === undefined) throw new Error(`${name}: "${text}" is neither an RFC 3339 time, now, nor an offset from now (e.g. 7d, -2h)`);
  return ms;
}

/** An instant as the schedule's wall clock shows it, e.g. "Mon 2026-03-16 09:00 +01:00". */
function localTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).setLocale('en-US').toFormat('ccc yyyy-MM-dd HH:mm ZZ');
}

function personLabel(rules: RuleSet, id: string | null): string {
  if (id === null) return '(nobody)';
  const person = rules.people.get(id);
  return person ? `${person.name} (${id})` : id;
}

function layerLabel(shift: { layer: string | null; override: boolean }): string {
  return shift.override ? 'override' : (shift.layer ?? '-');
}

/** The overrides made through the API and CLI, from the database when there is one (read-only); none without. */
async function storedOverrides(config: Config, now: number): Promise<OncallOverrideRow[]> {
  if (!config.store.url && !existsSync(config.store.path)) return [];
  const store = await openReadStore(config, (text) => void process.stderr.write(`on-call overrides not read: ${text}`));
  if (!store) return [];
  try {
    // Those still running a year back, so --at in the past shows them too.
    return await store.listOverrides(now - 366 * 86_400_000);
  } catch (err) {
    // A database not migrated to this version yet has no overrides to show: the files' schedules still answer.
    process.stderr.write(`on-call overrides not read: ${(err as Error).message}\n`);
    return [];
  } finally {
    await store.close();
  }
}

/** Rows as columns padded to their widest cell. */
function table(rows: string[][], indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

/**
 * `vigil oncall`: who is on call per team and tier at a time (default now), and until when; with `until`,
 * every shift in between. Returns the exit code.
 */
export async function oncall(opts: OncallOptions): Promise<number> {
  const config = loadConfig();
  const now = Date.now();
  const rules = layOverrides(loadRuleSet(config.rules.dir), await storedOverrides(config, now));
  const at = timeOption('--at', opts.at, now) ?? now;
  const until = timeOption('--until', opts.until, now);
  if (until !== undefined && until <= at) throw new Error('--until: must be after --at (default: now)');

  let teams: Team[] = [...rules.teams.values()];
  if (opts.team !== undefined) {
    const team = rules.teams.get(opts.team);
    if (!team) throw new Error(`unknown team "${opts.team}" (teams: ${[...rules.teams.keys()].join(', ') || 'none'})`);
    teams = [team];
  }

  if (until === undefined) {
    const rows = [['team', 'tier', 'schedule', 'on call', 'layer', 'until']];
    for (const team of teams) {
      const onCall = teamOnCall(rules, team, at);
      if (onCall.length === 0) rows.push([team.name, '-', '(no schedules)', '', '', '']);
      for (const t of onCall) {
        const zone = rules.schedules.get(t.schedule)!.timeZone;
        rows.push([team.name, String(t.tier), t.schedule, personLabel(rules, t.person), layerLabel(t), localTime(t.shiftEnd, zone)]);
      }
    }
    console.log(`on call at ${new Date(at).toISOString()}\n\n${table(rows)}`);
    return 0;
  }

  const out = [`on call from ${new Date(at).toISOString()} until ${new Date(until).toISOString()}`];
  for (const team of teams) {
    const named = teamTierSchedules(rules, team);
    if (named.length === 0) out.push('', `${team.name}: no schedules`);
    for (const { tier, schedule } of named) {
      const rows = [['from', 'until', 'on call', 'layer']];
      for (const s of shiftsBetween(schedule, at, until, rules.people)) {
        rows.push([localTime(s.start, schedule.timeZone), localTime(s.end, schedule.timeZone), personLabel(rules, s.person), layerLabel(s)]);
      }
      out.push('', `${team.name} tier ${tier}: ${schedule.name} (${schedule.timeZone})`, table(rows, '  '));
    }
  }
  console.log(out.join('\n'));
  return 0;
}
