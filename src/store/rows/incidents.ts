import type { Policy } from '../../rules/schema.js';
import { Where } from '../dynamic-sql.js';
import { rowMapping } from '../row-mapping.js';
import type { IncidentQuery, IncidentRow } from '../types/incidents.js';

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
