import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseYamlFile, type Env } from '../files/yaml-file.js';
import { runbookFileSchema } from './schema.js';
import type { Runbook } from './types.js';

/** Every runbook in the directory, by name; a reload swaps the whole set. */
export interface RunbookSet {
  dir: string;
  files: string[];
  runbooks: Map<string, Runbook>;
}

export interface LoadOptions {
  env?: Env;
  /** Global allow-lists (config runbooks.allowHosts / allowCommands). */
  allowHosts?: string[];
  allowCommands?: string[];
}

const runbookFile = /\.ya?ml$/;

/**
 * The environment as the YAML loader sees it, noting every value it reads for ${VAR}: those are the
 * secrets the executor masks in anything it records.
 */
function recordingEnv(env: Env, read: Set<string>): Env {
  return new Proxy(env, {
    get(target, name) {
      const value = Reflect.get(target, name) as string | undefined;
      if (typeof value === 'string' && value !== '') read.add(value);
      return value;
    },
  });
}

/** Parses one runbook file; problems throw ConfigError naming file, line, column and field. */
export function parseRunbookFile(text: string, file: string, options: LoadOptions = {}): Runbook {
  const read = new Set<string>();
  const env = recordingEnv(options.env ?? process.env, read);
  // What ${VAR} read is only known once the file has been interpolated, so those secrets are added afterwards.
  const runbook = parseYamlFile(runbookFileSchema({ allowHosts: options.allowHosts, allowCommands: options.allowCommands }), text, file, env);
  return { ...runbook, file, secrets: [...new Set([...runbook.secrets, ...read])] };
}

/** line:column of the top-level name: key, for the duplicate-name message. */
function nameLine(text: string): string {
  const index = text.split('\n').findIndex((l) => /^name\s*:/.test(l));
  return index < 0 ? '1:1' : `${index + 1}:1`;
}

/** Loads runbooks/*.yaml in name order, one runbook per file; any problem in any file throws ConfigError with all of them. */
export function loadRunbookSet(dir: string, options: LoadOptions = {}): RunbookSet {
  if (!existsSync(dir)) throw new ConfigError(`${dir}: runbooks directory not found`);
  const shown = (f: string) => path.relative(process.cwd(), path.join(dir, f)) || f;
  const files = readdirSync(dir).filter((f) => runbookFile.test(f)).sort();
  const problems: string[] = [];
  const runbooks = new Map<string, Runbook>();
  for (const f of files) {
    const file = shown(f);
    let runbook: Runbook;
    const text = readFileSync(path.join(dir, f), 'utf8');
    try {
      runbook = parseRunbookFile(text, file, options);
    } catch (err) {
      if (err instanceof ConfigError) {
        problems.push(...err.problems);
        continue;
      }
      throw err;
    }
    const earlier = runbooks.get(runbook.name);
    if (earlier) {
      problems.push(`${file}:${nameLine(text)}: name: runbook "${runbook.name}" is already defined in ${earlier.file}`);
      continue;
    }
    runbooks.set(runbook.name, runbook);
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'), problems);
  return { dir, files: files.map(shown), runbooks };
}
