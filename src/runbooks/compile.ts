import { commandAllowed, hostAllowed, parseHostEntry, validateCommandPath } from './allow-list.js';
import { ConditionError, conditionSteps, parseCondition } from './condition.js';
import { compilePromqlTemplate } from './promql-template.js';
import type { RawStep, RunbookInput } from './schema.js';
import { compileArg, type CommandArg } from './steps/command-args.js';
import { parseCheckCondition } from './steps/check-condition.js';
import { shellScriptArgs } from './steps/shell-script.js';
import { compileJsonBody, jsonBodyTemplates } from './steps/json-body.js';
import { compileTemplate, describeReference, references, type Template } from './step-template.js';
import type { Runbook, Step } from './types.js';
import { compileUrlTemplate, urlTemplateHost } from './url-template.js';

export interface CompileOptions {
  /** Global allow-lists (config runbooks.allowHosts / allowCommands), merged with each runbook's own. */
  allowHosts?: string[];
  allowCommands?: string[];
  /** Values read from ${VAR} while loading the file, masked in recorded output. */
  secrets?: string[];
}

type Path = (string | number)[];
interface Ctx {
  addIssue(issue: { code: 'custom'; message: string; path: Path }): void;
}

const defaultTimeout: Record<RawStep['type'], number> = {
  http: 30_000,
  command: 60_000,
  check: 10_000,
  wait: 0,
  notify: 30_000,
  approve: 15 * 60_000,
};

/** Headers the transport owns: setting them could re-route the request or split it. */
const forbiddenHeaders = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer', 'expect']);
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Compiles a validated runbook file; every problem is reported at its field so the loader can name the line. */
export function compileRunbook(raw: RunbookInput, ctx: Ctx, options: CompileOptions): Runbook {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', message, path });
  const allowHosts = [...raw.allow_hosts, ...(options.allowHosts ?? [])];
  const allowCommands = [...raw.allow_commands, ...(options.allowCommands ?? [])];
  raw.allow_hosts.forEach((h, i) => {
    const parsed = parseHostEntry(h);
    if (typeof parsed === 'string') issue(['allow_hosts', i], parsed);
  });
  raw.allow_commands.forEach((c, i) => {
    const problem = validateCommandPath(c);
    if (problem) issue(['allow_commands', i], problem);
  });

  const earlier = new Set<string>();
  /** Compiles a template and checks that what it reads exists where it can be checked: env names, earlier steps. */
  const template = (source: string, path: Path, allowSteps = true): Template | null => {
    let t: Template;
    try {
      t = compileTemplate(source);
    } catch (err) {
      issue(path, (err as Error).message);
      return null;
    }
    checkRefs(t, path, allowSteps);
    return t;
  };
  const checkRefs = (t: Template, path: Path, allowSteps = true) => {
    for (const ref of references(t)) {
      if (ref.kind === 'env' && !Object.hasOwn(raw.env, ref.name)) issue(path, `{{ ${describeReference(ref)} }}: ${ref.name} is not declared under env:`);
      if (ref.kind === 'steps' && (!allowSteps || !earlier.has(ref.step))) {
        issue(path, `{{ ${describeReference(ref)} }}: ${allowSteps ? `no earlier step is named "${ref.step}"` : 'step results cannot be used here'}`);
      }
    }
  };

  let key: Template | null = null;
  if (raw.rate_limit?.key !== undefined) key = template(raw.rate_limit.key, ['rate_limit', 'key'], false);

  const steps: Step[] = [];
  raw.steps.forEach((s, i) => {
    const at = (...p: Path): Path => ['steps', i, ...p];
    if (earlier.has(s.name)) issue(at('name'), `step name "${s.name}" is used twice`);
    let when: Step['when'] = null;
    if (s.when !== undefined) {
      try {
        when = { source: s.when, test: parseCondition(s.when) };
        for (const name of conditionSteps(when.test)) if (!earlier.has(name)) issue(at('when'), `steps.${name}: no earlier step is named "${name}"`);
      } catch (err) {
        if (!(err instanceof ConditionError)) throw err;
        issue(at('when'), err.message);
      }
    }
    const base = { name: s.name, description: s.description, timeout: s.timeout ?? defaultTimeout[s.type], onFailure: s.on_failure, when };
    const compiled = compileStep(s, base, { at, issue, template, checkRefs, allowHosts, allowCommands });
    if (compiled) steps.push(compiled);
    earlier.add(s.name);
  });

  const secrets = [...Object.values(raw.env), ...(options.secrets ?? [])];
  return {
    name: raw.name,
    description: raw.description,
    file: '',
    dryRun: raw.dry_run,
    concurrency: raw.concurrency,
    rateLimit: raw.rate_limit ? { max: raw.rate_limit.max, per: raw.rate_limit.per, key } : null,
    allowHosts,
    allowCommands,
    env: { ...raw.env },
    secrets: [...new Set(secrets)],
    steps,
  };
}

