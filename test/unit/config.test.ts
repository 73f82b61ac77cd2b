import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfigText } from '../../src/config/load.js';
import { problemParts } from '../../src/files/yaml-file.js';
import { loadRuleSet } from '../../src/rules/ruleset.js';
import { tempDir } from '../helpers/vigil.js';

function problemsOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(text, 'vigil.yaml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config file', () => {
  it('has defaults for everything', () => {
    const c = parseConfigText('', 'vigil.yaml');
    expect(c.server.port).toBe(9095);
    expect(c.server.bodyLimit).toBe(1024 * 1024);
    expect(c.store.synchronous).toBe('full');
    expect(c.ingest.resolveTimeout).toBe(300_000);
    expect(c.incidents.groupBy).toEqual(['alertname', ['service', 'job']]);
  });

  it('reads durations and sizes', () => {
    const c = parseConfigText('ingest:\n  resolveTimeout: 2s\nserver:\n  bodyLimit: 512kb\n', 'vigil.yaml');
    expect(c.ingest.resolveTimeout).toBe(2000);
    expect(c.server.bodyLimit).toBe(512 * 1024);
  });

  it('names file, line and field for a wrong type', () => {
    expect(problemsOf('server:\n  port: "high"\n')).toEqual([expect.stringMatching(/^vigil\.yaml:2:9: server\.port: expected number/)]);
  });

  it('names an unknown field (a typo) with its line', () => {
    expect(problemsOf('store:\n  path: x.db\n  synchronus: full\n')).toEqual(['vigil.yaml:3:3: store.synchronus: unknown field']);
  });

  it('names a bad duration', () => {
    expect(problemsOf('incidents:\n  flapWindow: soon\n')[0]).toMatch(/^vigil\.yaml:2:15: incidents\.flapWindow: invalid duration "soon"/);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('server:\n  port: [9095\n')[0]).toMatch(/^vigil\.yaml:\d+:\d+: /);
  });

  it('fills ${VAR} from the environment and refuses a missing one', () => {
    const c = parseConfigText('ingest:\n  grafana:\n    hmacSecret: ${SECRET}\n', 'vigil.yaml', { SECRET: 's3' });
    expect(c.ingest.grafana.hmacSecret).toBe('s3');
    expect(problemsOf('ingest:\n  grafana:\n    hmacSecret: ${SECRET}\n')).toEqual([
      'vigil.yaml:3:17: environment variable SECRET is not set',
    ]);
    expect(parseConfigText('ingest:\n  grafana:\n    hmacSecret: ${SECRET:-dflt}\n', 'vigil.yaml').ingest.grafana.hmacSecret).toBe('dflt');
  });

  it('validates the shipped vigil.yaml', () => {
    const dir = path.join(import.meta.dirname, '..', '..');
    const c = loadConfig({}, dir);
    expect(c.source).toBe(path.join(dir, 'vigil.yaml'));
  });
});

