// Checks the docker-compose stack and its config files without starting
// containers: structure via the yaml parser, semantics via promtool/amtool.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { loadRuleSet } from '../../src/rules/ruleset.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const inRepo = (...parts: string[]) => path.join(repoRoot, ...parts);
const isCI = process.env.CI === 'true';

// Vigil's ingest routes, as served by the app.
const INGEST_ALERTMANAGER = 'http://vigil:9095/api/v1/alerts/alertmanager';
const INGEST_GRAFANA = 'http://vigil:9095/api/v1/alerts/grafana';

// Parsed YAML is untyped; the assertions themselves do the checking.
 
type Obj = Record<string, any>;

function loadYaml(rel: string): Obj {
  return parse(readFileSync(inRepo(rel), 'utf8')) as Obj;
}

/** Defer reading until a test runs, so one missing file fails only its own tests. */
function lazy<T>(load: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: load() }).v;
}

/** Published host ports, accepting compose short ("8080:80") and long syntax. */
function publishedPorts(service: Obj): number[] {
  return (service.ports ?? []).map((p: string | Obj) => {
    if (typeof p === 'object') return Number(p.published);
    // "[ip:]host:container[/proto]"; a bare "container" port gets a random host port.
    const parts = String(p).split(':');
    return parts.length >= 2 ? Number(parts[parts.length - 2]) : NaN;
  });
}

interface Mount {
  source: string;
  target: string;
}

function mounts(service: Obj): Mount[] {
  return (service.volumes ?? []).map((v: string | Obj) => {
    if (typeof v === 'object') return { source: String(v.source), target: String(v.target) };
    const [source, target] = String(v).split(':');
    return { source, target };
  });
}

const isBindMount = (m: Mount) => m.source.startsWith('.') || m.source.startsWith('/');

