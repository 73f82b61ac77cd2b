import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/files/yaml-file.js';
import type { GroupBy } from '../../src/rules/grouping.js';
import { evaluate, explain, type AlertFacts } from '../../src/rules/evaluate.js';
import { InhibitionIndex } from '../../src/rules/inhibition.js';
import { loadRuleSet, runbookProblems, type RuleSet } from '../../src/rules/ruleset.js';
import { SilenceBook, silenceState } from '../../src/rules/silences.js';
import { findSuppression } from '../../src/rules/suppression.js';

const shippedDir = path.join(import.meta.dirname, '..', '..', 'rules');
const policiesFile = '00-policies.yaml';
const policiesText = readFileSync(path.join(shippedDir, policiesFile), 'utf8');
const defaultGroupBy: GroupBy = ['alertname', ['service', 'job']];

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The teams the rules of these tests name, defining the roles the shipped policies page besides the built-in ones. */
const teamsFile = '01-teams.yaml';
const teamsText = `teams:
  - { name: ops, roles: { owner: [], management: [] } }
${['dba', 'platform', 'frontend', 'hit', 'a', 'b'].map((t) => `  - { name: ${t} }`).join('\n')}
`;

/** A rules directory with these files and the teams above, plus the shipped policies unless told otherwise. */
function ruleDir(files: Record<string, string>, { policies = true } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-rules-'));
  dirs.push(dir);
  if (policies) copyFileSync(path.join(shippedDir, policiesFile), path.join(dir, policiesFile));
  writeFileSync(path.join(dir, teamsFile), teamsText);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function load(files: Record<string, string>): RuleSet {
  return loadRuleSet(ruleDir(files), {});
}

/** How a file in dir is named in problems (relative to the working directory). */
function shown(dir: string, file: string): string {
  return path.relative(process.cwd(), path.join(dir, file));
}

function problemsOf(dir: string): string[] {
  try {
    loadRuleSet(dir, {});
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

function alert(labels: Record<string, string>, annotations: Record<string, string> = {}): AlertFacts {
  return { labels, annotations, rawSeverity: labels.severity ?? null };
}

function decide(set: RuleSet, labels: Record<string, string>, annotations: Record<string, string> = {}) {
  return evaluate(set, alert(labels, annotations), defaultGroupBy);
}

/** Whether a rule with this one matcher matches the alert. */
function matcherHits(matcher: string, labels: Record<string, string>, annotations: Record<string, string> = {}): boolean {
  const set = load({ '10-m.yaml': `rules:\n  - name: probe\n    match: ['${matcher}']\n    set:\n      team: hit\n` });
  return decide(set, labels, annotations).matchedRules.includes('probe');
}

describe('rule evaluation', () => {
  it('lets the first matching rule decide', () => {
    const set = load({
      '10-rules.yaml': `
rules:
  - name: db-critical
    match: 'service="db"'
    set:
      severity: critical
      team: dba
  - name: db-warning
    match: 'service="db"'
    set:
      severity: warning
      team: platform
`,
    });
    const d = decide(set, { alertname: 'DiskFull', service: 'db' });
    expect(d.severity).toBe('critical');
    expect(d.team).toBe('dba');
    expect(d.matchedRules).toEqual(['db-critical']);
  });

  it('skips rules that do not match', () => {
    const set = load({
      '10-rules.yaml': `
rules:
  - name: web
    match: 'service="web"'
    set: { team: frontend }
  - name: db
    match: 'service="db"'
    set: { team: dba }
`,
    });
    expect(decide(set, { service: 'db' }).matchedRules).toEqual(['db']);
    expect(decide(set, { service: 'db' }).team).toBe('dba');
  });

  it('with continue, lets later rules fill in only what is still unset', () => {
    const set = load({
      '10-rules.yaml': `
rules:
  - name: db-is-critical
    match: 'service="db"'
    set:
      severity: critical
    continue: true
  - name: db-belongs-to-dba
    match: 'service="db"'
    set:
      severity: info
      team: dba
  - name: never-reached
    match: 'service="db"'
    set:
      service: other
`,
    });
    const d = decide(set, { alertname: 'DiskFull', service: 'db', team: 'from-label' });
    expect(d.severity).toBe('critical');
    expect(d.severityFrom).toBe('rule db-is-critical');
    expect(d.team).toBe('dba');
    expect(d.service).toBe('db');
    expect(d.matchedRules).toEqual(['db-is-critical', 'db-belongs-to-dba']);
  });

  it('evaluates files in name order, whatever order they were written in', () => {
    const rule = (name: string, team: string) => `rules:\n  - name: ${name}\n    match: 'alertname="X"'\n    set:\n      team: ${team}\n`;
    const dir = ruleDir({ '20-b.yaml': rule('from-b', 'b'), '10-a.yaml': rule('from-a', 'a') });
    const set = loadRuleSet(dir, {});
    expect(set.files).toEqual([policiesFile, teamsFile, '10-a.yaml', '20-b.yaml'].map((f) => shown(dir, f)));
    expect(set.rules.map((r) => r.name)).toEqual(['from-a', 'from-b']);
    const d = decide(set, { alertname: 'X' });
    expect(d.team).toBe('a');
    expect(d.matchedRules).toEqual(['from-a']);
  });

  it('anchors regexes at both ends', () => {
    expect(matcherHits('alertname=~"Disk"', { alertname: 'DiskFull' })).toBe(false);
    expect(matcherHits('alertname=~"Disk"', { alertname: 'Disk' })).toBe(true);
    expect(matcherHits('alertname=~"Disk.*"', { alertname: 'DiskFull' })).toBe(true);
    expect(matcherHits('alertname=~"Full"', { alertname: 'DiskFull' })).toBe(false);
    expect(matcherHits('alertname=~"Disk|Memory"', { alertname: 'DiskFull' })).toBe(false);
  });

  it('supports != and !~, treating a missing label as empty', () => {
    expect(matcherHits('env!="prod"', { env: 'dev' })).toBe(true);
    expect(matcherHits('env!="prod"', { env: 'prod' })).toBe(false);
    expect(matcherHits('env!="prod"', {})).toBe(true);
    expect(matcherHits('env!=""', {})).toBe(false);
    expect(matcherHits('env!~"dev|test"', { env: 'prod' })).toBe(true);
    expect(matcherHits('env!~"dev|test"', { env: 'test' })).toBe(false);
    expect(matcherHits('env!~"dev|test"', { env: 'testing' })).toBe(true);
    expect(matcherHits('env!~"dev|test"', {})).toBe(true);
    expect(matcherHits('env=~".+"', {})).toBe(false);
  });

  it('requires every matcher of a rule to match', () => {
    const set = load({ '10-m.yaml': `rules:\n  - name: both\n    match: ['service="db"', 'env=~"prod|staging"']\n    set: { team: dba }\n` });
    expect(decide(set, { service: 'db', env: 'prod' }).matchedRules).toEqual(['both']);
    expect(decide(set, { service: 'db', env: 'dev' }).matchedRules).toEqual([]);
    expect(decide(set, { service: 'web', env: 'prod' }).matchedRules).toEqual([]);
  });

  it('matches annotations as annotations.<name>, not labels of that name', () => {
    expect(matcherHits('annotations.runbook=~"https://wiki/.*"', {}, { runbook: 'https://wiki/disk' })).toBe(true);
    expect(matcherHits('annotations.runbook=~"https://wiki/.*"', { runbook: 'https://wiki/disk' })).toBe(false);
    expect(matcherHits('annotations.summary="Disk full"', {}, { summary: 'Disk full' })).toBe(true);
    expect(matcherHits('annotations.summary!=""', {}, {})).toBe(false);
  });

  it('renders title templates from labels and annotations', () => {
    const set = load({
      '10-t.yaml': `
rules:
  - name: titled
    match: 'alertname="DiskFull"'
    set:
      title: 'Disk full on {{ labels.instance }}: {{annotations.summary}}'
`,
    });
    expect(decide(set, { alertname: 'DiskFull', instance: 'db-1' }, { summary: '95% used' }).title).toBe('Disk full on db-1: 95% used');
  });

  it('renders missing template values as empty, and falls back to the usual title when nothing is left', () => {
    const set = load({
      '10-t.yaml': `
rules:
  - name: partly
    match: 'alertname="A"'
    set:
      title: '{{ labels.instance }} is down ({{ labels.job }})'
  - name: empty
    match: 'alertname="B"'
    set:
      title: '{{ labels.nothere }}'
`,
    });
    expect(decide(set, { alertname: 'A', instance: 'web-1' }).title).toBe('web-1 is down ()');
    expect(decide(set, { alertname: 'B' }, { summary: 'Something broke' }).title).toBe('Something broke');
    expect(decide(set, { alertname: 'B', service: 'web' }).title).toBe('B on web');
  });

  it('takes the severity from the severity label when no rule sets it', () => {
    const set = load({ '10-r.yaml': 'rules:\n  - name: team-only\n    match: []\n    set: { team: ops }\n' });
    const d = decide(set, { alertname: 'X', severity: 'critical' });
    expect(d.severity).toBe('critical');
    expect(d.severityKnown).toBe(true);
    expect(d.severityFrom).toBe('sender severity "critical"');
    expect(decide(set, { alertname: 'X', severity: 'info' }).severity).toBe('info');
  });

  it('falls back to warning, marked unknown, when the severity label is missing or unknown', () => {
    const set = load({});
    const unknown = decide(set, { alertname: 'X', severity: 'loud' });
    expect(unknown.severity).toBe('warning');
    expect(unknown.severityKnown).toBe(false);
    expect(unknown.severityFrom).toBe('unknown severity "loud": warning');
    const missing = decide(set, { alertname: 'X' });
    expect(missing.severity).toBe('warning');
    expect(missing.severityKnown).toBe(false);
    expect(missing.severityFrom).toBe('no severity given: warning');
  });

  it('a rule severity wins over the label, and is known even when the label is not', () => {
    const set = load({ '10-r.yaml': 'rules:\n  - name: r\n    match: \'alertname="X"\'\n    set: { severity: reminder }\n' });
    const d = decide(set, { alertname: 'X', severity: 'loud' });
    expect(d.severity).toBe('reminder');
    expect(d.severityKnown).toBe(true);
  });

  it('takes team and service from labels (service, else job) when no rule sets them', () => {
    const set = load({});
    expect(decide(set, { team: 'dba', service: 'db', job: 'node' })).toMatchObject({ team: 'dba', service: 'db' });
    expect(decide(set, { job: 'node' })).toMatchObject({ team: null, service: 'node' });
    expect(decide(set, {})).toMatchObject({ team: null, service: null });
  });

  it("takes the priority from the severity's policy unless a rule sets it", () => {
    const set = load({
      '10-r.yaml': `
rules:
  - name: critical-default-priority
    match: 'alertname="A"'
    set: { severity: critical }
  - name: critical-but-p3
    match: 'alertname="B"'
    set: { severity: critical, priority: P3 }
`,
    });
    expect(decide(set, { alertname: 'A' }).priority).toBe('P1');
    const b = decide(set, { alertname: 'B' });
    expect(b.priority).toBe('P3');
    expect(b.policy.notify).toEqual(set.policies.critical.notify);
    expect(decide(set, { alertname: 'C', severity: 'warning' }).priority).toBe('P2');
    expect(decide(set, { alertname: 'C', severity: 'info' }).priority).toBe('P4');
  });

  it('merges a policy override into the policy, changing only the fields it names', () => {
    const set = load({
      '10-r.yaml': `
rules:
  - name: fast-ack
    match: 'service="payments"'
    set:
      severity: critical
      policy:
        ackSla: 5m
`,
    });
    const d = decide(set, { service: 'payments' });
    expect(d.policy).toEqual({ ...set.policies.critical, ackSla: 5 * 60_000 });
    expect(d.policy.resolveSla).toBe(4 * 3_600_000);
    expect(set.policies.critical.ackSla).toBe(15 * 60_000);
    // Other alerts of the same severity keep the policy as written.
    expect(decide(set, { service: 'web', severity: 'critical' }).policy).toEqual(set.policies.critical);
  });

  it('an override leaves the fields it does not name as the policy sets them, defaults included', () => {
    const policies = policiesText.replace('    renotify: none\n    bundleWindow: 0s', '    renotify: none\n    reackAfter: 1h\n    escalationRepeat: 2\n    bundleWindow: 0s');
    const set = loadRuleSet(
      ruleDir({ [policiesFile]: policies, '10-r.yaml': "rules:\n  - name: fast\n    match: 'service=\"payments\"'\n    set: { severity: critical, policy: { ackSla: 5m } }\n" }, { policies: false }),
      {},
    );
    expect(set.policies.critical).toMatchObject({ reackAfter: 3_600_000, escalationRepeat: 2 });
    expect(decide(set, { service: 'payments' }).policy).toMatchObject({ ackSla: 5 * 60_000, reackAfter: 3_600_000, escalationRepeat: 2, escalation: null });
  });

  it('with continue, the earlier rule decides each policy field; later rules fill in the rest', () => {
    const set = load({
      '10-r.yaml': `
rules:
  - name: first
    match: []
    set:
      policy: { ackSla: 5m }
    continue: true
  - name: second
    match: []
    set:
      policy: { ackSla: 10m, renotify: none, bundleWindow: 30s }
`,
    });
    const d = decide(set, { severity: 'warning' });
    expect(d.policy).toEqual({ ...set.policies.warning, ackSla: 5 * 60_000, renotify: null, bundleWindow: 30_000 });
  });

  it('takes groupBy from the rule, else the default', () => {
    const set = load({
      '10-r.yaml': `
rules:
  - name: k8s
    match: 'namespace!=""'
    set:
      groupBy: [alertname, [cluster, region], namespace]
`,
    });
    expect(decide(set, { namespace: 'shop' }).groupBy).toEqual(['alertname', ['cluster', 'region'], 'namespace']);
    expect(decide(set, {}).groupBy).toEqual(defaultGroupBy);
  });

  it('explains the decision: rules, severity source, who is notified how, and the ack SLA', () => {
    const set = load({
      '10-r.yaml': `
rules:
  - name: db-critical
    match: 'service="db"'
    set:
      severity: critical
      runbooks: ['https://wiki/db']
    continue: true
  - name: db-team
    match: 'service="db"'
    set:
      team: dba
`,
    });
    const text = explain(decide(set, { service: 'db' }));
    expect(text).toContain('severity critical (rule db-critical), priority P1');
    expect(text).toContain('rules: db-critical → db-team');
    expect(text).toContain('team dba, service db');
    expect(text).toContain('runbooks: https://wiki/db');
    expect(text).toContain('notify: oncall by voice, chat; on-duty by sms; management by email');
    expect(text).toContain('ack within 15m');
    expect(text).toContain('resolve within 4h');

    const info = explain(decide(set, { service: 'web', severity: 'info' }));
    expect(info).toContain('severity info (sender severity "info"), priority P4');
    expect(info).toContain('rules: (none matched)');
    expect(info).toContain('notify: nobody (digest only)');
    expect(info).toContain('ack within none');

    expect(explain(decide(set, { service: 'web', severity: 'loud' }))).toContain('severity warning (unknown severity "loud": warning)');
  });
});

describe('rule file errors', () => {
  it('names file, line and column of a bad matcher', () => {
    const dir = ruleDir({ '10-a.yaml': "rules:\n  - name: bad\n    match: 'severity~critical'\n" });
    expect(problemsOf(dir)).toEqual([
      `${shown(dir, '10-a.yaml')}:3:12: rules.0.match: invalid matcher "severity~critical": expected one of =, !=, =~, !~`,
    ]);
  });

  it('names the entry of a bad matcher in a list', () => {
    const dir = ruleDir({ '10-a.yaml': "rules:\n  - name: bad\n    match:\n      - 'service=\"db\"'\n      - 'team<>dba'\n" });
    expect(problemsOf(dir)).toEqual([expect.stringMatching(/^.*10-a\.yaml:\d+:\d+: rules\.0\.match: invalid matcher "team<>dba": expected one of/)]);
  });

  it('names an unknown field (a typo) at its key', () => {
    const dir = ruleDir({ '10-a.yaml': "rules:\n  - name: typo\n    match: 'service=\"db\"'\n    sett:\n      team: dba\n" });
    expect(problemsOf(dir)).toEqual([`${shown(dir, '10-a.yaml')}:4:5: rules.0.sett: unknown field`]);
  });

  it('names a bad duration in a policy', () => {
    const text = policiesText.replace('ackSla: 15m', 'ackSla: 15 minutes');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('ackSla: 15 minutes')) + 1;
    const col = lines[line - 1]!.indexOf('15 minutes') + 1;
    const dir = ruleDir({ [policiesFile]: text }, { policies: false });
    expect(problemsOf(dir)).toEqual([
      `${shown(dir, policiesFile)}:${line}:${col}: policies.critical.ackSla: invalid duration "15 minutes" (expected e.g. 30s, 15m, 4h, or none)`,
    ]);
  });

  it('names a bad duration in a rule policy override', () => {
    const dir = ruleDir({ '10-a.yaml': 'rules:\n  - name: r\n    set:\n      policy:\n        ackSla: soon\n' });
    expect(problemsOf(dir)).toEqual([`${shown(dir, '10-a.yaml')}:5:17: rules.0.set.policy.ackSla: invalid duration "soon" (expected e.g. 30s, 15m, 4h, or none)`]);
  });

  it('names a bad regex', () => {
    const dir = ruleDir({ '10-a.yaml': 'rules:\n  - name: r\n    match: \'alertname=~"(Disk"\'\n' });
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(new RegExp(`^${escapeRe(shown(dir, '10-a.yaml'))}:3:12: rules\\.0\\.match: invalid regex in matcher alertname=~"\\(Disk": `)),
    ]);
  });

  it('names an unknown severity value', () => {
    const dir = ruleDir({ '10-a.yaml': 'rules:\n  - name: r\n    set:\n      severity: urgent\n' });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${escapeRe(shown(dir, '10-a.yaml'))}:4:17: rules\\.0\\.set\\.severity: `));
    expect(problems[0]).toContain('critical');
  });

  it('names an unknown template reference', () => {
    const dir = ruleDir({ '10-a.yaml': "rules:\n  - name: r\n    set:\n      title: '{{ alert.name }} fired'\n" });
    expect(problemsOf(dir)).toEqual([expect.stringMatching(/10-a\.yaml:4:14: rules\.0\.set\.title: unknown template reference "\{\{ alert\.name \}\}"/)]);
  });

  it('rejects a rule name used in two files, naming both', () => {
    const rule = `rules:\n  - name: disk-full\n    match: 'alertname="DiskFull"'\n`;
    const dir = ruleDir({ '10-a.yaml': rule, '20-b.yaml': rule });
    const problems = problemsOf(dir);
    expect(problems).toEqual([`${shown(dir, '20-b.yaml')}:2:11: rules.0.name: rule "disk-full" is already defined at ${shown(dir, '10-a.yaml')}:2:11`]);
  });

  it('rejects a policy defined in two files', () => {
    const dir = ruleDir({ '10-more.yaml': policiesText });
    const at = where(policiesText, 'critical:');
    expect(problemsOf(dir)).toContain(`${shown(dir, '10-more.yaml')}:${at}: policies.critical: the critical policy is already defined at ${shown(dir, policiesFile)}:${at}`);
  });

  it('requires a policy for every severity', () => {
    const withoutInfo = policiesText.slice(0, policiesText.indexOf('  info:'));
    const dir = ruleDir({ [policiesFile]: withoutInfo }, { policies: false });
    expect(problemsOf(dir)).toEqual([`${dir}: no policy for severity "info" in any rules file`]);
    const empty = ruleDir({}, { policies: false });
    expect(problemsOf(empty)).toEqual([`${empty}: no policy for severity "critical", "warning", "reminder", "info" in any rules file`]);
  });

  it('names the line and column of a YAML syntax error', () => {
    const dir = ruleDir({ '10-a.yaml': 'rules:\n  - name: r\n    set:\n      team: a: b\n' });
    expect(problemsOf(dir)).toEqual([expect.stringMatching(new RegExp(`^${escapeRe(shown(dir, '10-a.yaml'))}:4:13: .*mappings`))]);
  });

  it('reports the problems of every file at once', () => {
    const dir = ruleDir({
      '10-a.yaml': "rules:\n  - name: a\n    match: 'severity~critical'\n",
      '20-b.yaml': 'rules:\n  - name: b\n    set:\n      severity: urgent\n',
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('10-a.yaml:3:12');
    expect(problems[1]).toContain('20-b.yaml:4:17');
  });

  it('reports a missing directory', () => {
    const dir = path.join(ruleDir({}), 'nope');
    expect(problemsOf(dir)).toEqual([`${dir}: rules directory not found`]);
  });
});

describe('references between rules files', () => {
  const people = 'people:\n  - { id: alice, name: Alice }\n  - { id: bob, name: Bob }\n';
  const schedule = 'schedules:\n  - name: primary\n    timeZone: UTC\n    layers:\n      - name: l\n        participants: [alice]\n        rotation: { every: daily, handoff: "09:00", start: "2026-03-02" }\n';

  it('an unknown role in a severity policy names file, line, column and the roles there are', () => {
    const text = policiesText.replace('- role: oncall ', '- role: oncal  ');
    const dir = ruleDir({ [policiesFile]: text }, { policies: false });
    expect(where(text, 'oncal ')).toBe('9:15');
    expect(problemsOf(dir)).toEqual([
      `${shown(dir, policiesFile)}:9:15: policies.critical.notify.0.role: unknown role "oncal" (known: oncall, on-duty, team, owner, management)`,
    ]);
  });

  it('knows the built-in roles and every role a team defines, in any file', () => {
    const rule = "rules:\n  - name: sec\n    set:\n      policy:\n        notify:\n          - { role: security, channels: [email] }\n          - { role: on-duty, channels: [sms] }\n";
    const set = load({ '10-r.yaml': rule, '90-sec.yaml': 'teams:\n  - { name: sec, roles: { security: [] } }\n' });
    expect(set.rules[0]!.set.policy?.notify?.map((n) => n.role)).toEqual(['security', 'on-duty']);
    const typo = rule.replace('role: security', 'role: secutiry');
    const dir = ruleDir({ '10-r.yaml': typo });
    expect(problemsOf(dir)).toEqual([
      `${shown(dir, '10-r.yaml')}:${where(typo, 'secutiry')}: rules.0.set.policy.notify.0.role: unknown role "secutiry" (known: oncall, on-duty, team, owner, management)`,
    ]);
  });

  it("a rule's team must be a team in the rules", () => {
    const text = "rules:\n  - name: pay\n    match: 'service=\"pay\"'\n    set: { severity: critical, team: paymnets }\n";
    const dir = ruleDir({ '10-r.yaml': text });
    expect(problemsOf(dir)).toEqual([
      `${shown(dir, '10-r.yaml')}:${where(text, 'paymnets')}: rules.0.set.team: unknown team "paymnets" (known: ops, dba, platform, frontend, hit, a, b)`,
    ]);
  });

  it('runbooks a rule names must be in the runbook set it is given, and are only recorded without one', () => {
    const text = "rules:\n  - name: down\n    set:\n      runbooks: [restart-service, scale-upp]\n";
    const dir = ruleDir({ '10-r.yaml': text });
    expect(() => loadRuleSet(dir, {}, { runbooks: new Set(['restart-service', 'scale-up']) })).toThrow(
      `${shown(dir, '10-r.yaml')}:${where(text, 'scale-upp')}: rules.0.set.runbooks.1: unknown runbook "scale-upp" (known: restart-service, scale-up)`,
    );
    const set = loadRuleSet(dir, {});
    expect(set.runbookRefs.map((r) => r.name)).toEqual(['restart-service', 'scale-upp']);
    expect(runbookProblems(set, new Set(['scale-upp']))).toEqual([
      `${shown(dir, '10-r.yaml')}:${where(text, 'restart-service')}: rules.0.set.runbooks.0: unknown runbook "restart-service" (known: scale-upp)`,
    ]);
    expect(runbookProblems(set, new Set())).toHaveLength(2);
    expect(runbookProblems(set, new Set(['restart-service', 'scale-upp']))).toEqual([]);
  });

  it('team members and role holders must be people', () => {
    const text = `${people}teams:\n  - name: web\n    members: [alice, carol]\n    roles: { oncall: [bob], management: [dave] }\n`;
    const dir = ruleDir({ '20-people.yaml': text });
    expect(problemsOf(dir)).toEqual([
      `${shown(dir, '20-people.yaml')}:${where(text, 'carol')}: teams.0.members.1: unknown person "carol" (known: alice, bob)`,
      `${shown(dir, '20-people.yaml')}:${where(text, 'dave')}: teams.0.roles.management.0: unknown person "dave" (known: alice, bob)`,
    ]);
  });

  it("a team's escalation policy and tier schedules must exist", () => {
    const text = `${people}teams:\n  - name: web\n    escalation: web-tiers\n    schedules: { tier1: primary, tier2: secondry }\n`;
    const dir = ruleDir({ '20-people.yaml': text, '30-s.yaml': schedule });
    expect(problemsOf(dir)).toEqual([
      `${shown(dir, '20-people.yaml')}:${where(text, 'web-tiers')}: teams.0.escalation: unknown escalation policy "web-tiers" (none defined)`,
      `${shown(dir, '20-people.yaml')}:${where(text, 'secondry')}: teams.0.schedules.tier2: unknown schedule "secondry" (known: primary)`,
    ]);
  });

  it('escalation targets must be schedules, people and teams with a chat channel', () => {
    const text =
      'escalation_policies:\n  - name: tiers\n    tiers:\n      - targets: [{ schedule: primray }, { person: bobb }]\n      - targets: [{ team: web }, { team: dba }, { team: nope }]\n';
    const dir = ruleDir({ '20-people.yaml': `${people}teams:\n  - { name: web, chat: "#web" }\n`, '25-e.yaml': text, '30-s.yaml': schedule });
    const file = shown(dir, '25-e.yaml');
    expect(problemsOf(dir)).toEqual([
      `${file}:${where(text, 'primray')}: escalation_policies.0.tiers.0.targets.0.schedule: unknown schedule "primray" (known: primary)`,
      `${file}:${where(text, 'bobb')}: escalation_policies.0.tiers.0.targets.1.person: unknown person "bobb" (known: alice, bob)`,
      `${file}:${where(text, 'dba')}: escalation_policies.0.tiers.1.targets.1.team: team "dba" has no chat channel to page (give it chat:)`,
      `${file}:${where(text, 'nope')}: escalation_policies.0.tiers.1.targets.2.team: unknown team "nope" (known: ops, dba, platform, frontend, hit, a, b, web)`,
    ]);
  });

  it('escalation policies named by severity policies and rules must exist', () => {
    const policies = policiesText.replace('    digest: true\n\n  warning:', '    digest: true\n    escalation: critcal-tiers\n\n  warning:');
    const rule = 'rules:\n  - name: r\n    set:\n      policy: { escalation: fast }\n';
    const dir = ruleDir({ [policiesFile]: policies, '10-r.yaml': rule }, { policies: false });
    expect(problemsOf(dir)).toEqual([
      `${shown(dir, policiesFile)}:${where(policies, 'critcal-tiers')}: policies.critical.escalation: unknown escalation policy "critcal-tiers" (none defined)`,
      `${shown(dir, '10-r.yaml')}:${where(rule, 'fast')}: rules.0.set.policy.escalation: unknown escalation policy "fast" (none defined)`,
    ]);
  });

  it('defaultTeam must be a team, and is set once', () => {
    const dir = ruleDir({ '20-a.yaml': 'defaultTeam: platfrom\n' });
    expect(problemsOf(dir)).toEqual([`${shown(dir, '20-a.yaml')}:1:14: defaultTeam: unknown team "platfrom" (known: ops, dba, platform, frontend, hit, a, b)`]);
    const twice = ruleDir({ '20-a.yaml': 'defaultTeam: platform\n', '30-b.yaml': '\ndefaultTeam: ops\n' });
    expect(problemsOf(twice)).toEqual([`${shown(twice, '30-b.yaml')}:2:14: defaultTeam: a default team is already defined at ${shown(twice, '20-a.yaml')}:1:14`]);
  });

  it('people and teams defined twice name both places', () => {
    const dir = ruleDir({ '20-a.yaml': people, '21-b.yaml': 'people:\n  - { id: bob, name: Robert }\nteams:\n  - { name: dba }\n' });
    expect(problemsOf(dir)).toEqual([
      `${shown(dir, '21-b.yaml')}:2:11: people.0.id: person "bob" is already defined at ${shown(dir, '20-a.yaml')}:3:11`,
      `${shown(dir, '21-b.yaml')}:4:13: teams.0.name: team "dba" is already defined at ${shown(dir, teamsFile)}:3:13`,
    ]);
  });

  it('a name defined twice and an unknown name are reported together', () => {
    const dir = ruleDir({ '20-a.yaml': people, '21-b.yaml': `${people}`, '30-r.yaml': 'rules:\n  - name: r\n    set: { team: nope }\n' });
    expect(problemsOf(dir).map((p) => p.replaceAll(shown(dir, '') + path.sep, ''))).toEqual([
      '21-b.yaml:2:11: people.0.id: person "alice" is already defined at 20-a.yaml:2:11',
      '21-b.yaml:3:11: people.1.id: person "bob" is already defined at 20-a.yaml:3:11',
      '30-r.yaml:3:18: rules.0.set.team: unknown team "nope" (known: ops, dba, platform, frontend, hit, a, b)',
    ]);
  });

  it('a name may point into a later file', () => {
    const set = load({
      '10-r.yaml': 'rules:\n  - name: r\n    set: { team: web, policy: { escalation: web } }\n',
      '90-web.yaml': `${people}teams:\n  - { name: web, chat: "#web", members: [alice], escalation: web }\nescalation_policies:\n  - name: web\n    tiers:\n      - targets: [{ person: bob }, { team: web }]\n`,
    });
    expect(set.rules[0]!.set.team).toBe('web');
    expect(set.teams.get('web')?.escalation).toBe('web');
  });

  it('a file that does not parse holds back the reference checks, so its names are not reported as unknown', () => {
    const dir = ruleDir({ '10-r.yaml': 'rules:\n  - name: r\n    set: { team: web }\n', '90-web.yaml': 'teams:\n  - { name: web, chatt: "#web" }\n' });
    expect(problemsOf(dir)).toEqual([`${shown(dir, '90-web.yaml')}:2:18: teams.0.chatt: unknown field`]);
  });

  it('an unknown channel in an escalation target names its own line, not just the target', () => {
    const text = 'escalation_policies:\n  - name: tiers\n    tiers:\n      - targets:\n          - { person: alice, channels: [sms, pager] }\n';
    const dir = ruleDir({ '20-people.yaml': people, '25-e.yaml': text });
    expect(problemsOf(dir)).toEqual([
      `${shown(dir, '25-e.yaml')}:${where(text, 'pager')}: escalation_policies.0.tiers.0.targets.0.channels.1: Invalid option: expected one of "voice"|"sms"|"email"|"chat"|"webhook"`,
    ]);
  });

  it('an unknown channel names its line', () => {
    const text = policiesText.replace('channels: [voice, chat]', 'channels: [voice, slack]');
    const dir = ruleDir({ [policiesFile]: text }, { policies: false });
    expect(problemsOf(dir)).toEqual([expect.stringMatching(new RegExp(`^${escapeRe(shown(dir, policiesFile))}:${where(text, 'slack')}: policies\\.critical\\.notify\\.0\\.channels\\.1: .*"voice"`))]);
  });
});

describe('shipped rules', () => {
  const set = loadRuleSet(shippedDir, {});

  it('load without error', () => {
    expect(set.rules.map((r) => r.name)).toEqual(['instance-down', 'error-rate', 'api-latency', 'watchdog', 'default']);
    expect(Object.keys(set.policies).sort()).toEqual(['critical', 'info', 'reminder', 'warning']);
    expect(set.inhibitRules.map((r) => r.name)).toEqual(['instance-down-mutes-its-warnings']);
  });

  it('make InstanceDown critical with a title naming the instance and job', () => {
    const d = decide(set, { alertname: 'InstanceDown', instance: 'web-1:9100', job: 'node', severity: 'warning' });
    expect(d).toMatchObject({ severity: 'critical', severityFrom: 'rule instance-down', priority: 'P1', title: 'web-1:9100 is down (node)' });
    expect(d.matchedRules).toEqual(['instance-down']);
    expect(d.policy.ackSla).toBe(15 * 60_000);
  });

  it('make HighErrorRate critical', () => {
    expect(decide(set, { alertname: 'HighErrorRate', severity: 'warning' }).severity).toBe('critical');
  });

  it('make the Watchdog info, paging nobody', () => {
    const d = decide(set, { alertname: 'Watchdog', severity: 'none' });
    expect(d).toMatchObject({ severity: 'info', priority: 'P4' });
    expect(d.policy.notify).toEqual([]);
    expect(decide(set, { alertname: 'DeadMansSwitch' }).severity).toBe('info');
  });

  it('take the severity label of other alerts: page is critical', () => {
    const d = decide(set, { alertname: 'QueueBacklog', severity: 'page', service: 'orders' });
    expect(d).toMatchObject({ severity: 'critical', severityKnown: true, severityFrom: 'sender severity "page"', priority: 'P1', service: 'orders' });
    expect(d.matchedRules).toEqual(['default']);
    expect(d.title).toBe('QueueBacklog on orders');
  });
});

/** line:column of the first `needle` in `text` (after `after`, when given), as problems name it. */
function where(text: string, needle: string, after = ''): string {
  const index = text.indexOf(needle, after ? text.indexOf(after) : 0);
  if (index < 0) throw new Error(`"${needle}" is not in the text`);
  const before = text.slice(0, index).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('inhibition', () => {
  const set = load({
    '10-inhibit.yaml': `
inhibit_rules:
  - name: down-mutes-warnings
    source_matchers: 'alertname="InstanceDown"'
    target_matchers: 'severity="warning"'
    equal: [instance]
`,
  });
  const down = { alertname: 'InstanceDown', instance: 'db-1:9100', severity: 'critical' };
  const warning = { alertname: 'HighLoad', instance: 'db-1:9100', severity: 'warning' };

  function context(index: InhibitionIndex) {
    return { rules: set, silences: new SilenceBook(), inhibition: index };
  }

  it('mutes a warning on the same instance while the source fires, and not after it is removed', () => {
    const index = new InhibitionIndex();
    expect(index.add(set, 'fp-down', down, 'InstanceDown{db-1:9100}')).toBe(true);
    expect(index.inhibitor(set, 'fp-warning', warning)).toEqual({ rule: 'down-mutes-warnings', source: 'InstanceDown{db-1:9100}' });
    expect(findSuppression(context(index), { fingerprint: 'fp-warning', labels: warning, annotations: {} }, Date.now())).toEqual({
      kind: 'inhibited',
      id: 'down-mutes-warnings',
      reason: 'inhibited by InstanceDown{db-1:9100} (inhibit rule "down-mutes-warnings")',
      until: null,
    });
    index.remove('fp-down');
    expect(index.inhibitor(set, 'fp-warning', warning)).toBeNull();
    expect(findSuppression(context(index), { fingerprint: 'fp-warning', labels: warning, annotations: {} }, Date.now())).toBeNull();
  });

  it('does not mute a warning on another instance, or an alert the target matchers do not match', () => {
    const index = new InhibitionIndex();
    index.add(set, 'fp-down', down, 'InstanceDown{db-1:9100}');
    expect(index.inhibitor(set, 'fp-other', { ...warning, instance: 'db-2:9100' })).toBeNull();
    const { instance: _instance, ...noInstance } = warning;
    expect(index.inhibitor(set, 'fp-other', noInstance)).toBeNull();
    expect(index.inhibitor(set, 'fp-crit', { ...warning, severity: 'critical' })).toBeNull();
  });

  it('does not index alerts that match no source', () => {
    const index = new InhibitionIndex();
    expect(index.add(set, 'fp-warning', warning, 'HighLoad{db-1:9100}')).toBe(false);
    expect(index.inhibitor(set, 'fp-other', { ...warning, alertname: 'HighMemory' })).toBeNull();
  });

  it('never lets an alert inhibit itself, nor two alerts that match both sides each other', () => {
    const index = new InhibitionIndex();
    const both = { alertname: 'InstanceDown', instance: 'db-1:9100', severity: 'warning' };
    index.add(set, 'fp-self', both, 'InstanceDown{db-1:9100}');
    expect(index.inhibitor(set, 'fp-self', both)).toBeNull();
    index.add(set, 'fp-twin', { ...both, job: 'node' }, 'InstanceDown{db-1:9100}');
    expect(index.inhibitor(set, 'fp-self', both)).toBeNull();
    expect(index.inhibitor(set, 'fp-twin', { ...both, job: 'node' })).toBeNull();
  });

  it('keeps muting while another source with the same instance fires', () => {
    const index = new InhibitionIndex();
    index.add(set, 'fp-down-a', down, 'InstanceDown{db-1:9100}');
    index.add(set, 'fp-down-b', { ...down, job: 'blackbox' }, 'InstanceDown{db-1:9100} (blackbox)');
    index.remove('fp-down-a');
    expect(index.inhibitor(set, 'fp-warning', warning)?.source).toBe('InstanceDown{db-1:9100} (blackbox)');
    index.remove('fp-down-b');
    expect(index.inhibitor(set, 'fp-warning', warning)).toBeNull();
  });
});

describe('silences', () => {
  const set = load({});
  const startsAt = Date.parse('2024-06-10T10:00:00Z');
  const endsAt = Date.parse('2024-06-10T12:00:00Z');
  const db = { fingerprint: 'fp-db', labels: { alertname: 'DiskFull', service: 'db' }, annotations: {} };

  function book(): SilenceBook {
    const silences = new SilenceBook();
    silences.put({
      id: 'sil-1',
      matchers: ['service="db"'],
      startsAt,
      endsAt,
      createdBy: 'alice',
      comment: 'database migration',
      createdAt: startsAt - 60_000,
      updatedAt: startsAt - 60_000,
    });
    return silences;
  }

  const at = (now: number) => findSuppression({ rules: set, silences: book(), inhibition: new InhibitionIndex() }, db, now);

  it('is pending before startsAt and does not suppress', () => {
    expect(silenceState({ startsAt, endsAt }, startsAt - 1)).toBe('pending');
    expect(at(startsAt - 1)).toBeNull();
  });

  it('is active from startsAt (inclusive) to endsAt (exclusive)', () => {
    expect(silenceState({ startsAt, endsAt }, startsAt)).toBe('active');
    expect(silenceState({ startsAt, endsAt }, endsAt - 1)).toBe('active');
    expect(silenceState({ startsAt, endsAt }, endsAt)).toBe('expired');
    expect(at(startsAt)).toEqual({
      kind: 'silence',
      id: 'sil-1',
      reason: 'silenced by alice until 2024-06-10T12:00:00.000Z: database migration (silence sil-1)',
      until: endsAt,
    });
    expect(at(endsAt - 1)).toMatchObject({ kind: 'silence', id: 'sil-1' });
    expect(at(endsAt)).toBeNull();
  });

  it('suppresses only matching alerts', () => {
    const silences = book();
    expect(silences.matching({ service: 'web' }, startsAt)).toBeUndefined();
    expect(silences.matching({ service: 'db', alertname: 'Anything' }, startsAt)?.id).toBe('sil-1');
    const ctx = { rules: set, silences, inhibition: new InhibitionIndex() };
    expect(findSuppression(ctx, { ...db, labels: { service: 'web' } }, startsAt)).toBeNull();
  });

  it('is reported before inhibition', () => {
    const rules = load({
      '10-inhibit.yaml': "inhibit_rules:\n  - name: all\n    source_matchers: 'alertname=\"Down\"'\n    target_matchers: 'service=\"db\"'\n",
    });
    const inhibition = new InhibitionIndex();
    inhibition.add(rules, 'fp-down', { alertname: 'Down' }, 'Down');
    const ctx = { rules, silences: book(), inhibition };
    expect(findSuppression(ctx, db, startsAt)?.kind).toBe('silence');
    expect(findSuppression(ctx, db, endsAt)?.kind).toBe('inhibited');
  });
});

describe('maintenance windows in rule files', () => {
  // Sundays 02:00–04:00 Berlin time; in June Berlin is UTC+2, so 00:00–02:00 UTC.
  const set = load({
    '10-maintenance.yaml': `
maintenance:
  - name: db-patching
    matchers: ['service="db"']
    timeZone: Europe/Berlin
    weekly:
      days: [sun]
      start: "02:00"
      end: "04:00"
`,
  });
  const ctx = { rules: set, silences: new SilenceBook(), inhibition: new InhibitionIndex() };
  const db = { fingerprint: 'fp-db', labels: { alertname: 'DiskFull', service: 'db' }, annotations: {} };
  const web = { ...db, fingerprint: 'fp-web', labels: { alertname: 'DiskFull', service: 'web' } };

  it('suppresses matching alerts while the window is open', () => {
    expect(set.maintenance.map((w) => w.name)).toEqual(['db-patching']);
    expect(findSuppression(ctx, db, Date.parse('2024-06-09T00:30:00Z'))).toEqual({
      kind: 'maintenance',
      id: 'db-patching',
      reason: 'in maintenance window "db-patching" until 2024-06-09T02:00:00.000Z',
      until: Date.parse('2024-06-09T02:00:00Z'),
    });
    expect(findSuppression(ctx, db, Date.parse('2024-06-09T00:00:00Z'))?.kind).toBe('maintenance');
    expect(findSuppression(ctx, db, Date.parse('2024-06-09T01:59:59Z'))?.kind).toBe('maintenance');
  });

  it('does not suppress outside the window', () => {
    expect(findSuppression(ctx, db, Date.parse('2024-06-08T23:59:59Z'))).toBeNull(); // Sunday 01:59:59 in Berlin
    expect(findSuppression(ctx, db, Date.parse('2024-06-09T02:00:00Z'))).toBeNull(); // 04:00, closed
    expect(findSuppression(ctx, db, Date.parse('2024-06-10T00:30:00Z'))).toBeNull(); // Monday
  });

  it('does not suppress alerts the window does not match', () => {
    expect(findSuppression(ctx, web, Date.parse('2024-06-09T00:30:00Z'))).toBeNull();
  });

  it('follows Berlin winter time (UTC+1)', () => {
    // In January Berlin is UTC+1: Sunday 2024-01-07 02:00–04:00 is 01:00–03:00 UTC.
    expect(findSuppression(ctx, db, Date.parse('2024-01-07T00:30:00Z'))).toBeNull();
    expect(findSuppression(ctx, db, Date.parse('2024-01-07T02:30:00Z'))?.kind).toBe('maintenance');
  });

  it('names the line of a bad window', () => {
    const dir = ruleDir({ '10-m.yaml': 'maintenance:\n  - name: w\n    matchers: [\'service~db\']\n    timeZone: Europe/Berlin\n    weekly: { days: [sun], start: "02:00", end: "04:00" }\n' });
    expect(problemsOf(dir)).toEqual([expect.stringMatching(/10-m\.yaml:3:16: maintenance\.0\.matchers\.0: invalid matcher "service~db"/)]);
  });
});
