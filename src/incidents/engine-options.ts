import type { Alert } from '../alerts/alert.js';
import type { GroupBy } from '../rules/grouping.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { IncidentRow, StoreTx } from '../store/types.js';
import type { DecidedAlerts } from './engine-port.js';
import type { PagingPort } from './paging-port.js';

/** What every piece of the engine reads: the rules in force and the ports it writes through. */
export interface EngineOptions {
  groupBy: GroupBy;
  flapWindowMs: number;
  /** The rules in force; read on every decision so a reload takes effect at once. */
  rules: () => RuleSet;
  /** Writes pages and notices to the outbox; absent, nobody is notified (tests of the core alone). */
  planner?: PagingPort;
  /** Called after a commit that wrote to the outbox. */
  onOutbox?: () => void;
  /** Counts SLA breaches (vigil_sla_breaches_total). */
  onSlaBreach?: (priority: string, kind: 'ack' | 'resolve') => void;
  /** Silences and firing alerts could not be read at start-up (tried again shortly). */
  onMirrorLoadFailure?: (err: unknown) => void;
  /** Queues runbooks; absent, rules' runbooks are not run. */
  remediation?: RemediationPort;
  /** Delivered alerts that are heartbeat pings (the Watchdog); absent, every alert is an alert. */
  pings?: PingTap;
}

/** Takes the alerts that are heartbeat pings out of an ingest write and records them in it. */
export interface PingTap {
  /** Resolves once the monitors are known (ingest waits for it at start-up, or a Watchdog would become an incident). */
  ready(): Promise<void>;
  /** Null when none of the alerts is a ping (the common case, answered without I/O); else which were, and what follows. */
  take(tx: StoreTx, alerts: Alert[]): Promise<{ taken: boolean[]; follow: DecidedAlerts<unknown> } | null>;
}

/** The engine's door to auto-remediation: runs are queued in the transaction that opened the incident cycle. */
export interface RemediationPort {
  /** Queues the named runbooks for the incident, as triggered by the alert; returns how many were queued. */
  enqueue(tx: StoreTx, incident: IncidentRow, runbooks: string[], alert: Alert, now: number): Promise<number>;
}

/** Wakes the dispatcher once this write has committed, when it wrote messages to the outbox. */
export function wakeAfterCommit(ctx: EngineOptions, tx: StoreTx, wrote: boolean): void {
  if (wrote) tx.afterCommit(() => ctx.onOutbox?.());
}