function env(service: Obj): Record<string, string> {
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) {
    return Object.fromEntries(
      raw.map((kv: string) => {
        const i = kv.indexOf('=');
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Resolve a checker: an explicit override (PROMTOOL / AMTOOL) wins, otherwise
 * PATH, then the Debian package location.
 */
function findBinary(name: string, override: string | undefined): string | undefined {
  if (override) return isExecutable(override) ? override : undefined;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/bin', '/usr/sbin'];
  return dirs.map((dir) => path.join(dir, name)).find(isExecutable);
}

/** Run a checker and surface its own output when it rejects the file. */
function runTool(bin: string, args: string[]): string {
  try {
    return execFileSync(bin, args, { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    throw new Error(
      `${path.basename(bin)} ${args.join(' ')} exited with ${e.status}:\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  }
}

const tools = {
  promtool: { bin: findBinary('promtool', process.env.PROMTOOL), pkg: 'prometheus' },
  amtool: { bin: findBinary('amtool', process.env.AMTOOL), pkg: 'prometheus-alertmanager' },
  haproxy: { bin: findBinary('haproxy', process.env.HAPROXY), pkg: 'haproxy' },
};

/**
 * A missing checker is a hard failure in CI (the config would otherwise ship
 * unvalidated) and a visible skip on developer machines.
 */
function requireTool(name: keyof typeof tools, ctx: { skip: (note?: string) => never }): string {
  const { bin, pkg } = tools[name];
  if (bin) return bin;
  const msg = `${name} not found (PATH, /usr/bin, or $${name.toUpperCase()}); install it (Debian/Ubuntu: apt-get install ${pkg})`;
  if (isCI) throw new Error(`${msg}. CI=true, so this check must not be skipped.`);
  return ctx.skip(`${msg}. Skipping outside CI.`);
}

const compose = loadYaml('docker-compose.yml');
const services: Obj = compose.services ?? {};
/** The Vigil instances: every service built from this repo. */
const instances = Object.keys(services).filter((name) => services[name].build);
const vigilEnv = env(services[instances[0] ?? 'vigil'] ?? {});

describe('docker-compose.yml', () => {
  it('defines the full local stack', () => {
    for (const name of ['vigil', 'vigil-1', 'vigil-2', 'postgres', 'prometheus', 'node-exporter', 'alertmanager', 'grafana', 'mailpit']) {
      expect(services, `service ${name}`).toHaveProperty(name);
    }
    expect(instances).toEqual(['vigil-1', 'vigil-2']);
  });

  it('runs two equal Vigil instances on one PostgreSQL database behind the balancer at vigil:9095', () => {
    const [one, two] = instances.map((name) => env(services[name]));
    expect(one).toEqual(two);
    const pgEnv = env(services.postgres);
    expect(vigilEnv.VIGIL_DB).toBe(`postgres://${pgEnv.POSTGRES_USER}:${pgEnv.POSTGRES_PASSWORD}@postgres:5432/${pgEnv.POSTGRES_DB}`);
    for (const name of instances) {
      expect(services[name].ports, `${name} is reached through the balancer only`).toBeUndefined();
      expect(services[name].depends_on.postgres.condition).toBe('service_healthy');
    }
    expect(mounts(services.postgres)).toContainEqual({ source: 'postgres-data', target: '/var/lib/postgresql/data' });
    const balancer = mounts(services.vigil).find((m) => m.source === './deploy/haproxy/haproxy.cfg');
    expect(balancer?.target).toBe('/usr/local/etc/haproxy/haproxy.cfg');
    const cfg = readFileSync(inRepo('deploy/haproxy/haproxy.cfg'), 'utf8');
    expect(cfg).toMatch(/^\s*bind :9095$/m);
    expect(cfg).toMatch(/^\s*option httpchk GET \/readyz$/m);
    for (const name of instances) expect(cfg).toMatch(new RegExp(`^\\s*server ${name} ${name}:9095$`, 'm'));
  });

  it('the balancer config is valid (haproxy -c)', (ctx) => {
    const bin = requireTool('haproxy', ctx);
    expect(runTool(bin, ['-c', '-f', 'deploy/haproxy/haproxy.cfg'])).toMatch(/Configuration file is valid/);
  });

  it.each([
    ['vigil', [9095]],
    ['alertmanager', [9093]],
    ['prometheus', [9090]],
    ['grafana', [3000]],
    ['mailpit', [8025, 1025]],
  ] as const)('%s publishes %j', (name, ports) => {
    expect(publishedPorts(services[name])).toEqual(expect.arrayContaining([...ports]));
  });

  it('pins every third-party image to an explicit tag', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.build) continue;
      expect(svc.image, `${name} image`).toMatch(/^[^:]+:(?!latest$)[\w][\w.-]*$/);
    }
  });

  it('mounts only repo files that exist', () => {
    const repoMounts = Object.values(services)
      .flatMap((svc) => mounts(svc))
      .filter((m) => m.source.startsWith('.'));
    expect(repoMounts.length).toBeGreaterThan(0);
    for (const m of repoMounts) {
      expect(existsSync(inRepo(m.source)), `${m.source} exists`).toBe(true);
    }
  });

  it('declares every named volume it uses', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const named = Object.values(services)
      .flatMap((svc) => mounts(svc))
      .filter((m) => !isBindMount(m))
      .map((m) => m.source);
    for (const v of named) expect(declared, `volume ${v}`).toContain(v);
  });

  it('keeps the dev settings of every instance in env', () => {
    expect(vigilEnv).toMatchObject({
      VIGIL_PORT: '9095',
      VIGIL_INGEST_TOKEN: 'dev-ingest-token',
      VIGIL_API_TOKEN: 'dev-api-token',
      VIGIL_GRAFANA_HMAC_SECRET: 'dev-grafana-hmac-secret',
      VIGIL_LINK_SECRET: 'dev-link-secret',
      VIGIL_CONFIG: '/etc/vigil/vigil.yaml',
    });
    for (const name of instances) expect(mounts(services[name])).toContainEqual({ source: './deploy/vigil/vigil.yaml', target: '/etc/vigil/vigil.yaml' });
  });

  it("the stack's vigil.yaml is valid, expects the signed timestamps Grafana sends, and gives the instances one link key", () => {
    const config = loadConfig(
      { VIGIL_CONFIG: 'deploy/vigil/vigil.yaml', VIGIL_GRAFANA_HMAC_SECRET: vigilEnv.VIGIL_GRAFANA_HMAC_SECRET!, VIGIL_LINK_SECRET: vigilEnv.VIGIL_LINK_SECRET!, VIGIL_DB: vigilEnv.VIGIL_DB! },
      inRepo('.'),
    );
    expect(config.store.url).toBe(vigilEnv.VIGIL_DB);
    expect(config.notify.linkSecret).toBe('dev-link-secret');
    const contact = readFileSync(inRepo('deploy/grafana/provisioning/alerting/contact-points.yml'), 'utf8');
    expect(config.ingest.grafana.hmacSecret).toBe('dev-grafana-hmac-secret');
    expect(contact).toContain(config.ingest.grafana.timestampHeader!);
    expect(contact).toContain(config.ingest.grafana.signatureHeader);
  });
});

describe('Dockerfile', () => {
  const dockerfile = lazy(() => readFileSync(inRepo('Dockerfile'), 'utf8'));
  const dockerignore = lazy(() =>
    readFileSync(inRepo('.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim()),
  );

  it('runs the server on 9095 with a healthcheck', () => {
    expect(dockerfile()).toMatch(/^EXPOSE 9095$/m);
    expect(dockerfile()).toMatch(/^CMD \["node", "dist\/cli\/main\.js", "serve"\]$/m);
    expect(dockerfile()).toMatch(/^HEALTHCHECK[\s\S]*\/healthz/m);
  });

  it('keeps host build output and state out of the build context', () => {
    expect(dockerignore()).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data', '.git']));
  });
});

describe('Prometheus config', () => {
  const prom = lazy(() => loadYaml('deploy/prometheus/prometheus.yml'));

  it('evaluates rules every 15s and sends alerts to Alertmanager', () => {
    expect(prom().global.evaluation_interval).toBe('15s');
    const targets = prom().alerting.alertmanagers.flatMap((am: Obj) =>
      am.static_configs.flatMap((sc: Obj) => sc.targets),
    );
    expect(targets).toContain('alertmanager:9093');
  });

  it('scrapes itself, node-exporter and vigil /metrics', () => {
    const jobs: Obj[] = prom().scrape_configs;
    const targetsOf = (j: Obj) => j.static_configs.flatMap((sc: Obj) => sc.targets);
    const all = jobs.flatMap(targetsOf);
    // Each instance on its own: through the balancer, scrapes would alternate between them.
    expect(all).toEqual(expect.arrayContaining(['localhost:9090', 'node-exporter:9100', ...instances.map((name) => `${name}:9095`)]));
    const vigilJob = jobs.find((j) => targetsOf(j).includes('vigil-1:9095'))!;
    expect(vigilJob.metrics_path ?? '/metrics').toBe('/metrics');
  });

  it('loads rule files from where compose mounts them', () => {
    const prometheus = mounts(services.prometheus);
    const configMount = prometheus.find((m) => m.source === './deploy/prometheus/prometheus.yml');
    expect(configMount, 'prometheus.yml is mounted').toBeDefined();
    const containerDir = path.posix.dirname(configMount!.target);
    for (const rf of prom().rule_files as string[]) {
      const inContainer = path.posix.resolve(containerDir, rf);
      const mount = prometheus.find((m) => m.target === inContainer);
      expect(mount, `${inContainer} is mounted`).toBeDefined();
      expect(path.normalize(inRepo(mount!.source))).toBe(path.normalize(inRepo('deploy/prometheus', rf)));
    }
  });

  it('promtool check config accepts prometheus.yml (and the rule files it loads)', (ctx) => {
    const bin = requireTool('promtool', ctx);
    expect(runTool(bin, ['check', 'config', 'deploy/prometheus/prometheus.yml'])).toMatch(/SUCCESS/);
  });
});

describe('Prometheus alert rules (support handbook)', () => {
  const rules = lazy((): Obj[] =>
    loadYaml('deploy/prometheus/alerts.yml').groups.flatMap((g: Obj) => (g.name === 'vigil-handbook' ? g.rules : [])),
  );

  const handbook = [
    { alert: 'HighCPU', severity: 'warning', threshold: '70', for: '5m', metric: 'node_cpu_seconds_total' },
    { alert: 'HighCPU', severity: 'critical', threshold: '90', for: '5m', metric: 'node_cpu_seconds_total' },
    { alert: 'HighMemory', severity: 'warning', threshold: '80', metric: 'node_memory_MemAvailable_bytes' },
    { alert: 'HighDiskIO', severity: 'warning', threshold: '80', metric: 'node_disk_io_time_seconds_total' },
    { alert: 'HighAPILatency', severity: 'warning', threshold: '0.5', metric: 'http_request_duration_seconds_bucket' },
    { alert: 'HighErrorRate', severity: 'critical', threshold: '0.001', metric: 'http_requests_total' },
    { alert: 'InstanceDown', severity: 'critical', threshold: '0', for: '1m', metric: 'up' },
  ];

  it.each(handbook)('$alert ($severity) fires at $threshold', (h) => {
    const rule = rules().find((r) => r.alert === h.alert && r.labels?.severity === h.severity);
    expect(rule, `${h.alert} with severity=${h.severity} in group vigil-handbook`).toBeDefined();
    const expr = String(rule!.expr);
    const number = h.threshold.replace(/\./g, '\\.');
    // The threshold must be the comparison operand, not just any digits in the expr.
    expect(expr).toMatch(new RegExp(`(>|==)\\s*${number}(?![\\d.])`));
    expect(expr).toContain(h.metric);
    if (h.for) expect(rule!.for).toBe(h.for);
  });

  it('labels and annotates every rule', () => {
    expect(rules().length).toBeGreaterThan(0);
    for (const r of rules()) {
      expect(['critical', 'warning'], `${r.alert} severity`).toContain(r.labels?.severity);
      for (const key of ['summary', 'description', 'runbook_url']) {
        expect(r.annotations?.[key], `${r.alert} annotation ${key}`).toBeTruthy();
      }
    }
  });

  it('promtool check rules accepts alerts.yml', (ctx) => {
    const bin = requireTool('promtool', ctx);
    expect(runTool(bin, ['check', 'rules', 'deploy/prometheus/alerts.yml'])).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('promtool test rules: thresholds fire as the handbook says', (ctx) => {
    const bin = requireTool('promtool', ctx);
    expect(runTool(bin, ['test', 'rules', 'deploy/prometheus/alerts.test.yml'])).toMatch(/SUCCESS/);
  });
});

describe('Alertmanager config', () => {
  const am = lazy(() => loadYaml('deploy/alertmanager/alertmanager.yml'));

  it('routes everything to the vigil webhook receiver', () => {
    expect(am().route).toMatchObject({
      receiver: 'vigil',
      group_by: ['alertname', 'service'],
      group_wait: '10s',
      group_interval: '1m',
      repeat_interval: '4h',
    });
    const receiver = am().receivers.find((r: Obj) => r.name === 'vigil');
    expect(receiver.webhook_configs).toHaveLength(1);
    expect(receiver.webhook_configs[0]).toMatchObject({
      url: INGEST_ALERTMANAGER,
      send_resolved: true,
      max_alerts: 0,
      http_config: { authorization: { type: 'Bearer', credentials: vigilEnv.VIGIL_INGEST_TOKEN } },
    });
  });

  it('lets critical inhibit warning for the same alertname and instance', () => {
    expect(am().inhibit_rules).toContainEqual({
      source_matchers: ['severity="critical"'],
      target_matchers: ['severity="warning"'],
      equal: ['alertname', 'instance'],
    });
  });

  it('re-sends the Watchdog to Vigil every minute, and the shipped rules define the heartbeat its deliveries ping', () => {
    const route = am().route.routes.find((r: Obj) => r.matchers?.includes('alertname="Watchdog"'));
    expect(route).toMatchObject({ receiver: 'vigil', repeat_interval: '1m', group_interval: '1m' });
    const watchdogRule = loadYaml('deploy/prometheus/alerts.yml')
      .groups.flatMap((g: Obj) => g.rules)
      .find((r: Obj) => r.alert === 'Watchdog');
    expect(watchdogRule).toMatchObject({ expr: 'vector(1)' });
    const set = loadRuleSet('rules');
    const watchdog = set.heartbeats.find((h) => h.spec.name === 'watchdog')!;
    expect(watchdog.spec.matchers.every((m) => m.matches(m.name === 'alertname' ? 'Watchdog' : undefined))).toBe(true);
    // A ping every minute with a grace of minutes: a stopped pipeline pages within the grace, not the next day.
    expect(watchdog.spec.schedule).toEqual({ every: 60_000 });
    expect(watchdog.spec.grace).toBeLessThanOrEqual(10 * 60_000);
  });

  it('amtool check-config accepts alertmanager.yml', (ctx) => {
    const bin = requireTool('amtool', ctx);
    expect(runTool(bin, ['check-config', 'deploy/alertmanager/alertmanager.yml'])).toMatch(/SUCCESS/);
  });
});

describe('Grafana provisioning', () => {
  const grafanaMount = mounts(services.grafana).find((m) => m.target === '/etc/grafana/provisioning');
  const base = 'deploy/grafana/provisioning';

  it('is mounted from deploy/grafana/provisioning', () => {
    expect(grafanaMount?.source.replace(/\/$/, '')).toBe(`./${base}`);
  });

  it('has the Prometheus datasource under a stable uid', () => {
    const ds = loadYaml(`${base}/datasources/prometheus.yml`);
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toContainEqual(
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    );
  });

  it('defines the vigil webhook contact point with auth and HMAC signing', () => {
    const cp = loadYaml(`${base}/alerting/contact-points.yml`);
    expect(cp.apiVersion).toBe(1);
    const vigil = cp.contactPoints.find((c: Obj) => c.name === 'vigil');
    expect(vigil, 'contact point vigil').toBeDefined();
    expect(vigil.receivers).toHaveLength(1);
    const [receiver] = vigil.receivers;
    expect(receiver.type).toBe('webhook');
    expect(receiver.settings).toMatchObject({
      url: INGEST_GRAFANA,
      authorization_scheme: 'Bearer',
      authorization_credentials: vigilEnv.VIGIL_INGEST_TOKEN,
      hmacConfig: {
        secret: vigilEnv.VIGIL_GRAFANA_HMAC_SECRET,
        header: 'X-Grafana-Alerting-Signature',
        timestampHeader: 'X-Grafana-Alerting-Timestamp',
      },
    });
  });

  it('routes the notification policy to vigil', () => {
    const pol = loadYaml(`${base}/alerting/policies.yml`);
    expect(pol.apiVersion).toBe(1);
    expect(pol.policies).toContainEqual(expect.objectContaining({ orgId: 1, receiver: 'vigil' }));
  });
});
