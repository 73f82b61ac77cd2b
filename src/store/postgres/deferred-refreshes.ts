import type { Query } from './pool.js';

interface Refresh {
  endsAt: number | null;
  expiresAt: number | null;
  at: number;
  count: number;
}

/**
 * Repeats that only move an alert's lifetime (Prometheus re-sending with a later endsAt) are the bulk of
 * ingest: within one write they are gathered and sent as one UPDATE, just before the write's next statement of
 * any kind (so every read sees them) or at its end. One round trip for a batch instead of one per alert.
 */
export class DeferredRefreshes {
  private readonly pending = new Map<number, Refresh>();

  constructor(private readonly q: Query) {}

  add(id: number, endsAt: number | null, expiresAt: number | null, at: number): void {
    const known = this.pending.get(id);
    // Repeats of one alert in one write: the latest lifetime, every delivery counted.
    if (known) Object.assign(known, { endsAt, expiresAt, at, count: known.count + 1 });
    else this.pending.set(id, { endsAt, expiresAt, at, count: 1 });
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    // Ids in ascending order, so that concurrent instances lock alike.
    const ids = [...this.pending.keys()].sort((a, b) => a - b);
    const rows = ids.map((id) => this.pending.get(id)!);
    this.pending.clear();
    await this.q(
      `UPDATE alerts SET ends_at = r.ends_at, expires_at = r.expires_at, last_received_at = r.at, receive_count = alerts.receive_count + r.n
         FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) AS r(id, ends_at, expires_at, at, n) WHERE alerts.id = r.id`,
      [ids, rows.map((r) => r.endsAt), rows.map((r) => r.expiresAt), rows.map((r) => r.at), rows.map((r) => r.count)],
    );
  }
}
