import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { severities, type Severity } from '../alerts/severity.js';
import { ConfigError, parseYamlDocument, type Env, type Locator } from '../files/yaml-file.js';
import { compileMatcher, parseMatchers, type CompiledMatcher } from './matchers.js';
import type { MaintenanceWindow } from './maintenance.js';
import type { Schedule } from '../oncall/schema.js';
import type { FileHeartbeat } from './heartbeat-spec.js';
import { rulesFileSchema, type EscalationPolicy, type InhibitRule, type Person, type Policy, type Rule, type RulesFile, type Team } from './schema.js';

export type CompiledRule = Omit<Rule, 'match'> & { match: CompiledMatcher[]; file: string };
export type CompiledInhibitRule = Omit<InhibitRule, 'source_matchers' | 'target_matchers'> & {
  source_matchers: CompiledMatcher[];
  target_matchers: CompiledMatcher[];
  file: string;
};
export interface CompiledWindow {
  name: string;
  /** The window as parsed (its schedule functions cache on this object). */
  window: MaintenanceWindow;
  matchers: CompiledMatcher[];
  file: string;
}

/** Everything rules/ says, compiled once and then only read; a reload swaps the whole set. */
export interface RuleSet {
  dir: string;
  files: string[];
  rules: CompiledRule[];
  policies: Record<Severity, Policy>;
  inhibitRules: CompiledInhibitRule[];
  maintenance: CompiledWindow[];
  people: Map<string, Person>;
  teams: Map<string, Team>;
  defaultTeam: string | null;
  /** On-call schedules by name. */
  schedules: Map<string, Schedule>;
  /** Escalation policies by name. */
  escalationPolicies: Map<string, EscalationPolicy>;
  /** Where rules name runbooks, to check against the runbooks in force (at load and when either reloads). */
  runbookRefs: RuleReference[];
  /** Heartbeat monitors the files define. */
  heartbeats: FileHeartbeat[];
}

const ruleFile = /\.ya?ml$/;

/** Roles every policy may page: tier 1 of the escalation (or the team's lists) fills oncall and on-duty; team is every member. */
export const builtinRoles = ['oncall', 'on-duty', 'team'] as const;

/** What a name in a rules file points at. */
type RefKind = 'person' | 'team' | 'chat team' | 'schedule' | 'escalation policy' | 'role' | 'runbook';

/** A name standing somewhere in a rules file, checked once every file is read (it may point into another file). */
export interface RuleReference {
  kind: RefKind;
  name: string;
  /** `file:line:col: field.path`, the start of the problem line. */
  where: string;
}

export interface LoadRulesOptions {
  /** The runbooks rules may name; without it, runbook names are not checked (see runbookProblems). */
  runbooks?: ReadonlySet<string>;
}

/** Known names, shortened for a message. */
function known(names: Iterable<string>): string {
  const list = [...names];
  if (list.length === 0) return 'none defined';
  const shown = list.slice(0, 12).join(', ');
  return `known: ${list.length > 12 ? `${shown}, … ${list.length - 12} more` : shown}`;
}

function unknown(ref: RuleReference, names: Iterable<string>): string {
  return `${ref.where}: unknown ${ref.kind === 'chat team' ? 'team' : ref.kind} "${ref.name}" (${known(names)})`;
}

/** Rules naming runbooks that are not in `runbooks`: one problem per place, naming file, line and column. */
export function runbookProblems(set: Pick<RuleSet, 'runbookRefs'>, runbooks: ReadonlySet<string> | ReadonlyMap<string, unknown>): string[] {
  return set.runbookRefs.filter((ref) => !runbooks.has(ref.name)).map((ref) => unknown(ref, runbooks.keys()));
}

