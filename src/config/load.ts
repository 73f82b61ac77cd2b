import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { configFileSchema, type Config } from './schema.js';
import { ConfigError, parseYamlFile, type Env } from '../files/yaml-file.js';

export { ConfigError, type Env };

function splitTokens(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Parses and validates the text of vigil.yaml; throws ConfigError naming file, line and field. */
export function parseConfigText(text: string, file: string, env: Env = {}) {
  return parseYamlFile(configFileSchema, text, file, env);
}

function envPort(env: Env): number | undefined {
  const v = env.VIGIL_PORT;
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new ConfigError(`VIGIL_PORT: "${v}" is not a port number`);
  return Number(v);
}

/** The installed package's root (this file is src/config/load.ts or dist/config/load.js), which ships rules/ and runbooks/. */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

const isUrl = (p: string) => /^[a-z]+:\/\//i.test(p);
const isPostgresUrl = (p: string) => /^postgres(ql)?:\/\//i.test(p);

/**
 * Loads the configuration once at start-up: VIGIL_CONFIG (default vigil.yaml in the working directory),
 * then the contract's env variables on top. A missing default file means built-in defaults. Paths written in
 * the file are relative to the file; env variables and defaults to the working directory, except that without
 * a configured rules.dir / runbooks.dir and without ./rules / ./runbooks, the package's own are used.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const explicit = env.VIGIL_CONFIG;
  const file = path.resolve(cwd, explicit ?? 'vigil.yaml');
  let fileConfig;
  let source: string | null = null;
  /** Which path fields the file itself sets. */
  let given = { store: false, rules: false, runbooks: false };
  if (existsSync(file)) {
    const shown = path.relative(cwd, file) || file;
    const text = readFileSync(file, 'utf8');
    fileConfig = parseConfigText(text, shown.startsWith('..') ? file : shown, env);
    const raw = parseYaml(text) as { store?: { path?: unknown }; rules?: { dir?: unknown }; runbooks?: { dir?: unknown } } | null;
    given = { store: raw?.store?.path !== undefined, rules: raw?.rules?.dir !== undefined, runbooks: raw?.runbooks?.dir !== undefined };
    source = file;
  } else if (explicit) {
    throw new ConfigError(`${explicit}: config file not found (VIGIL_CONFIG)`);
  } else {
    fileConfig = configFileSchema.parse({});
  }
  const port = envPort(env);
  if (port !== undefined) fileConfig.server.port = port;
  if (env.VIGIL_LOG_LEVEL) {
    const parsed = configFileSchema.shape.log.safeParse({ level: env.VIGIL_LOG_LEVEL });
    if (!parsed.success) throw new ConfigError(`VIGIL_LOG_LEVEL: "${env.VIGIL_LOG_LEVEL}" is not a log level`);
    fileConfig.log.level = parsed.data.level;
  }
  if (env.VIGIL_LOG_FORMAT) {
    const parsed = configFileSchema.shape.log.safeParse({ format: env.VIGIL_LOG_FORMAT });
    if (!parsed.success) throw new ConfigError(`VIGIL_LOG_FORMAT: "${env.VIGIL_LOG_FORMAT}" is not a log format (auto, json, pretty)`);
    fileConfig.log.format = parsed.data.format;
  }
  const fileDir = source ? path.dirname(source) : cwd;
  if (env.VIGIL_DB && isUrl(env.VIGIL_DB)) {
    if (!isPostgresUrl(env.VIGIL_DB)) throw new ConfigError('VIGIL_DB: give a file path (SQLite) or a postgres:// URL');
    fileConfig.store.url = env.VIGIL_DB;
  } else if (env.VIGIL_DB) {
    // A file named in the environment wins over a URL in the file: SQLite.
    fileConfig.store.path = path.resolve(cwd, env.VIGIL_DB);
    delete fileConfig.store.url;
  } else if (isPostgresUrl(fileConfig.store.path)) fileConfig.store.url ??= fileConfig.store.path;
  else if (isUrl(fileConfig.store.path)) throw new ConfigError('store.path: give a file path (SQLite), or a postgres:// URL in store.url');
  else fileConfig.store.path = path.resolve(given.store ? fileDir : cwd, fileConfig.store.path);
  const shipped = { rules: false, runbooks: false };
  /** A directory named in the file is found next to it (and must exist); the default falls back to the package's. */
  const directory = (kind: 'rules' | 'runbooks', configured: string): string => {
    if (given[kind]) return path.resolve(fileDir, configured);
    const local = path.resolve(cwd, configured);
    if (existsSync(local)) return local;
    shipped[kind] = true;
    return path.join(packageRoot, kind);
  };
  fileConfig.rules.dir = directory('rules', fileConfig.rules.dir);
  fileConfig.runbooks.dir = directory('runbooks', fileConfig.runbooks.dir);
  return {
    ...fileConfig,
    auth: { ingestTokens: splitTokens(env.VIGIL_INGEST_TOKEN), apiTokens: splitTokens(env.VIGIL_API_TOKEN) },
    source,
    shipped,
  };
}
