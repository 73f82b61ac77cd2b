import '../errors/zod-messages.js';
import { z } from 'zod';
import { durationSchema } from '../time/duration-schema.js';
import { compileRunbook, type CompileOptions } from './compile.js';
import { failureActions, stepTypes } from './types.js';

/**
 * One runbook per file, runbooks/<name>.yaml. This is the shape as written; compile.ts turns it into a
 * Runbook (templates parsed, durations in ms) and checks what needs the whole file: step names, references
 * to earlier steps, hosts and executables against the allow-lists.
 */

const duration = durationSchema({ examples: '500ms, 30s, 5m, 1h' });

const stepName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_-]{0,62}$/, 'letters, digits, _ and -, starting with a letter or _ (at most 63)');
const envName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a variable name');

const common = {
  name: stepName.describe('Unique in the runbook; later steps refer to it as steps.<name>.ok|status|code|output|error.'),
  description: z.string().optional(),
  timeout: duration.optional().describe('http: the whole request; command: until it is killed; check: each query; approve: how long to wait; notify: the hand-over.'),
  on_failure: z.enum(failureActions).default('stop').describe('stop: end the run as failed; continue: go on with the next step; escalate: end the run and page a human now.'),
  when: z.string().min(1).optional().describe('Run the step only if this holds, e.g. "steps.restart.ok" or "steps.check.status == \'failed\'".'),
};

const statusSpec = z.union([z.number().int().min(100).max(599), z.string().regex(/^[1-5]xx$/, 'a status like 200 or a class like 2xx')]);

export const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const httpStep = z
  .object({
    ...common,
    type: z.literal('http'),
    method: z.enum(httpMethods).default('GET'),
    url: z.string().min(1).describe('Scheme, host and port written out and on the allow-list; {{ }} only in the path and query (percent-encoded).'),
    headers: z.record(z.string(), z.string()).default({}).describe('Literal names; values may be templates (a value with a line break fails the step).'),
    body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional().describe('An object or list is sent as JSON (templated string values are JSON-encoded); a string is sent as is, without templates.'),
    expect_status: z.union([statusSpec, z.array(statusSpec).min(1)]).optional().describe('Statuses that count as success (default 2xx).'),
  })
  .strict();

const commandArg = z.union([
  z.string(),
  z
    .object({
      value: z.string(),
      allow_leading_dash: z.boolean().default(false).describe('Let an alert value make this argument start with "-" (off: refused, against option injection).'),
    })
    .strict(),
], { error: (issue) => (issue.code === 'invalid_union' ? 'expected a string (quote numbers: \'+7\') or { value, allow_leading_dash }' : undefined) });

const commandStep = z
  .object({
    ...common,
    type: z.literal('command'),
    command: z.string().min(1).describe('Absolute path of the executable, on the allow-list; run without a shell.'),
    args: z.array(commandArg).default([]).describe('Each entry is exactly one argument; templates are allowed.'),
    env: z.record(envName, z.string()).default({}).describe("The program's environment besides PATH and LANG (Vigil's own environment is not passed on)."),
    cwd: z.string().optional().describe('Working directory (a literal absolute path).'),
    kill_grace: duration.optional().describe('After the timeout the program gets SIGTERM, then SIGKILL after this long.'),
  })
  .strict();

const checkStep = z
  .object({
    ...common,
    type: z.literal('check'),
    query: z.string().min(1).describe('PromQL; {{ }} only inside quoted strings (escaped as PromQL string literals).'),
    condition: z.string().default('result_nonempty').describe('result_nonempty, result_empty, or a comparison every sample must pass: "> 0", "== 1", "< 0.5".'),
    retries: z.number().int().min(0).max(1000).default(0).describe('Extra attempts after the first.'),
    interval: duration.prefault('10s').describe('Pause between attempts.'),
  })
  .strict();

const waitStep = z.object({ ...common, type: z.literal('wait'), duration: duration.describe('How long to wait, e.g. 30s.') }).strict();
const notifyStep = z
  .object({ ...common, type: z.literal('notify'), message: z.string().min(1).describe("Sent to the incident's responders; templates allowed.") })
  .strict();
const approveStep = z
  .object({ ...common, type: z.literal('approve'), prompt: z.string().min(1).describe('What the person is asked; the run waits up to `timeout` (default 15m).') })
  .strict();

const step = z.discriminatedUnion('type', [httpStep, commandStep, checkStep, waitStep, notifyStep, approveStep], {
  error: (issue) =>
    issue.code === 'invalid_union' && issue.input !== undefined
      ? `unknown step type "${String((issue.input as { type?: unknown })?.type)}" (expected ${stepTypes.join(', ')})`
      : issue.input === undefined
        ? 'required'
        : undefined,
});

export const runbookShape = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and - (at most 63)').describe('Rules refer to the runbook by this name (set.runbooks).'),
    description: z.string().optional(),
    dry_run: z.boolean().default(false).describe('Record what each step would do without doing it.'),
    concurrency: z.number().int().min(1).max(100).default(1).describe('Runs of this runbook at the same time.'),
    rate_limit: z
      .object({
        max: z.number().int().min(1).describe('Runs allowed per window for one target.'),
        per: duration.describe('The sliding window, e.g. 1h.'),
        key: z.string().optional().describe('The target, templated from the alert, e.g. "{{ labels.service }}"; unset: one budget for all targets.'),
      })
      .strict()
      .optional()
      .describe('At most `max` runs per `per` for each target `key`; the next match pages a human and says why. A cooldown is max: 1.'),
    allow_hosts: z.array(z.string()).default([]).describe('Hosts http steps may call (host, host:port, *.domain), besides the global runbooks.allowHosts.'),
    allow_commands: z.array(z.string()).default([]).describe('Executables command steps may run (absolute paths), besides the global runbooks.allowCommands.'),
    env: z.record(envName, z.string()).default({}).describe('Secrets for {{ env.NAME }}, usually "${VAR}"; masked in everything recorded.'),
    steps: z.array(step).min(1).describe('Run in order; each step has a type, a timeout, an on_failure and an optional when.'),
  })
  .strict();

export type RunbookInput = z.output<typeof runbookShape>;
export type RawStep = RunbookInput['steps'][number];

/** The schema of a runbook file, with the global allow-lists the file is checked against. */
export function runbookFileSchema(options: CompileOptions = {}) {
  return runbookShape.transform((raw, ctx) => compileRunbook(raw, ctx, options));
}
