import { severities, type Severity } from '../../alerts/severity.js';
import type { Policy } from '../../rules/schema.js';
import type { IncidentQuery, IncidentReads, IncidentRow, IncidentStatus, IncidentTx } from '../types/incidents.js';
import { insertRow, updateById, Where } from './dynamic-sql.js';
import { rowMapping } from './row-mapping.js';
import { type Read, rowOf, rowsOf, type Stmt } from './statements.js';

const storedPolicyDefaults = { reackAfter: null, escalationRepeat: 0, escalation: null, holdPageFor: null } satisfies Partial<Policy>;

/** Stored policy texts parsed so far: incidents share a handful of policies, and nothing changes one in place. */
const parsedPolicies = new Map<string, Policy>();
const PARSED_POLICIES_KEPT = 512;

/** Policies stored by an older Vigil lack later fields: they get the schema's defaults here, once per text. */
function storedPolicy(stored: unknown): Policy | null {
  if (stored == null) return null;
  const text = stored as string;
  let policy = parsedPolicies.get(text);
  if (!policy) {
    policy = Object.freeze({ ...storedPolicyDefaults, ...(JSON.parse(text) as Policy) });
    if (parsedPolicies.size >= PARSED_POLICIES_KEPT) parsedPolicies.clear();
    parsedPolicies.set(text, policy);
  }
  return policy;
}

const incidents = rowMapping<IncidentRow>({
  id: 'id',
  groupKey: 'group_key',
  title: 'title',
  status: 'status',
  severity: 'severity',
  priority: 'priority',
  team: 'team',
  service: 'service',
  source: 'source',
  alertCount: 'alert_count',
  firingCount: 'firing_count',
  suppressedCount: 'suppressed_count',
  pagedAt: 'paged_at',
  policy: ['policy', storedPolicy],
  escalationTier: 'escalation_tier',
  escalationRound: 'escalation_round',
  ackSlaBreached: ['ack_sla_breached', 'flag'],
  resolveSlaBreached: ['resolve_sla_breached', 'flag'],
  flapping: ['flapping', 'flag'],
  holdUntil: 'hold_until',
  selfHealed: ['self_healed', 'flag'],
  reopenCount: 'reopen_count',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  resolvedAt: 'resolved_at',
  resolvedBy: 'resolved_by',
});
export const incidentFromRow = incidents.fromRow;

/** Severity as a sort key: critical first. The expression matches the index incidents_open_by_urgency word for word. */
const SEVERITY_RANK = "(CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 WHEN 'reminder' THEN 2 ELSE 3 END)";

/** The WHERE terms every incident list shares (status, order and paging aside). */
function incidentFilters(q: Omit<IncidentQuery, 'limit'>): Where {
  const where = new Where().equal('severity', q.severity).equal('team', q.team).equal('service', q.service);
  if (q.text !== undefined && q.text.trim() !== '') {
    const like = `%${q.text.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.add(
      "(lower(title) LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM alerts a WHERE a.incident_id = incidents.id AND lower(a.labels) LIKE ? ESCAPE '\\'))",
      like,
      like,
    );
  }
  if (q.pagedPerson !== undefined) {
    where.add(
      "EXISTS (SELECT 1 FROM notifications n WHERE n.incident_id = incidents.id AND n.person = ? AND n.kind IN ('page', 'escalation'))",
      q.pagedPerson,
    );
  }
  return where;
}

/** The incidents table's writes and reads inside a write; changed tells the change feed which incident a write touches. */
export function incidentTx(stmt: Stmt, changed: (incidentId: number) => void): Omit<IncidentTx, 'addEvent' | 'reviseEvent' | 'latestNotes'> {
  const one = (sql: string, ...args: unknown[]) => Promise.resolve(rowOf(stmt, sql, incidentFromRow, ...args));
  return {
    getIncident: (id) => one('SELECT * FROM incidents WHERE id = ?', id),
    openIncidentByGroupKey: (groupKey) => one("SELECT * FROM incidents WHERE group_key = ? AND status != 'resolved' ORDER BY id DESC LIMIT 1", groupKey),
    lastResolvedIncidentByGroupKey: (groupKey) =>
      one("SELECT * FROM incidents WHERE group_key = ? AND status = 'resolved' ORDER BY resolved_at DESC LIMIT 1", groupKey),
    insertIncident: (incident) => {
      const id = insertRow(stmt, 'incidents', incidents.writable, incident);
      changed(id);
      return Promise.resolve({ ...incident, id });
    },
    updateIncident: (id, patch) => {
      changed(id);
      return Promise.resolve(updateById(stmt, 'incidents', incidents.writable, id, patch));
    },
  };
}

/** The incidents table's reads: lists with filters and keyset paging, counts. */
export function incidentReads(stmt: Stmt, read: Read): Omit<IncidentReads, 'timelineOf' | 'latestEvents' | 'latestEventOfEach'> {
  const many = (sql: string, ...args: unknown[]) => read(() => rowsOf(stmt, sql, incidentFromRow, ...args));
  return {
    listIncidents: (q) => {
      const where = incidentFilters(q);
      if (q.status === 'open') where.add("status != 'resolved'");
      else if (q.status) where.equal('status', q.status);
      const urgency = q.order === 'urgency';
      // Keyset paging: in (severity rank, created_at, id) order, or newest first by id.
      if (q.after && urgency) where.add(`(${SEVERITY_RANK}, created_at, id) > (?, ?, ?)`, q.after.severityRank ?? 0, q.after.createdAt ?? 0, q.after.id);
      else if (q.after) where.add('id < ?', q.after.id);
      const order = urgency ? `${SEVERITY_RANK}, created_at, id` : 'id DESC';
      return many(`SELECT * FROM incidents ${where} ORDER BY ${order} LIMIT ?`, ...where.args, q.limit);
    },
    countIncidents: (q) => {
      const where = incidentFilters(q);
      const sql = `SELECT status, count(*) AS n FROM incidents ${where} GROUP BY status`;
      return read(() => {
        const out: Record<IncidentStatus, number> = { triggered: 0, acknowledged: 0, resolved: 0 };
        for (const r of stmt(sql).all(...where.args) as { status: IncidentStatus; n: number }[]) out[r.status] = r.n;
        return out;
      });
    },
    getIncident: (id) => read(() => rowOf(stmt, 'SELECT * FROM incidents WHERE id = ?', incidentFromRow, id)),
    incidentsByIds: (ids) =>
      ids.length === 0 ? Promise.resolve([]) : many('SELECT * FROM incidents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id', JSON.stringify(ids)),
    openIncidentCounts: () =>
      read(() => {
        const counts = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
        const rows = stmt("SELECT severity, count(*) AS n FROM incidents WHERE status != 'resolved' GROUP BY severity").all() as { severity: Severity; n: number }[];
        for (const r of rows) counts[r.severity] = r.n;
        return counts;
      }),
  };
}
