import type { Condition } from './condition.js';
import type { CommandArg } from './steps/command-args.js';
import type { JsonTemplate } from './steps/json-body.js';
import type { Template } from './step-template.js';
import type { PromqlTemplate } from './promql-template.js';
import type { UrlTemplate } from './url-template.js';

/** What a runbook may read from the alert that started it. */
export interface AlertContext {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  incident: { id: string; title: string; severity: string };
}

export const stepTypes = ['http', 'command', 'check', 'wait', 'notify', 'approve'] as const;
export type StepType = (typeof stepTypes)[number];

export const failureActions = ['stop', 'continue', 'escalate'] as const;
export type FailureAction = (typeof failureActions)[number];

export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'timed_out' | 'dry_run';

/** One step as it ran (or did not); later steps' `when` conditions and templates read these. */
export interface StepResult {
  name: string;
  type: StepType;
  ok: boolean;
  status: StepStatus;
  /** Epoch milliseconds from the injected clock. */
  startedAt: number;
  endedAt: number;
  /** What was done and what came back, size-limited, secrets masked. */
  output: string;
  error?: string;
  /** HTTP status of an http step, exit code of a command step. */
  code?: number;
}

/**
 * succeeded: every step ran (failures marked `on_failure: continue` do not count against the run);
 * failed: a step failed with `on_failure: stop`; escalate: a step failed with `on_failure: escalate`, page now;
 * dry_run: nothing was done, the steps say what would have been; aborted: shutdown interrupted the run.
 */
export type RunOutcome = 'succeeded' | 'failed' | 'escalate' | 'dry_run' | 'aborted';

export interface RunResult {
  runId: string;
  runbook: string;
  outcome: RunOutcome;
  dryRun: boolean;
  startedAt: number;
  endedAt: number;
  steps: StepResult[];
}

interface StepBase {
  name: string;
  description?: string;
  /** Milliseconds; what it bounds depends on the step type (see the schema). */
  timeout: number;
  onFailure: FailureAction;
  /** Run the step only if this holds; `source` is the text as written, for the record. */
  when: { source: string; test: Condition } | null;
}

export interface HttpStep extends StepBase {
  type: 'http';
  method: string;
  url: UrlTemplate;
  headers: { name: string; value: Template }[];
  /** An object body is sent as JSON; its string leaves are templates (see json-body.ts). A string body is literal. */
  body: { kind: 'json'; value: JsonTemplate } | { kind: 'text'; value: string } | null;
  /** Statuses (200) or classes (2 for 2xx) that count as success. */
  expectStatus: number[];
  expectClasses: number[];
}

export interface CommandStep extends StepBase {
  type: 'command';
  command: string;
  args: CommandArg[];
  env: { name: string; value: Template }[];
  cwd?: string;
  /** After the timeout: SIGTERM, then SIGKILL after this many milliseconds. */
  killGrace: number;
}

export type CheckCondition =
  | { kind: 'result_nonempty' }
  | { kind: 'result_empty' }
  | { kind: 'compare'; op: '>' | '>=' | '<' | '<=' | '==' | '!='; value: number; source: string };

export interface CheckStep extends StepBase {
  type: 'check';
  query: PromqlTemplate;
  condition: CheckCondition;
  retries: number;
  interval: number;
}

export interface WaitStep extends StepBase {
  type: 'wait';
  duration: number;
}

export interface NotifyStep extends StepBase {
  type: 'notify';
  message: Template;
}

export interface ApproveStep extends StepBase {
  type: 'approve';
  prompt: Template;
}

export type Step = HttpStep | CommandStep | CheckStep | WaitStep | NotifyStep | ApproveStep;

export interface RateLimit {
  max: number;
  per: number;
  /** Identifies the target (e.g. the service) so each target has its own budget. */
  key: Template | null;
}

/** A runbook compiled from one file: templates parsed, durations in milliseconds, references checked. */
export interface Runbook {
  name: string;
  description?: string;
  /** File it came from (as shown in errors), or '' when built in code. */
  file: string;
  dryRun: boolean;
  concurrency: number;
  rateLimit: RateLimit | null;
  allowHosts: string[];
  allowCommands: string[];
  /** Values for {{ env.NAME }}; always masked in anything recorded. */
  env: Record<string, string>;
  /** Every value to mask in recorded output: env values and anything read from ${VAR} while loading. */
  secrets: string[];
  steps: Step[];
}
