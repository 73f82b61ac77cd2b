// npm run bench:rules — time to evaluate one alert against 500 rules (equality, regex and negative matchers, some
// with continue, in 5 files plus the shipped policies), for 10,000 varied alerts; and, in the same run, the same
// alerts against only the catch-all default rule, as a baseline. Uses the compiled modules in dist/.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { evaluate } from '../dist/rules/evaluate.js';
import { loadRuleSet } from '../dist/rules/ruleset.js';

const root = path.join(import.meta.dirname, '..');
const RULES = Number(process.env.BENCH_RULES ?? 500);
const FILES = 5;
const ALERTS = Number(process.env.BENCH_ALERTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const WARMUP = 3;
const groupBy = ['alertname', ['service', 'job']];

// Deterministic, so runs compare.
let seed = 0x5eed;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const chance = (p) => random() < p;

const baseNames = [
  'InstanceDown', 'HighErrorRate', 'HighLatency', 'DiskFull', 'DiskWillFillIn4h', 'HighCPU', 'HighMemory', 'OOMKilled',
  'KubePodCrashLooping', 'KubePodNotReady', 'KubeDeploymentReplicasMismatch', 'KubeJobFailed', 'KubeNodeNotReady',
  'PostgresReplicationLag', 'PostgresDown', 'PostgresTooManyConnections', 'RedisDown', 'RedisMemoryHigh',
  'KafkaConsumerLag', 'KafkaUnderReplicatedPartitions', 'CertificateExpiresSoon', 'BlackboxProbeFailed',
  'HttpProbeSlow', 'QueueBacklog', 'BackupFailed', 'BackupTooOld', 'NodeClockSkew', 'NodeNetworkErrors',
  'TargetScrapeFailed', 'ElasticsearchClusterRed', 'ElasticsearchClusterYellow', 'NginxHigh5xx', 'LoadBalancerUnhealthy',
  'DNSResolutionFailed', 'SLOBurnRateFast', 'SLOBurnRateSlow', 'CronJobMissed', 'LicenseExpiresSoon', 'Watchdog',
];
// Alert names seen in practice are many more than the ones rules name: variants per component.
const alertnames = [...baseNames, ...baseNames.slice(0, 25).flatMap((n) => [`${n}Critical`, `${n}Warning`])];
const services = Array.from({ length: 40 }, (_, i) => `svc-${i}`);
const teams = ['payments', 'checkout', 'search', 'platform', 'data', 'identity', 'mobile', 'sre'];
const envs = ['prod', 'prod', 'prod', 'staging', 'dev', 'test'];
const regions = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1'];
const clusters = ['k8s-a', 'k8s-b', 'k8s-c', 'bare-metal'];
const severityLabels = ['critical', 'warning', 'warning', 'warning', 'info', 'page', 'high', 'low', 'P2', 'unknown-value'];
const severities = ['critical', 'warning', 'reminder', 'info'];

// ---- 500 rules in 5 files

function quote(text) {
  return `'${text.replace(/'/g, "''")}'`;
}

function ruleMatchers(i) {
  const kind = i % 20;
  const name = pick(baseNames);
  const service = pick(services);
  if (kind < 8) return [`alertname="${name}"`, `service="${service}"`]; // 40 %: equality
  if (kind < 10) return [`alertname="${name}"`, `env="${pick(envs)}"`, `region="${pick(regions)}"`];
  if (kind < 12) return [`alertname=~"${name}.*"`, `service="${service}"`]; // regex on the name
  if (kind < 13) return [`instance=~"${service}-[0-9]+:9100"`, `alertname=~"${name}|${pick(baseNames)}"`];
  if (kind < 14) return [`service=~"svc-${Math.floor(random() * 4)}[0-9]"`, `alertname="${name}"`, `cluster=~"k8s-.*"`];
  if (kind < 16) return [`alertname="${name}"`, `env!="prod"`]; // negative matchers
  if (kind < 17) return [`service="${service}"`, `env!~"dev|test"`, `team!=""`];
  if (kind < 18) return [`alertname=~"${name}(Critical|Warning)?"`, `region!~"us-.*"`];
  if (kind < 19) return [`service="${service}"`, `annotations.runbook=~"https://runbooks/.+"`]; // annotation matcher
  return [`team="${pick(teams)}"`, `alertname="${name}"`, `severity=~"critical|page"`];
}

function ruleYaml(i) {
  const lines = [`  - name: rule-${String(i).padStart(3, '0')}`, `    match: [${ruleMatchers(i).map(quote).join(', ')}]`, '    set:'];
  const cont = chance(0.15);
  if (chance(0.6)) lines.push(`      severity: ${pick(severities)}`);
  if (chance(0.7)) lines.push(`      team: ${pick(teams)}`);
  if (chance(0.3)) lines.push(`      title: ${quote('{{ labels.alertname }} on {{ labels.instance }}: {{ annotations.summary }}')}`);
  if (chance(0.1)) lines.push('      priority: P2');
  if (chance(0.1)) lines.push('      groupBy: [alertname, [cluster, region]]');
  if (chance(0.1)) lines.push('      runbooks: [https://runbooks/generic]');
  if (chance(0.08)) lines.push('      policy: { ackSla: 5m }');
  if (lines.at(-1) === '    set:') lines.push(`      service: ${pick(services)}`);
  if (cont) lines.push('    continue: true');
  return lines.join('\n');
}

const work = mkdtempSync(path.join(tmpdir(), 'vigil-bench-rules-'));
const fullDir = path.join(work, 'full');
const baseDir = path.join(work, 'default-only');
mkdirSync(fullDir);
mkdirSync(baseDir);
// The teams the rules name, holding the roles the shipped policies page.
const teamsYaml = `teams:\n${teams.map((t) => `  - { name: ${t}, roles: { owner: [], management: [] } }`).join('\n')}\n`;
for (const dir of [fullDir, baseDir]) {
  copyFileSync(path.join(root, 'rules', '00-policies.yaml'), path.join(dir, '00-policies.yaml'));
  copyFileSync(path.join(root, 'rules', '99-default.yaml'), path.join(dir, '99-default.yaml'));
  writeFileSync(path.join(dir, '05-teams.yaml'), teamsYaml);
}
const perFile = Math.ceil(RULES / FILES);
for (let f = 0; f < FILES; f++) {
  const body = [];
  for (let i = f * perFile; i < Math.min(RULES, (f + 1) * perFile); i++) body.push(ruleYaml(i));
  writeFileSync(path.join(fullDir, `${10 + f * 10}-team-rules.yaml`), `rules:\n${body.join('\n\n')}\n`);
}

// ---- 10,000 alerts

function makeAlert(i) {
  const service = pick(services);
  const alertname = pick(alertnames);
  const labels = {
    alertname,
    service,
    job: chance(0.5) ? 'node' : service,
    instance: `${service}-${Math.floor(random() * 20)}:9100`,
    env: pick(envs),
    region: pick(regions),
  };
  if (chance(0.7)) labels.severity = pick(severityLabels);
  if (chance(0.6)) labels.team = pick(teams);
  if (chance(0.5)) labels.cluster = pick(clusters);
  if (chance(0.3)) labels.namespace = `ns-${Math.floor(random() * 30)}`;
  const annotations = { summary: `${alertname} on ${labels.instance} (#${i})` };
  if (chance(0.5)) annotations.runbook = `https://runbooks/${alertname.toLowerCase()}`;
  if (chance(0.5)) annotations.description = 'The value has been above the threshold for 5 minutes.';
  return { labels, annotations, rawSeverity: labels.severity ?? null };
}
const alerts = Array.from({ length: ALERTS }, (_, i) => makeAlert(i));

// ---- timing

let sink = 0;

/** Evaluates every alert once; returns elapsed ns. */
function round(set) {
  const t0 = process.hrtime.bigint();
  for (const alert of alerts) sink += evaluate(set, alert, groupBy).matchedRules.length;
  return Number(process.hrtime.bigint() - t0);
}

/** Evaluates every alert once, timing each one; returns the per-alert ns. */
function timedRound(set, into) {
  for (const alert of alerts) {
    const t0 = process.hrtime.bigint();
    sink += evaluate(set, alert, groupBy).matchedRules.length;
    into.push(Number(process.hrtime.bigint() - t0));
  }
}

function measure(set) {
  for (let i = 0; i < WARMUP; i++) round(set);
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(round(set));
  const perAlert = [];
  for (let i = 0; i < ROUNDS; i++) timedRound(set, perAlert);
  perAlert.sort((a, b) => a - b);
  const total = rounds.reduce((a, b) => a + b, 0);
  const meanNs = total / (ROUNDS * ALERTS);
  return {
    alertsPerSec: 1e9 / meanNs,
    meanUs: meanNs / 1000,
    p50Us: perAlert[Math.floor(perAlert.length * 0.5)] / 1000,
    p99Us: perAlert[Math.floor(perAlert.length * 0.99)] / 1000,
    bestRoundMs: Math.min(...rounds) / 1e6,
  };
}

function describe(set) {
  let matched = 0;
  let fellThrough = 0;
  for (const alert of alerts) {
    const d = evaluate(set, alert, groupBy);
    matched += d.matchedRules.length;
    if (d.matchedRules.length === 1 && d.matchedRules[0] === 'default') fellThrough++;
  }
  return { avgMatched: matched / alerts.length, fellThrough: fellThrough / alerts.length };
}

try {
  const full = loadRuleSet(fullDir, {});
  const base = loadRuleSet(baseDir, {});
  const regexMatchers = full.rules.flatMap((r) => r.match).filter((m) => m.op === '=~' || m.op === '!~').length;
  const negative = full.rules.flatMap((r) => r.match).filter((m) => m.op === '!=' || m.op === '!~').length;
  const shape = describe(full);
  console.log(
    `${RULES} generated rules in ${FILES} files plus the shipped catch-all and policies (${full.rules.filter((r) => r.continue).length} with continue, ` +
      `${regexMatchers} regex and ${negative} negative matchers); ${ALERTS.toLocaleString('en')} alerts; ` +
      `${WARMUP} warm-up and ${ROUNDS} timed rounds each`,
  );
  console.log(
    `per alert: ${shape.avgMatched.toFixed(2)} rules matched on average; ${(shape.fellThrough * 100).toFixed(1)} % matched only the catch-all (scanned every rule)`,
  );

  const results = { [`${RULES} rules + default`]: measure(full), 'default rule only': measure(base) };
  console.table(
    Object.fromEntries(
      Object.entries(results).map(([name, r]) => [
        name,
        {
          'alerts/s': Math.round(r.alertsPerSec).toLocaleString('en'),
          'mean µs': r.meanUs.toFixed(2),
          'p50 µs': r.p50Us.toFixed(2),
          'p99 µs': r.p99Us.toFixed(2),
          'best round ms': r.bestRoundMs.toFixed(1),
        },
      ]),
    ),
  );
  const [withRules, baseline] = Object.values(results);
  console.log(
    `mean ${withRules.meanUs.toFixed(2)} µs per alert with ${RULES} rules vs ${baseline.meanUs.toFixed(2)} µs with the default rule only: ` +
      `${(withRules.meanUs / baseline.meanUs).toFixed(1)}x (p99 ${withRules.p99Us.toFixed(2)} vs ${baseline.p99Us.toFixed(2)} µs)`,
  );
  console.log('(mean and alerts/s from untimed rounds; p50/p99 from rounds timing each alert, which adds the timer cost)');
  if (sink < 0) console.log(sink);
} finally {
  rmSync(work, { recursive: true, force: true });
}