describe('environment', () => {
  it('applies the contract variables over the file', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'custom.yaml'), 'server:\n  port: 1234\n');
    const c = loadConfig(
      { VIGIL_CONFIG: 'custom.yaml', VIGIL_PORT: '4321', VIGIL_DB: 'db/x.db', VIGIL_INGEST_TOKEN: 'a, b', VIGIL_API_TOKEN: 'c' },
      dir,
    );
    expect(c.server.port).toBe(4321);
    expect(c.store.path).toBe(path.join(dir, 'db/x.db'));
    expect(c.auth).toEqual({ ingestTokens: ['a', 'b'], apiTokens: ['c'] });
  });

  it('refuses a bad port and a missing explicit config file', () => {
    const dir = tempDir();
    expect(() => loadConfig({ VIGIL_PORT: 'eighty' }, dir)).toThrow(/VIGIL_PORT/);
    expect(() => loadConfig({ VIGIL_CONFIG: 'nope.yaml' }, dir)).toThrow(/nope\.yaml: config file not found/);
  });

  it('a postgres:// URL selects PostgreSQL (VIGIL_DB or store.url); a file path in VIGIL_DB wins over a URL in the file', () => {
    const dir = tempDir();
    const url = 'postgres://vigil:secret@db.internal:5432/vigil';
    expect(loadConfig({ VIGIL_DB: url }, dir).store).toMatchObject({ url, poolSize: 10, connectTimeout: 5000, statementTimeout: 30_000 });
    writeFileSync(path.join(dir, 'vigil.yaml'), `store:\n  url: ${url}\n  poolSize: 20\n  statementTimeout: 10s\n`);
    expect(loadConfig({}, dir).store).toMatchObject({ url, poolSize: 20, statementTimeout: 10_000 });
    const file = loadConfig({ VIGIL_DB: 'local.db' }, dir).store;
    expect(file.url).toBeUndefined();
    expect(file.path).toBe(path.join(dir, 'local.db'));
    expect(() => loadConfig({ VIGIL_DB: 'mysql://db/vigil' }, dir)).toThrow(/VIGIL_DB: give a file path \(SQLite\) or a postgres:\/\/ URL/);
    writeFileSync(path.join(dir, 'vigil.yaml'), 'store:\n  url: mysql://db/vigil\n');
    expect(() => loadConfig({}, dir)).toThrow(/store\.url.*postgres/);
  });

  it('resolves paths written in the file against the file, and env variables and defaults against the working directory', () => {
    const cwd = tempDir();
    const etc = path.join(tempDir(), 'etc');
    mkdirSync(etc);
    writeFileSync(path.join(etc, 'vigil.yaml'), 'store:\n  path: data/v.db\nrules:\n  dir: my-rules\nrunbooks:\n  dir: ../books\n');
    const fromFile = loadConfig({ VIGIL_CONFIG: path.join(etc, 'vigil.yaml') }, cwd);
    expect(fromFile.store.path).toBe(path.join(etc, 'data', 'v.db'));
    expect(fromFile.rules.dir).toBe(path.join(etc, 'my-rules'));
    expect(fromFile.runbooks.dir).toBe(path.join(etc, '..', 'books'));
    expect(fromFile.shipped).toEqual({ rules: false, runbooks: false });

    const fromEnv = loadConfig({ VIGIL_CONFIG: path.join(etc, 'vigil.yaml'), VIGIL_DB: 'db/x.db' }, cwd);
    expect(fromEnv.store.path).toBe(path.join(cwd, 'db', 'x.db'));
    writeFileSync(path.join(etc, 'vigil.yaml'), 'server:\n  port: 1234\n');
    mkdirSync(path.join(cwd, 'rules'));
    const defaults = loadConfig({ VIGIL_CONFIG: path.join(etc, 'vigil.yaml') }, cwd);
    expect(defaults.store.path).toBe(path.join(cwd, 'data', 'vigil.db'));
    expect(defaults.rules.dir).toBe(path.join(cwd, 'rules'));
  });

  it("falls back to the package's rules and runbooks only when none is configured and the working directory has none", () => {
    const packageRoot = path.join(import.meta.dirname, '..', '..');
    const bare = loadConfig({}, tempDir());
    expect(bare.rules.dir).toBe(path.join(packageRoot, 'rules'));
    expect(bare.runbooks.dir).toBe(path.join(packageRoot, 'runbooks'));
    expect(bare.shipped).toEqual({ rules: true, runbooks: true });

    const dir = tempDir();
    mkdirSync(path.join(dir, 'runbooks'));
    writeFileSync(path.join(dir, 'vigil.yaml'), 'rules:\n  dir: missing\n');
    const configured = loadConfig({}, dir);
    expect(configured.rules.dir).toBe(path.join(dir, 'missing'));
    expect(configured.runbooks.dir).toBe(path.join(dir, 'runbooks'));
    expect(configured.shipped).toEqual({ rules: false, runbooks: false });
    expect(() => loadRuleSet(configured.rules.dir)).toThrow(`${path.join(dir, 'missing')}: rules directory not found`);
  });

  it('log.format is auto unless vigil.yaml or VIGIL_LOG_FORMAT says json or pretty', () => {
    const dir = tempDir();
    expect(loadConfig({}, dir).log.format).toBe('auto');
    writeFileSync(path.join(dir, 'vigil.yaml'), 'log:\n  format: json\n');
    expect(loadConfig({}, dir).log.format).toBe('json');
    expect(loadConfig({ VIGIL_LOG_FORMAT: 'pretty' }, dir).log.format).toBe('pretty');
    expect(() => loadConfig({ VIGIL_LOG_FORMAT: 'xml' }, dir)).toThrow('VIGIL_LOG_FORMAT: "xml" is not a log format (auto, json, pretty)');
  });

  it('runs on built-in defaults when there is no vigil.yaml', () => {
    const c = loadConfig({}, tempDir());
    expect(c.source).toBeNull();
    expect(c.server.port).toBe(9095);
  });
});

describe('problem lines taken apart', () => {
  it('splits file, line, column, field and problem', () => {
    expect(problemParts('rules/00-policies.yaml:9:15: policies.critical.notify.0.role: unknown role "oncal" (known: oncall, team)')).toEqual({
      file: 'rules/00-policies.yaml',
      line: 9,
      column: 15,
      field: 'policies.critical.notify.0.role',
      problem: 'unknown role "oncal" (known: oncall, team)',
    });
    expect(problemParts('vigil.yaml:1:1: (top level): expected object')).toMatchObject({ field: '(top level)', problem: 'expected object' });
  });

  it('leaves the field out where a problem has none, and the line where it has none', () => {
    expect(problemParts('vigil.yaml:3:17: environment variable SECRET is not set')).toEqual({
      file: 'vigil.yaml',
      line: 3,
      column: 17,
      field: null,
      problem: 'environment variable SECRET is not set',
    });
    expect(problemParts('/srv/rules: no policy for severity "info" in any rules file')).toEqual({
      file: '/srv/rules',
      line: null,
      column: null,
      field: null,
      problem: 'no policy for severity "info" in any rules file',
    });
  });
});
