import { alertRows } from '../rows/alerts.js';
import { toColumnValue } from './dynamic-sql.js';
import type { NewAlert } from '../types/alerts.js';
import type { Query } from './pool.js';

/** Each written column's type, for the arrays the insert unnests. */
const columnTypes: Record<string, 'text' | 'bigint'> = {
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

const fields = Object.keys(alertRows.writable);
const columns = fields.map((f) => alertRows.writable[f]!);
for (const c of columns) if (!columnTypes[c]) throw new Error(`deferred-alert-inserts.ts: no type for alerts.${c}`);
const INSERT_SQL = `INSERT INTO alerts (${columns.join(', ')}) SELECT * FROM unnest(${columns.map((c) => `?::${columnTypes[c]}[]`).join(', ')})`;

/**
 * New alerts whose ids nobody waits for (an alert storm's firing alerts): within one write they are gathered and
 * sent as one INSERT, just before the write's next statement of any kind (so every read sees them) or at its
 * end. One round trip for a run of new alerts instead of one per alert. A unique key one of them breaks fails
 * that statement, in the same write, as its own INSERT would have.
 */
export class DeferredAlertInserts {
  private pending: NewAlert[] = [];

  constructor(private readonly q: Query) {}

  add(alert: NewAlert): void {
    this.pending.push(alert);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    const values = rows as unknown as Record<string, unknown>[];
    await this.q(
      INSERT_SQL,
      fields.map((f) => values.map((row) => toColumnValue(f, row[f] ?? null))),
    );
  }
}