/** Loads rules/*.yaml in name order; any problem throws ConfigError naming file, line, column and field. */
export function loadRuleSet(dir: string, env: Env = process.env, options: LoadRulesOptions = {}): RuleSet {
  if (!existsSync(dir)) throw new ConfigError(`${dir}: rules directory not found`);
  const shown = (f: string) => path.relative(process.cwd(), path.join(dir, f)) || f;
  const files = readdirSync(dir).filter((f) => ruleFile.test(f)).sort();
  const problems: string[] = [];
  const set: RuleSet = {
    dir,
    files: files.map(shown),
    rules: [],
    policies: {} as RuleSet['policies'],
    inhibitRules: [],
    maintenance: [],
    people: new Map(),
    teams: new Map(),
    defaultTeam: null,
    schedules: new Map(),
    escalationPolicies: new Map(),
    runbookRefs: [],
    heartbeats: [],
  };
  const refs: RuleReference[] = [];
  /** Where each name was first defined ("file:line:col"), per kind, for the "defined twice" messages. */
  const defined = {
    policy: new Map<string, string>(),
    rule: new Map<string, string>(),
    person: new Map<string, string>(),
    team: new Map<string, string>(),
    schedule: new Map<string, string>(),
    escalation: new Map<string, string>(),
    defaultTeam: new Map<string, string>(),
    heartbeat: new Map<string, string>(),
  };

  let unparsed = false;
  for (const f of files) {
    const file = shown(f);
    let parsed: RulesFile;
    let locate: Locator;
    try {
      ({ value: parsed, locate } = parseYamlDocument(rulesFileSchema, readFileSync(path.join(dir, f), 'utf8'), file, env));
    } catch (err) {
      if (err instanceof ConfigError) {
        problems.push(...err.problems);
        unparsed = true;
        continue;
      }
      throw err;
    }
    const at = (p: (string | number)[]) => `${file}:${locate(p)}: ${p.join('.')}`;
    const ref = (kind: RefKind, name: string, p: (string | number)[]) => refs.push({ kind, name, where: at(p) });
    /** Records a definition; a second one with the same name is a problem naming both places. */
    const define = (kinds: Map<string, string>, what: string, name: string, p: (string | number)[]): boolean => {
      const earlier = kinds.get(name);
      if (earlier) {
        problems.push(`${at(p)}: ${what} is already defined at ${earlier}`);
        return false;
      }
      kinds.set(name, `${file}:${locate(p)}`);
      return true;
    };
    const notifyRefs = (notify: { role: string }[] | undefined, p: (string | number)[]) =>
      notify?.forEach((n, i) => ref('role', n.role, [...p, 'notify', i, 'role']));

    for (const [severity, policy] of Object.entries(parsed.policies ?? {}) as [Severity, Policy][]) {
      define(defined.policy, `the ${severity} policy`, severity, ['policies', severity]);
      set.policies[severity] = policy;
      notifyRefs(policy.notify, ['policies', severity]);
      if (policy.escalation) ref('escalation policy', policy.escalation, ['policies', severity, 'escalation']);
    }
    (parsed.rules ?? []).forEach((rule, i) => {
      define(defined.rule, `rule "${rule.name}"`, rule.name, ['rules', i, 'name']);
      set.rules.push({ ...rule, file });
      if (rule.set.team) ref('team', rule.set.team, ['rules', i, 'set', 'team']);
      if (rule.set.policy?.escalation) ref('escalation policy', rule.set.policy.escalation, ['rules', i, 'set', 'policy', 'escalation']);
      notifyRefs(rule.set.policy?.notify, ['rules', i, 'set', 'policy']);
      rule.set.runbooks?.forEach((name, j) => set.runbookRefs.push({ kind: 'runbook', name, where: at(['rules', i, 'set', 'runbooks', j]) }));
    });
    for (const inhibit of parsed.inhibit_rules ?? []) set.inhibitRules.push({ ...inhibit, file });
    (parsed.people ?? []).forEach((person, i) => {
      if (define(defined.person, `person "${person.id}"`, person.id, ['people', i, 'id'])) set.people.set(person.id, person);
    });
    (parsed.teams ?? []).forEach((team, i) => {
      if (define(defined.team, `team "${team.name}"`, team.name, ['teams', i, 'name'])) set.teams.set(team.name, team);
      team.members.forEach((id, j) => ref('person', id, ['teams', i, 'members', j]));
      for (const [role, ids] of Object.entries(team.roles)) ids.forEach((id, j) => ref('person', id, ['teams', i, 'roles', role, j]));
      if (team.escalation) ref('escalation policy', team.escalation, ['teams', i, 'escalation']);
      for (const [tier, schedule] of Object.entries(team.schedules ?? {})) {
        if (schedule !== undefined) ref('schedule', schedule, ['teams', i, 'schedules', tier]);
      }
    });
    (parsed.schedules ?? []).forEach((schedule, i) => {
      if (define(defined.schedule, `schedule "${schedule.name}"`, schedule.name, ['schedules', i, 'name'])) set.schedules.set(schedule.name, schedule);
      schedule.layers.forEach((layer, j) => layer.participants.forEach((id, k) => ref('person', id, ['schedules', i, 'layers', j, 'participants', k])));
      schedule.overrides.forEach((override, j) => ref('person', override.person, ['schedules', i, 'overrides', j, 'person']));
    });
    (parsed.escalation_policies ?? []).forEach((policy, i) => {
      if (define(defined.escalation, `escalation policy "${policy.name}"`, policy.name, ['escalation_policies', i, 'name'])) set.escalationPolicies.set(policy.name, policy);
      policy.tiers.forEach((tier, j) =>
        tier.targets.forEach((t, k) => {
          const p = ['escalation_policies', i, 'tiers', j, 'targets', k];
          if ('schedule' in t) ref('schedule', t.schedule, [...p, 'schedule']);
          if ('person' in t) ref('person', t.person, [...p, 'person']);
          if ('team' in t) ref('chat team', t.team, [...p, 'team']);
        }),
      );
    });
    if (parsed.defaultTeam) {
      if (define(defined.defaultTeam, 'a default team', 'defaultTeam', ['defaultTeam'])) set.defaultTeam = parsed.defaultTeam;
      ref('team', parsed.defaultTeam, ['defaultTeam']);
    }
    (parsed.heartbeats ?? []).forEach(({ spec, written }, i) => {
      if (!define(defined.heartbeat, `heartbeat "${spec.name}"`, spec.name, ['heartbeats', i, 'name'])) return;
      set.heartbeats.push({ spec, written, file });
      if (spec.team) ref('team', spec.team, ['heartbeats', i, 'team']);
      spec.runbooks.forEach((name, j) => set.runbookRefs.push({ kind: 'runbook', name, where: at(['heartbeats', i, 'runbooks', j]) }));
    });
    for (const window of parsed.maintenance ?? []) {
      // Already validated with line numbers by the schema; compiled here once.
      set.maintenance.push({
        name: window.name,
        window,
        matchers: (window.matchers ?? []).flatMap((m) => parseMatchers(m).map(compileMatcher)),
        file,
      });
    }
  }

  // A file that did not parse defines nothing: names pointing into it would all look unknown, so they wait for the fix.
  if (unparsed) throw new ConfigError(problems.join('\n'), problems);
  const roles = new Set<string>([...builtinRoles, ...[...set.teams.values()].flatMap((t) => Object.keys(t.roles))]);
  const names: Record<Exclude<RefKind, 'chat team' | 'runbook'>, ReadonlySet<string> | ReadonlyMap<string, unknown>> = {
    person: set.people,
    team: set.teams,
    schedule: set.schedules,
    'escalation policy': set.escalationPolicies,
    role: roles,
  };
  for (const r of refs) {
    if (r.kind === 'chat team') {
      const team = set.teams.get(r.name);
      if (!team) problems.push(unknown(r, set.teams.keys()));
      else if (!team.chat) problems.push(`${r.where}: team "${r.name}" has no chat channel to page (give it chat:)`);
    } else if (r.kind !== 'runbook' && !names[r.kind].has(r.name)) {
      problems.push(unknown(r, names[r.kind].keys()));
    }
  }
  if (options.runbooks) problems.push(...runbookProblems(set, options.runbooks));
  if (problems.length === 0) {
    const missing = severities.filter((s) => !set.policies[s]);
    if (missing.length > 0) problems.push(`${dir}: no policy for severity ${missing.map((s) => `"${s}"`).join(', ')} in any rules file`);
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'), problems);
  return set;
}
