import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configFileSchema, type Config } from './schema.js';
import { ConfigError, parseYamlFile, type Env } from './yaml-file.js';

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

/**
 * Loads the configuration once at start-up: VIGIL_CONFIG (default vigil.yaml in the working directory),
 * then the contract's env variables on top. A missing default file means built-in defaults.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const explicit = env.VIGIL_CONFIG;
  const file = path.resolve(cwd, explicit ?? 'vigil.yaml');
  let fileConfig;
  let source: string | null = null;
  let rulesDirGiven = false;
  let runbooksDirGiven = false;
  if (existsSync(file)) {
    const shown = path.relative(cwd, file) || file;
    const text = readFileSync(file, 'utf8');
    fileConfig = parseConfigText(text, shown.startsWith('..') ? file : shown, env);
    const raw = parseYaml(text) as { rules?: { dir?: unknown }; runbooks?: { dir?: unknown } } | null;
    rulesDirGiven = raw?.rules?.dir !== undefined;
    runbooksDirGiven = raw?.runbooks?.dir !== undefined;
    source = file;
  } else if (explicit) {
    throw new ConfigError(`${explicit}: config file not found (VIGIL_CONFIG)`);
  } else {
    fileConfig = configFileSchema.parse({});
  }
  const port = envPort(env);
  if (port !== undefined) fileConfig.server.port = port;
  if (env.VIGIL_DB) fileConfig.store.path = env.VIGIL_DB;
  if (env.VIGIL_LOG_LEVEL) {
    const parsed = configFileSchema.shape.log.safeParse({ level: env.VIGIL_LOG_LEVEL });
    if (!parsed.success) throw new ConfigError(`VIGIL_LOG_LEVEL: "${env.VIGIL_LOG_LEVEL}" is not a log level`);
    fileConfig.log.level = parsed.data.level;
  }
  if (!/^[a-z]+:\/\//i.test(fileConfig.store.path)) fileConfig.store.path = path.resolve(cwd, fileConfig.store.path);
  // A rules directory named in the file is found next to that file; the default is ./rules of the working directory.
  fileConfig.rules.dir = path.resolve(source && rulesDirGiven ? path.dirname(source) : cwd, fileConfig.rules.dir);
  fileConfig.runbooks.dir = path.resolve(source && runbooksDirGiven ? path.dirname(source) : cwd, fileConfig.runbooks.dir);
  return {
    ...fileConfig,
    auth: { ingestTokens: splitTokens(env.VIGIL_INGEST_TOKEN), apiTokens: splitTokens(env.VIGIL_API_TOKEN) },
    source,
  };
}
