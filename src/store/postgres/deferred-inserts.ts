import { alertRows } from '../rows/alerts.js';
import { EVENT_COLUMNS, eventValues } from '../rows/timeline.js';
import type { NewAlert } from '../types/alerts.js';
import type { NewTimelineEvent } from '../types/incidents.js';
import { columnValuesOf } from '../dynamic-sql.js';
import type { Query } from './pool.js';

type ColumnType = 'text' | 'bigint';

/**
 * New rows whose ids nobody waits for (an alert storm's firing alerts, the timeline events of its first alerts):
 * within one write they are gathered and sent as one `INSERT … SELECT * FROM unnest(…)`, just before the write's
 * next statement of any kind (so every read sees them, and ids keep the order the rows were added in) or at its
 * end. One round trip for a run of rows instead of one per row; a unique key one of them breaks fails that
 * statement, in the same write, as its own INSERT would have.
 */
export class DeferredInserts<T> {
  private pending: T[] = [];
  private readonly sql: string;

  constructor(
    private readonly q: Query,
    table: string,
    columns: readonly (readonly [name: string, type: ColumnType])[],
    /** A row's values, in the order of `columns`. */
    private readonly values: (row: T) => unknown[],
  ) {
    this.sql = `INSERT INTO ${table} (${columns.map(([c]) => c).join(', ')}) SELECT * FROM unnest(${columns.map(([, t]) => `?::${t}[]`).join(', ')})`;
  }

  add(row: T): void {
    this.pending.push(row);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending.map(this.values);
    this.pending = [];
    // One array per column, as unnest takes them.
    await this.q(
      this.sql,
      rows[0]!.map((_, i) => rows.map((r) => r[i])),
    );
  }
}

const alertColumnTypes: Record<string, ColumnType> = {
  fingerprint: 'text',
  incident_id: 'bigint',
  source: 'text',
  status: 'text',
  severity: 'text',
  raw_severity: 'text',
  labels: 'text',
  annotations: 'text',
  starts_at: 'bigint',
  ends_at: 'bigint',
  expires_at: 'bigint',
  generator_url: 'text',
  links: 'text',
  value_data: 'text',
  first_received_at: 'bigint',
  last_received_at: 'bigint',
  receive_count: 'bigint',
  resolved_at: 'bigint',
  resolved_by: 'text',
  suppressed_by: 'text',
};
const alertFields = Object.keys(alertRows.writable);
const alertValues = columnValuesOf(alertRows.writable);
const alertColumns = alertFields.map((f) => {
  const column = alertRows.writable[f]!;
  const type = alertColumnTypes[column];
  if (!type) throw new Error(`deferred-inserts.ts: no type for alerts.${column}`);
  return [column, type] as const;
});

/** A write's new alerts (addAlert). */
export function deferredAlertInserts(q: Query): DeferredInserts<NewAlert> {
  return new DeferredInserts<NewAlert>(q, 'alerts', alertColumns, alertValues);
}

const eventColumnTypes: Record<(typeof EVENT_COLUMNS)[number], ColumnType> = {
  incident_id: 'bigint',
  at: 'bigint',
  kind: 'text',
  actor: 'text',
  source: 'text',
  message: 'text',
  data: 'text',
};

/** A write's timeline events whose ids nobody needs (recordEvent). */
export function deferredEvents(q: Query): DeferredInserts<NewTimelineEvent> {
  return new DeferredInserts<NewTimelineEvent>(q, 'timeline', EVENT_COLUMNS.map((c) => [c, eventColumnTypes[c]] as const), eventValues);
}
