import type { Policy } from '../../rules/schema.js';
import { Where } from '../dynamic-sql.js';
import { rowMapping } from '../row-mapping.js';
import { severities, type Severity } from '../../alerts/severity.js';
import type { IncidentQuery, IncidentRow, IncidentStatus } from '../types/incidents.js';

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

/** The incidents table's rows, in both stores. */
export const incidentRows = rowMapping<IncidentRow>({
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
export const incidentFromRow = incidentRows.fromRow;

/** Severity as a sort key: critical first. The expression matches the index incidents_open_by_urgency word for word. */
export const SEVERITY_RANK = "(CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 WHEN 'reminder' THEN 2 ELSE 3 END)";

/**
 * The WHERE terms every incident list shares (status, order and paging aside). Both sides of the text match are
 * lower-cased, so the same SQL is case-insensitive on SQLite and PostgreSQL alike.
 */
export function incidentFilters(q: Omit<IncidentQuery, 'limit'>): Where {
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

/** listIncidents as SQL: the filters, then status, keyset paging and order (urgency, or newest first). */
export function listIncidentsQuery(q: IncidentQuery): { sql: string; args: unknown[] } {
  const where = incidentFilters(q);
  if (q.status === 'open') where.add("status != 'resolved'");
  else if (q.status) where.equal('status', q.status);
  const urgency = q.order === 'urgency';
  // Keyset paging: in (severity rank, created_at, id) order, or newest first by id.
  if (q.after && urgency) where.add(`(${SEVERITY_RANK}, created_at, id) > (?, ?, ?)`, q.after.severityRank ?? 0, q.after.createdAt ?? 0, q.after.id);
  else if (q.after) where.add('id < ?', q.after.id);
  const order = urgency ? `${SEVERITY_RANK}, created_at, id` : 'id DESC';
  return { sql: `SELECT * FROM incidents ${where} ORDER BY ${order} LIMIT ?`, args: [...where.args, q.limit] };
}

/** countIncidents as SQL: incidents per status under the list's filters. */
export function countIncidentsQuery(q: Omit<IncidentQuery, 'limit'>): { sql: string; args: unknown[] } {
  const where = incidentFilters(q);
  return { sql: `SELECT status, count(*) AS n FROM incidents ${where} GROUP BY status`, args: where.args };
}

export const OPEN_COUNTS_SQL = "SELECT severity, count(*) AS n FROM incidents WHERE status != 'resolved' GROUP BY severity";

/** The rows of countIncidentsQuery as counts, every status named. */
export function countsByStatus(rows: unknown[]): Record<IncidentStatus, number> {
  const out: Record<IncidentStatus, number> = { triggered: 0, acknowledged: 0, resolved: 0 };
  for (const r of rows as { status: IncidentStatus; n: number }[]) out[r.status] = r.n;
  return out;
}

/** The rows of OPEN_COUNTS_SQL as counts, every severity named. */
export function countsBySeverity(rows: unknown[]): Record<Severity, number> {
  const counts = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
  for (const r of rows as { severity: Severity; n: number }[]) counts[r.severity] = r.n;
  return counts;
}
