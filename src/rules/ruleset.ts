import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { severities, type Severity } from '../alerts/severity.js';
import { ConfigError, parseYamlFile, type Env } from '../config/yaml-file.js';
import { compileMatcher, parseMatchers, type CompiledMatcher } from './matchers.js';
import type { MaintenanceWindow } from './maintenance.js';
import type { Schedule } from '../schedule/schema.js';
import { rulesFileSchema, type EscalationPolicy, type InhibitRule, type Person, type Policy, type Rule, type Team } from './schema.js';

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
}

const ruleFile = /\.ya?ml$/;

/** Loads rules/*.yaml in name order; any problem throws ConfigError naming file, line and field. */
export function loadRuleSet(dir: string, env: Env = process.env): RuleSet {
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
  };
  const ruleOrigin = new Map<string, string>();
  const policyOrigin = new Map<Severity, string>();
  const teamOrigin = new Map<string, string>();
  const scheduleOrigin = new Map<string, string>();
  const escalationOrigin = new Map<string, string>();
  /** Where each escalation policy is named, to check the names once every file is read. */
  const escalationRefs: { name: string; where: string }[] = [];

  for (const f of files) {
    const file = shown(f);
    let parsed;
    try {
      parsed = parseYamlFile(rulesFileSchema, readFileSync(path.join(dir, f), 'utf8'), file, env);
    } catch (err) {
      if (err instanceof ConfigError) {
        problems.push(...err.problems);
        continue;
      }
      throw err;
    }
    for (const [severity, policy] of Object.entries(parsed.policies ?? {}) as [Severity, Policy][]) {
      const earlier = policyOrigin.get(severity);
      if (earlier) problems.push(`${file}: policies.${severity}: already defined in ${earlier}`);
      policyOrigin.set(severity, file);
      set.policies[severity] = policy;
      if (policy.escalation) escalationRefs.push({ name: policy.escalation, where: `${file}: policies.${severity}.escalation` });
    }
    for (const rule of parsed.rules ?? []) {
      const earlier = ruleOrigin.get(rule.name);
      if (earlier) problems.push(`${file}: rule "${rule.name}": name already used in ${earlier}`);
      ruleOrigin.set(rule.name, file);
      set.rules.push({ ...rule, file });
      const named = rule.set.policy?.escalation;
      if (named) escalationRefs.push({ name: named, where: `${file}: rule "${rule.name}" policy.escalation` });
    }
    for (const inhibit of parsed.inhibit_rules ?? []) set.inhibitRules.push({ ...inhibit, file });
    for (const person of parsed.people ?? []) {
      if (set.people.has(person.id)) problems.push(`${file}: person "${person.id}" is defined twice`);
      set.people.set(person.id, person);
    }
    for (const team of parsed.teams ?? []) {
      if (set.teams.has(team.name)) problems.push(`${file}: team "${team.name}" is defined twice`);
      set.teams.set(team.name, team);
      teamOrigin.set(team.name, file);
      if (team.escalation) escalationRefs.push({ name: team.escalation, where: `${file}: team "${team.name}" escalation` });
    }
    for (const schedule of parsed.schedules ?? []) {
      const earlier = scheduleOrigin.get(schedule.name);
      if (earlier) problems.push(`${file}: schedule "${schedule.name}": name already used in ${earlier}`);
      scheduleOrigin.set(schedule.name, file);
      set.schedules.set(schedule.name, schedule);
    }
    for (const policy of parsed.escalation_policies ?? []) {
      const earlier = escalationOrigin.get(policy.name);
      if (earlier) problems.push(`${file}: escalation policy "${policy.name}": name already used in ${earlier}`);
      escalationOrigin.set(policy.name, file);
      set.escalationPolicies.set(policy.name, policy);
    }
    if (parsed.defaultTeam) set.defaultTeam = parsed.defaultTeam;
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
  for (const team of set.teams.values()) {
    for (const id of [...team.members, ...Object.values(team.roles).flat()]) {
      if (!set.people.has(id)) problems.push(`${dir}: team "${team.name}" names "${id}", who is not in people`);
    }
  }
  for (const team of set.teams.values()) {
    for (const [tier, schedule] of Object.entries(team.schedules ?? {})) {
      if (schedule !== undefined && !set.schedules.has(schedule)) {
        problems.push(`${teamOrigin.get(team.name)}: team "${team.name}" schedules.${tier}: "${schedule}" is not a schedule`);
      }
    }
  }
  for (const schedule of set.schedules.values()) {
    const file = scheduleOrigin.get(schedule.name);
    for (const layer of schedule.layers) {
      for (const id of new Set(layer.participants)) {
        if (!set.people.has(id)) problems.push(`${file}: schedule "${schedule.name}" layer "${layer.name}" names "${id}", who is not in people`);
      }
    }
    for (const override of schedule.overrides) {
      if (!set.people.has(override.person)) {
        problems.push(`${file}: schedule "${schedule.name}" override names "${override.person}", who is not in people`);
      }
    }
  }
  for (const ref of escalationRefs) {
    if (!set.escalationPolicies.has(ref.name)) problems.push(`${ref.where}: "${ref.name}" is not an escalation policy`);
  }
  for (const policy of set.escalationPolicies.values()) {
    const file = escalationOrigin.get(policy.name);
    policy.tiers.forEach((tier, i) => {
      for (const t of tier.targets) {
        const where = `${file}: escalation policy "${policy.name}" tier ${i + 1}`;
        if ('schedule' in t && !set.schedules.has(t.schedule)) problems.push(`${where}: "${t.schedule}" is not a schedule`);
        if ('person' in t && !set.people.has(t.person)) problems.push(`${where}: "${t.person}" is not in people`);
        if ('team' in t && !set.teams.get(t.team)?.chat) problems.push(`${where}: team "${t.team}" does not exist or has no chat channel`);
      }
    });
  }
  if (set.defaultTeam && !set.teams.has(set.defaultTeam)) problems.push(`${dir}: defaultTeam "${set.defaultTeam}" is not a team`);
  if (problems.length === 0) {
    const missing = severities.filter((s) => !set.policies[s]);
    if (missing.length > 0) problems.push(`${dir}: no policy for severity ${missing.map((s) => `"${s}"`).join(', ')} in any rules file`);
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'), problems);
  return set;
}
