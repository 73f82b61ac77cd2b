// The runbook module's public surface, for the integration (incident engine, HTTP API, config, metrics).
export { runbooksConfigSchema, type RunbooksConfig } from './config.js';
export { runRunbook, type RunOptions } from './executor.js';
export { RunbookGuards, targetKey, type Admission, type AdmitOptions, type GuardName, type GuardSettings } from './guards.js';
export { runbooksJsonSchema, runbooksSchemaId } from './json-schema.js';
export { LiveRunbooks } from './live-runbooks.js';
export { loadRunbookSet, parseRunbookFile, type LoadOptions, type RunbookSet } from './loader.js';
export { MemoryRunHistory, type RunHistory } from './run-history.js';
export { runbookFileSchema } from './schema.js';
export type { ApprovalDecision, ApprovalPort, ApprovalRequest, NotifyPort } from './steps/context.js';
export { realSleep, type Sleep } from './timing.js';
export type { AlertContext, RunOutcome, RunResult, Runbook, Step, StepResult, StepStatus, StepType } from './types.js';
