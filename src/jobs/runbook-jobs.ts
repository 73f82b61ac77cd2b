import type { RunbookRunner } from '../runbooks/runner.js';
import type { Job } from './scheduler.js';

/** Starts queued runbook runs the commit-time wake-up missed (and, after a restart, every queued one). */
export function runbooksJob(runner: RunbookRunner): Job {
  return { name: 'runbooks', run: () => runner.poll() };
}