interface StepTools {
  at: (...p: Path) => Path;
  issue: (path: Path, message: string) => void;
  template: (source: string, path: Path) => Template | null;
  checkRefs: (t: Template, path: Path) => void;
  allowHosts: string[];
  allowCommands: string[];
}
type Base = Pick<Step, 'name' | 'description' | 'timeout' | 'onFailure' | 'when'>;

function compileStep(s: RawStep, base: Base, tools: StepTools): Step | null {
  const { at, issue, template, checkRefs } = tools;
  const attempt = <T>(path: Path, f: () => T): T | null => {
    try {
      return f();
    } catch (err) {
      issue(path, (err as Error).message);
      return null;
    }
  };
  switch (s.type) {
    case 'http': {
      const url = attempt(at('url'), () => compileUrlTemplate(s.url));
      if (!url) return null;
      checkRefs(url.rest, at('url'));
      const host = urlTemplateHost(url);
      if (!hostAllowed(host, tools.allowHosts)) issue(at('url'), `host ${host.host} is not on the allow-list (allow_hosts or runbooks.allowHosts)`);
      const headers: { name: string; value: Template }[] = [];
      for (const [name, value] of Object.entries(s.headers)) {
        if (!headerName.test(name)) issue(at('headers', name), `invalid header name "${name}"`);
        else if (forbiddenHeaders.has(name.toLowerCase())) issue(at('headers', name), `header ${name} cannot be set by a runbook`);
        const t = template(value, at('headers', name));
        if (t) headers.push({ name, value: t });
      }
      let body: Extract<Step, { type: 'http' }>['body'] = null;
      if (typeof s.body === 'string') {
        if (s.body.includes('{{')) issue(at('body'), 'a string body is sent as written and cannot hold templates; use an object (sent as JSON, values encoded)');
        body = { kind: 'text', value: s.body };
      } else if (s.body !== undefined) {
        const value = compileJsonBody(s.body, (p, m) => issue(at('body', ...p), m));
        for (const t of jsonBodyTemplates(value)) checkRefs(t, at('body'));
        body = { kind: 'json', value };
      }
      const specs = s.expect_status === undefined ? ['2xx'] : Array.isArray(s.expect_status) ? s.expect_status : [s.expect_status];
      return {
        ...base,
        type: 'http',
        method: s.method,
        url,
        headers,
        body,
        expectStatus: specs.filter((x): x is number => typeof x === 'number'),
        expectClasses: specs.filter((x): x is string => typeof x === 'string').map((x) => Number(x[0])),
      };
    }
    case 'command': {
      const problem = s.command.includes('{{') ? 'the executable cannot be templated' : validateCommandPath(s.command);
      if (problem) issue(at('command'), problem);
      else if (!commandAllowed(s.command, tools.allowCommands)) issue(at('command'), `${s.command} is not on the allow-list (allow_commands or runbooks.allowCommands)`);
      if (s.cwd !== undefined && (s.cwd.includes('{{') || validateCommandPath(s.cwd))) issue(at('cwd'), 'cwd must be a literal absolute path');
      const args: CommandArg[] = [];
      s.args.forEach((a, j) => {
        const source = typeof a === 'string' ? a : a.value;
        const arg = attempt(at('args', j), () => compileArg(source, typeof a === 'string' ? false : a.allow_leading_dash));
        if (arg) {
          checkRefs(arg.template, at('args', j));
          args.push(arg);
        }
      });
      // A shell runs its -c argument as code: a template there would run whatever the alert's labels say.
      const sources = s.args.map((a) => (typeof a === 'string' ? a : a.value));
      const script = shellScriptArgs(s.command, sources).find((i) => sources[i]!.includes('{{'));
      if (script !== undefined) {
        issue(
          at('args', script),
          `step "${s.name}": ${s.command} runs this argument as a shell script, so a template in it would run alert data as commands; ` +
            `keep the script fixed and pass values after it as "$1", "$2" (args: [-c, 'df -h "$1"', sh, '{{ labels.mount }}']) or through env`,
        );
      }
      const env: { name: string; value: Template }[] = [];
      for (const [name, value] of Object.entries(s.env)) {
        const t = template(value, at('env', name));
        if (t) env.push({ name, value: t });
      }
      return { ...base, type: 'command', command: s.command, args, env, cwd: s.cwd, killGrace: s.kill_grace ?? 2_000 };
    }
    case 'check': {
      const query = attempt(at('query'), () => compilePromqlTemplate(s.query));
      if (query) checkRefs(query.template, at('query'));
      const condition = attempt(at('condition'), () => parseCheckCondition(s.condition));
      if (!query || !condition) return null;
      return { ...base, type: 'check', query, condition, retries: s.retries, interval: s.interval };
    }
    case 'wait':
      return { ...base, type: 'wait', duration: s.duration };
    case 'notify': {
      const message = template(s.message, at('message'));
      return message && { ...base, type: 'notify', message };
    }
    case 'approve': {
      const prompt = template(s.prompt, at('prompt'));
      return prompt && { ...base, type: 'approve', prompt };
    }
  }
}

