import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Severity } from '../../alerts/severity.js';
import { severities } from '../../alerts/severity.js';
import { unavailable } from '../../errors/errors.js';
import { classifyFault, isOpenFailure } from './faults.js';
import { AlertStateCache } from './alert-state-cache.js';
import { GroupCommit } from './group-commit.js';
import { statementCache, type Stmt } from './statements.js';
import type {
  AlertQuery,
  AlertRow,
  DigestScheduleRow,
  IncidentChange,
  IncidentQuery,
  IncidentStatus,
  IncidentRow,
  NewAlert,
  NewIncident,
  NewTimelineEvent,
  NotificationAttempt,
  NotificationRow,
  TimerKind,
  Store,
  StoreTx,
  TimelineEvent,
} from '../types.js';
import { migrations } from './migrations.js';
import type { SilenceRow } from '../../rules/suppression-types.js';
import { DatabaseOpenError, explainOpenFailure } from './open-problem.js';
import { DatabaseInUseError, lockDatabase, type ProcessLock } from './process-lock.js';

/** Severity as a sort key: critical first. The expression matches the index incidents_open_by_urgency word for word. */
const SEVERITY_RANK = "(CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 WHEN 'reminder' THEN 2 ELSE 3 END)";

/** The WHERE terms every incident list shares (status, order and paging aside). */
function incidentFilters(q: Omit<IncidentQuery, 'limit'>): { where: string[]; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  for (const [column, value] of [['severity', q.severity], ['team', q.team], ['service', q.service]] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    args.push(value);
  }
  if (q.text !== undefined && q.text.trim() !== '') {
    const like = `%${q.text.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push("(lower(title) LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM alerts a WHERE a.incident_id = incidents.id AND lower(a.labels) LIKE ? ESCAPE '\\'))");
    args.push(like, like);
  }
  if (q.pagedPerson !== undefined) {
    where.push("EXISTS (SELECT 1 FROM notifications n WHERE n.incident_id = incidents.id AND n.person = ? AND n.kind IN ('page', 'escalation'))");
    args.push(q.pagedPerson);
  }
  return { where, args };
}

/** The process lock when no Vigil holds it, else null. */
function lockIfFree(file: string): ProcessLock | null {
  try {
    return lockDatabase(file);
  } catch (err) {
    if (err instanceof DatabaseInUseError) return null;
    throw err;
  }
}
import { reportReads } from './report-reads.js';
import { runbookReads, runbookTx } from './runbook-runs.js';
import type { RunbookReads } from '../types/runbooks.js';
import { accessReads, accessTx } from './access.js';
import type { AccessReads } from '../types/access.js';
import {
  alertColumns,
  alertFromRow,
  alertStateFromRow,
  eventFromRow,
  silenceColumns,
  silenceFromRow,
  notificationColumns,
  notificationFromRow,
  attemptFromRow,
  incidentColumns,
  incidentFromRow,
  toColumnValue,
} from './rows.js';

// ---- reports
function digestScheduleFromRow(r: Record<string, unknown>): DigestScheduleRow {
  return {
    name: r.name as string,
    cron: r.cron as string,
    timeZone: r.time_zone as string,
    dueAt: r.due_at as number,
    lastRunAt: (r.last_run_at as number | null) ?? null,
    lastSince: (r.last_since as number | null) ?? null,
    lastUntil: (r.last_until as number | null) ?? null,
  };
}

export interface SqliteStoreOptions {
  path: string;
  synchronous: 'full' | 'normal';
  maxPendingWrites: number;
  busyTimeoutMs: number;
  /** Called after each group commit with its duration and how many writes it carried. */
  onCommit?: (seconds: number, writes: number) => void;
  /** An afterCommit callback failed (the write itself is committed). */
  onEffectError?: (err: unknown) => void;
  /**
   * Open for reading only (`vigil report`, `vigil rules test`): no lock, no migrations, no writes; the file must
   * exist and have this Vigil's schema. Without it the store serves: it takes the process lock and migrates.
   */
  readonly?: boolean;
  /**
   * A short write next to a Vigil that may be serving the file (`vigil token`): no process lock is kept. The
   * schema is brought up to date only while nobody serves the file; otherwise it must already be current.
   */
  alongside?: boolean;
}



/** The embedded store: writes are group-committed (group-commit.ts). */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt: Stmt;
  private readonly commits: GroupCommit;
  private closed = false;
  private readonly tx: StoreTx;
  private readonly alertStates = new AlertStateCache();
  /** Held by the serving store for as long as it is open: one process per database file. */
  private lock: ProcessLock | null = null;

  constructor(private readonly options: SqliteStoreOptions) {
    const file = options.path;
    const mode = options.readonly ? 'read' : 'write';
    const explained = (err: unknown) =>
      isOpenFailure(err) ? new DatabaseOpenError(file, explainOpenFailure(file, err, mode), err) : err;
    try {
      if (file !== ':memory:' && !options.readonly) {
        mkdirSync(path.dirname(file), { recursive: true });
        this.lock = options.alongside ? lockIfFree(file) : lockDatabase(file);
      }
      this.db = new Database(file, { timeout: options.busyTimeoutMs, readonly: options.readonly === true, fileMustExist: options.readonly === true });
    } catch (err) {
      this.lock?.release();
      throw explained(err);
    }
    try {
      if (options.readonly || (options.alongside && !this.lock)) {
        this.checkSchema();
        if (!options.readonly) this.db.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
      } else {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
        this.migrate();
        // SQLite opens a file it may not write read-only without a word: one real write finds out now, not at the first alert.
        this.db.pragma(`user_version = ${migrations.length}`);
      }
    } catch (err) {
      this.db.close();
      this.lock?.release();
      throw explained(err);
    }
    this.stmt = statementCache(this.db);
    this.commits = new GroupCommit(this.db, this.stmt, {
      maxPendingWrites: options.maxPendingWrites,
      onCommit: options.onCommit,
      onEffectError: options.onEffectError,
      onRollback: () => this.alertStates.clear(),
    });
    this.tx = this.alertStates.over(this.makeTx());
    // Migrated while nobody served the file; a Vigil may start on it now.
    if (options.alongside) {
      this.lock?.release();
      this.lock = null;
    }
  }

  private schemaVersion(): number {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > migrations.length) {
      throw new Error(
        `database ${this.options.path} has schema version ${current}, newer than this Vigil (${migrations.length}); upgrade Vigil`,
      );
    }
    return current;
  }

  /** A reader runs no migrations: a database it does not understand is refused with what to do. */
  private checkSchema(): void {
    const current = this.schemaVersion();
    if (current === migrations.length) return;
    const tables = (this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    if (current === 0 && tables === 0) throw new Error(`database ${this.options.path} is empty: it is not a Vigil database yet`);
    if (current === 0) throw new Error(`database ${this.options.path} is not a Vigil database`);
    throw new Error(
      `database ${this.options.path} has schema version ${current}, older than this Vigil (${migrations.length}); start \`vigil serve\` on it once to upgrade it`,
    );
  }

  private migrate(): void {
    const current = this.schemaVersion();
    // Off while migrating, so a migration can rebuild a table that others reference (SQLite's documented way);
    // each migration is checked for broken references before it commits.
    this.db.pragma('foreign_keys = OFF');
    try {
      for (let v = current; v < migrations.length; v++) {
        this.db.transaction(() => {
          this.db.exec(migrations[v]!);
          const broken = this.db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`schema migration ${v + 1} left ${broken.length} broken references; nothing was changed`);
          this.db.pragma(`user_version = ${v + 1}`);
        })();
      }
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }

  private update(table: string, columns: Record<string, string>, id: number, patch: Record<string, unknown>): void {
    const fields = Object.keys(patch).filter((k) => k in columns);
    if (fields.length === 0) return;
    const sql = `UPDATE ${table} SET ${fields.map((f) => `${columns[f]} = ?`).join(', ')} WHERE id = ?`;
    this.stmt(sql).run(...fields.map((f) => toColumnValue(f, patch[f])), id);
  }

  private insert(table: string, columns: Record<string, string>, row: Record<string, unknown>): number {
    const fields = Object.keys(columns);
    const sql = `INSERT INTO ${table} (${fields.map((f) => columns[f]).join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`;
    const info = this.stmt(sql).run(...fields.map((f) => toColumnValue(f, row[f] ?? null)));
    return Number(info.lastInsertRowid);
  }

  private makeTx(): StoreTx {
    const one = <T>(sql: string, map: (r: Record<string, unknown>) => T, ...args: unknown[]) => {
      const r = this.stmt(sql).get(...args) as Record<string, unknown> | undefined;
      return Promise.resolve(r ? map(r) : undefined);
    };
    const many = <T>(sql: string, map: (r: Record<string, unknown>) => T, ...args: unknown[]) =>
      Promise.resolve((this.stmt(sql).all(...args) as Record<string, unknown>[]).map(map));
    return {
      ...runbookTx((sql) => this.stmt(sql)),
      ...accessTx((sql) => this.stmt(sql)),
      currentAlert: (fingerprint) =>
        one('SELECT * FROM alerts WHERE fingerprint = ? ORDER BY id DESC LIMIT 1', alertFromRow, fingerprint),
      currentAlertState: (fingerprint) => {
        const r = this.stmt(
          `SELECT id, incident_id, status, severity, raw_severity, starts_at, ends_at, expires_at, resolved_by, annotations, value_data
             FROM alerts WHERE fingerprint = ? ORDER BY id DESC LIMIT 1`,
        ).get(fingerprint) as Record<string, unknown> | undefined;
        return Promise.resolve(r ? alertStateFromRow(r) : undefined);
      },
      refreshAlert: (id, f) => {
        if (f.annotationsJson === undefined && f.valuesJson === undefined && f.severity === undefined) {
          // The common case (Prometheus moving endsAt forward): touch only the lifetime columns.
          this.stmt(
            'UPDATE alerts SET ends_at = ?, expires_at = ?, last_received_at = ?, receive_count = receive_count + 1 WHERE id = ?',
          ).run(f.endsAt, f.expiresAt, f.lastReceivedAt, id);
        } else {
          this.stmt(
            `UPDATE alerts SET ends_at = ?, expires_at = ?, last_received_at = ?, receive_count = receive_count + 1,
               annotations = coalesce(?, annotations), value_data = coalesce(?, value_data),
               severity = coalesce(?, severity), raw_severity = CASE WHEN ? IS NULL THEN raw_severity ELSE ? END
             WHERE id = ?`,
          ).run(f.endsAt, f.expiresAt, f.lastReceivedAt, f.annotationsJson ?? null, f.valuesJson ?? null, f.severity ?? null, f.severity ?? null, f.rawSeverity ?? null, id);
        }
        return Promise.resolve();
      },
      getAlert: (id) => one('SELECT * FROM alerts WHERE id = ?', alertFromRow, id),
      addReceipts: (receipts) => {
        const st = this.stmt(
          'UPDATE alerts SET last_received_at = max(last_received_at, ?), receive_count = receive_count + ? WHERE id = ?',
        );
        for (const r of receipts) st.run(r.at, r.count, r.id);
        return Promise.resolve();
      },
      insertAlert: (alert: NewAlert) => {
        return Promise.resolve(this.insert('alerts', alertColumns, { ...alert }));
      },
      updateAlert: (id, patch) => {
        return Promise.resolve(this.update('alerts', alertColumns, id, patch));
      },
      firingAlertsOf: (incidentId) =>
        many("SELECT * FROM alerts WHERE incident_id = ? AND status = 'firing' ORDER BY id", alertFromRow, incidentId),
      dueExpiredAlerts: (now, limit) =>
        many(
          "SELECT * FROM alerts WHERE status = 'firing' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?",
          alertFromRow,
          now,
          limit,
        ),
      firingAlerts: (suppressed, afterId, limit) =>
        many(
          `SELECT * FROM alerts WHERE status = 'firing' AND suppressed_by IS ${suppressed ? 'NOT ' : ''}NULL AND id > ? ORDER BY id LIMIT ?`,
          alertFromRow,
          afterId,
          limit,
        ),
      insertSilence: (silence) => {
        this.stmt(
          'INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(silence.id, JSON.stringify(silence.matchers), silence.startsAt, silence.endsAt, silence.createdBy, silence.comment, silence.createdAt, silence.updatedAt);
        return Promise.resolve();
      },
      updateSilence: (id, patch) => {
        const fields = Object.keys(patch).filter((k) => k in silenceColumns);
        if (fields.length > 0) {
          const sql = `UPDATE silences SET ${fields.map((f) => `${silenceColumns[f as keyof typeof silenceColumns]} = ?`).join(', ')} WHERE id = ?`;
          this.stmt(sql).run(...fields.map((f) => toColumnValue(f, patch[f as keyof typeof patch])), id);
        }
        return Promise.resolve();
      },
      getSilence: (id) => one('SELECT * FROM silences WHERE id = ?', silenceFromRow, id),
      getIncident: (id) => one('SELECT * FROM incidents WHERE id = ?', incidentFromRow, id),
      openIncidentByGroupKey: (groupKey) =>
        one(
          "SELECT * FROM incidents WHERE group_key = ? AND status != 'resolved' ORDER BY id DESC LIMIT 1",
          incidentFromRow,
          groupKey,
        ),
      lastResolvedIncidentByGroupKey: (groupKey) =>
        one(
          "SELECT * FROM incidents WHERE group_key = ? AND status = 'resolved' ORDER BY resolved_at DESC LIMIT 1",
          incidentFromRow,
          groupKey,
        ),
      insertIncident: (incident: NewIncident) => {
        const id = this.insert('incidents', incidentColumns, { ...incident });
        this.commits.noteChange(id);
        return Promise.resolve({ ...incident, id });
      },
      updateIncident: (id, patch) => {
        this.commits.noteChange(id);
        return Promise.resolve(this.update('incidents', incidentColumns, id, patch));
      },
      insertNotification: (n, now) => {
        const info = this.stmt(
          `INSERT OR IGNORE INTO notifications (incident_id, kind, channel, person, recipient_name, address, idempotency_key,
             status, attempts, due_at, bundle_key, fallback_of, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)`,
        ).run(n.incidentId, n.kind, n.channel, n.person, n.recipientName, n.address, n.idempotencyKey, n.dueAt, n.bundleKey, n.fallbackOf, now, now);
        return Promise.resolve(info.changes > 0 ? Number(info.lastInsertRowid) : null);
      },
      updateNotification: (id, patch) => Promise.resolve(this.update('notifications', notificationColumns, id, patch)),
      addAttempt: (a) => {
        this.stmt(
          'INSERT INTO notification_attempts (notification_id, at, outcome, error_kind, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(a.notificationId, a.at, a.outcome, a.errorKind, a.error, a.durationMs);
        return Promise.resolve();
      },
      dueNotifications: (now, limit) =>
        many("SELECT * FROM notifications WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?", notificationFromRow, now, limit),
      bundleMembers: (key, now) =>
        many("SELECT * FROM notifications WHERE bundle_key = ? AND status = 'pending' AND due_at <= ? ORDER BY id", notificationFromRow, key, now),
      bundleDueAt: (key) => {
        const r = this.stmt("SELECT min(due_at) AS due FROM notifications WHERE bundle_key = ? AND status = 'pending'").get(key) as
          | { due: number | null }
          | undefined;
        return Promise.resolve(r?.due ?? null);
      },
      pagesOf: (incidentId) =>
        many("SELECT * FROM notifications WHERE incident_id = ? AND kind IN ('page', 'escalation') ORDER BY id", notificationFromRow, incidentId),
      setTimer: (incidentId, kind, dueAt) => {
        this.stmt('INSERT INTO incident_timers (incident_id, kind, due_at) VALUES (?, ?, ?) ON CONFLICT (incident_id, kind) DO UPDATE SET due_at = excluded.due_at').run(
          incidentId,
          kind,
          dueAt,
        );
        return Promise.resolve();
      },
      clearTimers: (incidentId, kinds) => {
        if (!kinds) this.stmt('DELETE FROM incident_timers WHERE incident_id = ?').run(incidentId);
        else for (const k of kinds) this.stmt('DELETE FROM incident_timers WHERE incident_id = ? AND kind = ?').run(incidentId, k);
        return Promise.resolve();
      },
      dueTimers: (now, limit) =>
        many(
          'SELECT incident_id, kind, due_at FROM incident_timers WHERE due_at <= ? ORDER BY due_at LIMIT ?',
          (r) => ({ incidentId: r.incident_id as number, kind: r.kind as TimerKind, dueAt: r.due_at as number }),
          now,
          limit,
        ),
      latestNotes: (incidentId, limit) =>
        many("SELECT * FROM timeline WHERE incident_id = ? AND kind IN ('note', 'acknowledged') ORDER BY id DESC LIMIT ?", eventFromRow, incidentId, limit),
      firstSighting: (key, at, forgetBefore) => {
        this.stmt('DELETE FROM inbound_events WHERE seen_at < ?').run(forgetBefore);
        const info = this.stmt('INSERT OR IGNORE INTO inbound_events (key, seen_at) VALUES (?, ?)').run(key, at);
        return Promise.resolve(info.changes > 0);
      },
      afterCommit: (fn) => this.commits.afterCommit(fn),
      addEvent: (e: NewTimelineEvent) => {
        this.stmt(
          'INSERT INTO timeline (incident_id, at, kind, actor, source, message, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(e.incidentId, e.at, e.kind, e.actor, e.source, e.message, e.data == null ? null : JSON.stringify(e.data));
        this.commits.noteChange(e.incidentId, e.kind);
        return Promise.resolve();
      },
      // ---- reports
      digestSchedule: (name) => one('SELECT * FROM digest_schedules WHERE name = ?', digestScheduleFromRow, name),
      saveDigestSchedule: (row) => {
        this.stmt(
          `INSERT INTO digest_schedules (name, cron, time_zone, due_at, last_run_at, last_since, last_until) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone, due_at = excluded.due_at,
             last_run_at = excluded.last_run_at, last_since = excluded.last_since, last_until = excluded.last_until`,
        ).run(row.name, row.cron, row.timeZone, row.dueAt, row.lastRunAt, row.lastSince, row.lastUntil);
        return Promise.resolve();
      },
      setNotificationBody: (id, body) => {
        this.stmt('UPDATE notifications SET body = ? WHERE id = ?').run(body, id);
        return Promise.resolve();
      },
      markReviewed: (incidentId, resolvedAt, sentAt, recipients) => {
        const info = this.stmt('INSERT OR IGNORE INTO incident_reviews (incident_id, resolved_at, sent_at, recipients) VALUES (?, ?, ?, ?)').run(
          incidentId,
          resolvedAt,
          sentAt,
          recipients,
        );
        return Promise.resolve(info.changes > 0);
      },
    };
  }

  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.options.readonly) return Promise.reject(new Error(`database ${this.options.path} is open for reading only`));
    return this.commits.write(() => fn(this.tx));
  }

  onIncidentChanges(listener: (changes: IncidentChange[]) => void): () => void {
    return this.commits.onIncidentChanges(listener);
  }

  listIncidents(q: IncidentQuery): Promise<IncidentRow[]> {
    const { where, args } = incidentFilters(q);
    if (q.status === 'open') where.push("status != 'resolved'");
    else if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    const urgency = q.order === 'urgency';
    if (q.after && urgency) {
      // Keyset paging in (severity rank, created_at, id) order.
      where.push(`(${SEVERITY_RANK}, created_at, id) > (?, ?, ?)`);
      args.push(q.after.severityRank ?? 0, q.after.createdAt ?? 0, q.after.id);
    } else if (q.after) {
      where.push('id < ?');
      args.push(q.after.id);
    }
    const order = urgency ? `${SEVERITY_RANK}, created_at, id` : 'id DESC';
    const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
    return this.read(() => (this.stmt(sql).all(...args, q.limit) as Record<string, unknown>[]).map(incidentFromRow));
  }

  countIncidents(q: Omit<IncidentQuery, 'limit'>): Promise<Record<IncidentStatus, number>> {
    const { where, args } = incidentFilters(q);
    const sql = `SELECT status, count(*) AS n FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY status`;
    return this.read(() => {
      const out: Record<IncidentStatus, number> = { triggered: 0, acknowledged: 0, resolved: 0 };
      for (const r of this.stmt(sql).all(...args) as { status: IncidentStatus; n: number }[]) out[r.status] = r.n;
      return out;
    });
  }

  getIncident(id: number): Promise<IncidentRow | undefined> {
    return this.read(() => {
      const r = this.stmt('SELECT * FROM incidents WHERE id = ?').get(id) as Record<string, unknown> | undefined;
      return r ? incidentFromRow(r) : undefined;
    });
  }

  incidentsByIds(ids: readonly number[]): Promise<IncidentRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.read(() =>
      (this.stmt('SELECT * FROM incidents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify(ids)) as Record<string, unknown>[]).map(
        incidentFromRow,
      ),
    );
  }

  alertsOf(incidentId: number): Promise<AlertRow[]> {
    return this.read(() =>
      (this.stmt('SELECT * FROM alerts WHERE incident_id = ? ORDER BY id').all(incidentId) as Record<string, unknown>[]).map(
        alertFromRow,
      ),
    );
  }

  timelineOf(incidentId: number): Promise<TimelineEvent[]> {
    return this.read(() =>
      (this.stmt('SELECT * FROM timeline WHERE incident_id = ? ORDER BY id').all(incidentId) as Record<string, unknown>[]).map(
        eventFromRow,
      ),
    );
  }

  latestEvents(incidentId: number, kinds: readonly string[], limit: number): Promise<TimelineEvent[]> {
    return this.read(() =>
      (
        this.stmt('SELECT * FROM timeline WHERE incident_id = ? AND kind IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT ?').all(
          incidentId,
          JSON.stringify(kinds),
          limit,
        ) as Record<string, unknown>[]
      ).map(eventFromRow),
    );
  }

  listAlerts(q: AlertQuery): Promise<AlertRow[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.incidentId !== undefined) {
      where.push('incident_id = ?');
      args.push(q.incidentId);
    }
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.read(() => (this.stmt(sql).all(...args, q.limit) as Record<string, unknown>[]).map(alertFromRow));
  }

  openIncidentCounts(): Promise<Record<Severity, number>> {
    return this.read(() => {
      const counts = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
      const rows = this.stmt(
        "SELECT severity, count(*) AS n FROM incidents WHERE status != 'resolved' GROUP BY severity",
      ).all() as { severity: Severity; n: number }[];
      for (const r of rows) counts[r.severity] = r.n;
      return counts;
    });
  }

  listSilences(now?: number): Promise<SilenceRow[]> {
    return this.read(() =>
      (now === undefined
        ? (this.stmt('SELECT * FROM silences ORDER BY created_at DESC LIMIT 1000').all() as Record<string, unknown>[])
        : (this.stmt('SELECT * FROM silences WHERE ends_at > ? ORDER BY starts_at').all(now) as Record<string, unknown>[])
      ).map(silenceFromRow),
    );
  }

  getSilence(id: string): Promise<SilenceRow | undefined> {
    return this.read(() => {
      const r = this.stmt('SELECT * FROM silences WHERE id = ?').get(id) as Record<string, unknown> | undefined;
      return r ? silenceFromRow(r) : undefined;
    });
  }

  listNotifications(incidentId?: number, limit = 500): Promise<NotificationRow[]> {
    return this.read(() =>
      (incidentId === undefined
        ? (this.stmt('SELECT * FROM notifications ORDER BY id DESC LIMIT ?').all(limit) as Record<string, unknown>[])
        : (this.stmt('SELECT * FROM notifications WHERE incident_id = ? ORDER BY id LIMIT ?').all(incidentId, limit) as Record<string, unknown>[])
      ).map(notificationFromRow),
    );
  }

  attemptsOf(notificationId: number): Promise<NotificationAttempt[]> {
    return this.read(() =>
      (this.stmt('SELECT * FROM notification_attempts WHERE notification_id = ? ORDER BY id').all(notificationId) as Record<string, unknown>[]).map(
        attemptFromRow,
      ),
    );
  }

  pendingNotificationCount(): Promise<number> {
    return this.read(() => (this.stmt("SELECT count(*) AS n FROM notifications WHERE status = 'pending'").get() as { n: number }).n);
  }

  lastIncidentForAddress(address: string): Promise<number | null> {
    return this.read(() => {
      const r = this.stmt('SELECT incident_id FROM notifications WHERE address = ? AND incident_id IS NOT NULL ORDER BY id DESC LIMIT 1').get(address) as
        | { incident_id: number }
        | undefined;
      return r?.incident_id ?? null;
    });
  }

  firstChatMessage(incidentId: number, address: string): Promise<NotificationRow | null> {
    return this.read(() => {
      const r = this.stmt(
        "SELECT * FROM notifications WHERE incident_id = ? AND channel = 'chat' AND address = ? AND status = 'delivered' AND provider_id IS NOT NULL ORDER BY id LIMIT 1",
      ).get(incidentId, address) as Record<string, unknown> | undefined;
      return r ? notificationFromRow(r) : null;
    });
  }

  incidentForThread(threadRef: string): Promise<number | null> {
    return this.read(() => {
      const r = this.stmt(
        "SELECT incident_id FROM notifications WHERE thread_ref = ? AND channel = 'chat' AND incident_id IS NOT NULL ORDER BY id DESC LIMIT 1",
      ).get(threadRef) as { incident_id: number } | undefined;
      return r?.incident_id ?? null;
    });
  }

  allFiringAlerts(): Promise<AlertRow[]> {
    return this.read(() =>
      (this.stmt("SELECT * FROM alerts WHERE status = 'firing' ORDER BY id").all() as Record<string, unknown>[]).map(alertFromRow),
    );
  }

  // ---- reports
  private readonly reports = reportReads(
    (sql) => this.stmt(sql),
    (fn) => this.read(fn),
  );
  reportChunks: Store['reportChunks'] = (since, until, options) => this.reports.reportChunks(since, until, options);

  notificationBody(id: number): Promise<string | null> {
    return this.read(() => {
      const r = this.stmt('SELECT body FROM notifications WHERE id = ?').get(id) as { body: string | null } | undefined;
      return r?.body ?? null;
    });
  }

  pendingReviews(limit: number): Promise<IncidentRow[]> {
    return this.read(() =>
      (
        this.stmt(
          // The partial index holds only resolved P1/P2 incidents; from the watermark on, it reads only recent ones.
          `SELECT * FROM incidents INDEXED BY incidents_to_review
            WHERE status = 'resolved' AND priority IN ('P1', 'P2')
              AND resolved_at >= (SELECT coalesce(max(resolved_at), 0) FROM incident_reviews) - 86400000
              AND NOT EXISTS (SELECT 1 FROM incident_reviews r WHERE r.incident_id = incidents.id)
            ORDER BY resolved_at, id LIMIT ?`,
        ).all(limit) as Record<string, unknown>[]
      ).map(incidentFromRow),
    );
  }

  pendingWrites(): number {
    return this.commits.pending();
  }

  ping(): Promise<void> {
    return this.read(() => {
      this.stmt('SELECT 1').get();
    });
  }

  // ---- runbooks
  private readonly runbooks = runbookReads(
    (sql) => this.stmt(sql),
    (fn) => this.read(fn),
  );
  queuedRunbookRuns: RunbookReads['queuedRunbookRuns'] = (limit) => this.runbooks.queuedRunbookRuns(limit);
  runningRunbookRuns: RunbookReads['runningRunbookRuns'] = () => this.runbooks.runningRunbookRuns();
  recentRunbookRuns: RunbookReads['recentRunbookRuns'] = (runbook, key, since) => this.runbooks.recentRunbookRuns(runbook, key, since);
  listRunbookRuns: RunbookReads['listRunbookRuns'] = (query) => this.runbooks.listRunbookRuns(query);
  getRunbookRun: RunbookReads['getRunbookRun'] = (id) => this.runbooks.getRunbookRun(id);
  approvalsOf: RunbookReads['approvalsOf'] = (runId) => this.runbooks.approvalsOf(runId);
  approvalsOfRuns: RunbookReads['approvalsOfRuns'] = (runIds) => this.runbooks.approvalsOfRuns(runIds);

  // ---- people's access: personal tokens and console sessions
  private readonly access = accessReads(
    (sql) => this.stmt(sql),
    (fn) => this.read(fn),
  );
  accessTokenByHash: AccessReads['accessTokenByHash'] = (hash) => this.access.accessTokenByHash(hash);
  listAccessTokens: AccessReads['listAccessTokens'] = () => this.access.listAccessTokens();
  sessionByHash: AccessReads['sessionByHash'] = (hash) => this.access.sessionByHash(hash);

  private read<T>(fn: () => T): Promise<T> {
    if (!this.db.open) return Promise.reject(unavailable('store is closed', 5));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(classifyFault(err));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.commits.close();
    this.db.close();
    this.lock?.release();
  }
}
