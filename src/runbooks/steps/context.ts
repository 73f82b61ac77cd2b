import type { Clock } from '../../time/clock.js';
import type { SecretMask } from '../secrets.js';
import type { RenderScope } from '../step-template.js';
import type { Sleep } from '../timing.js';
import type { Runbook, StepStatus } from '../types.js';

/** Sends a message to the incident's responders (the integration routes it through the outbox). */
export type NotifyPort = (message: string, meta: { runId: string; runbook: string; step: string }) => Promise<void> | void;

export interface ApprovalRequest {
  runId: string;
  runbook: string;
  step: string;
  prompt: string;
  /** Milliseconds the run waits; after that the step times out and `signal` fires so the request can be withdrawn. */
  timeout: number;
  signal: AbortSignal;
}
export interface ApprovalDecision {
  approved: boolean;
  /** Who decided (person id, Slack user, phone number). */
  by: string;
  comment?: string;
}
/** Resolves when a person approves or rejects (through the API, a Slack button or an SMS reply). */
export type ApprovalPort = (request: ApprovalRequest) => Promise<ApprovalDecision>;

/** Everything a step needs besides its own definition. */
export interface StepContext {
  runId: string;
  runbook: Runbook;
  scope: RenderScope;
  dryRun: boolean;
  clock: Clock;
  sleep: Sleep;
  /** Fires on shutdown. */
  signal?: AbortSignal;
  outputLimit: number;
  /** The runbook's lists merged with the global ones. */
  allowHosts: string[];
  allowCommands: string[];
  prometheusUrl?: string;
  notify?: NotifyPort;
  awaitApproval?: ApprovalPort;
  /** The runbook's secrets; the executor masks every result, steps mask what they cut off or send out. */
  secrets: SecretMask;
}

/** What a step reports; the executor adds name, type, times, `ok` and masks secrets. */
export interface StepOutcome {
  status: Exclude<StepStatus, 'skipped'>;
  output: string;
  error?: string;
  code?: number;
}

export const failed = (error: string, output = ''): StepOutcome => ({ status: 'failed', output, error });
