// The seeded incidents of bench:report: a week of incidents with realistic timelines (triggered, notified,
// acknowledged, escalated, runbook results, notes, reopened, resolved), alerts and pages, written straight into
// a fresh SQLite file with the schema of Vigil's migrations (dist/ must be built).
import path from 'node:path';
import Database from 'better-sqlite3';

const root = path.join(import.meta.dirname, '..');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A small deterministic generator, so every run seeds the same rows. */
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (list) => list[Math.floor(rand() * list.length)];

const teams = ['payments', 'platform', 'web', 'data', 'mobile', 'search', 'identity', 'infra'];
const people = Array.from({ length: 24 }, (_, k) => ({ id: `p${k}`, name: `Person ${k}`, team: teams[k % teams.length] }));
const severities = [
  ['critical', 'P1', 15 * MIN, 4 * HOUR, 0.15],
  ['warning', 'P2', 30 * MIN, 8 * HOUR, 0.45],
  ['reminder', 'P3', 2 * HOUR, 24 * HOUR, 0.1],
  ['info', 'P4', null, null, 0.3],
];
const alertnames = Array.from({ length: 60 }, (_, k) => `Seed${k}`);

function severityOf() {
  let r = rand();
  for (const s of severities) if ((r -= s[4]) < 0) return s;
  return severities[0];
}

/** Writes `count` incidents (most of them over the seven days before `now`) into a new database file; their rows' counts. */
export async function seedDatabase(file, count, now) {
  const { migrations } = await import(path.join(root, 'dist/store/sqlite/migrations.js'));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  for (const m of migrations) db.exec(m);
  db.pragma(`user_version = ${migrations.length}`);
  // Resolved P1/P2 incidents get a reviewed row (as Vigil writes one when it sends the review), so the
  // scheduler's reviews job has nothing to catch up on and the runs measure ingest and reports only.
  const incident = db.prepare(`INSERT INTO incidents (id, group_key, title, status, severity, priority, team, service, source, alert_count,
      firing_count, flapping, reopen_count, created_at, updated_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, suppressed_count,
      paged_at, policy, escalation_tier, escalation_round, ack_sla_breached, resolve_sla_breached, hold_until, self_healed)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'alertmanager', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 0, ?, ?, NULL, ?)`);
  const event = db.prepare('INSERT INTO timeline (incident_id, at, kind, actor, source, message, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const alert = db.prepare(`INSERT INTO alerts (fingerprint, incident_id, source, status, severity, raw_severity, labels, annotations, starts_at,
      ends_at, expires_at, generator_url, links, value_data, first_received_at, last_received_at, receive_count, resolved_at, resolved_by)
    VALUES (?, ?, 'alertmanager', ?, ?, ?, ?, ?, ?, NULL, ?, 'http://prometheus:9090/graph?g0.expr=up', '[]', NULL, ?, ?, ?, ?, ?)`);
  const page = db.prepare(`INSERT INTO notifications (incident_id, kind, channel, person, recipient_name, address, idempotency_key, status,
      attempts, due_at, bundle_key, fallback_of, provider_id, mode, created_at, updated_at, delivered_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, NULL, NULL, NULL, 'log', ?, ?, ?)`);
  const reviewed = db.prepare('INSERT INTO incident_reviews (incident_id, resolved_at, sent_at, recipients) VALUES (?, ?, ?, 1)');
  let pages = 0;
  let events = 0;
  let alerts = 0;

  const one = (id, createdAt) => {
    const [severity, priority, ackSla, resolveSla] = severityOf();
    const team = pick(teams);
    const service = `svc-${Math.floor(rand() * 40)}`;
    const name = pick(alertnames);
    const title = `${name} on ${service}`;
    const open = rand() < 0.2;
    const acked = severity !== 'info' && rand() < 0.75;
    const ackAt = acked ? createdAt + Math.floor(rand() * 40 * MIN) : null;
    const reopened = rand() < 0.03;
    const ttr = Math.floor(rand() * (severity === 'info' ? 2 * HOUR : 12 * HOUR)) + MIN;
    const firstResolve = createdAt + ttr;
    const resolvedAt = open || firstResolve >= now ? null : reopened ? Math.min(now - MIN, firstResolve + 3 * HOUR) : firstResolve;
    const status = resolvedAt !== null ? 'resolved' : ackAt !== null && ackAt < now ? 'acknowledged' : 'triggered';
    const owner = people.find((p) => p.team === team) ?? people[0];
    const escalated = severity !== 'info' && rand() < 0.1;
    const policy = severity === 'info' ? null : JSON.stringify({ priority, ackSla, resolveSla, digest: true, notify: [] });
    const alertCount = rand() < 0.2 ? 2 : 1;
    incident.run(id, `{alertname="${name}",service="${service}",n="${id}"}`, title, status, severity, priority, team, service, alertCount,
      status === 'resolved' ? 0 : alertCount, reopened ? 1 : 0, reopened ? 1 : 0, createdAt, resolvedAt ?? ackAt ?? createdAt,
      ackAt, ackAt === null ? null : owner.id, resolvedAt, resolvedAt === null ? null : 'alertmanager', policy === null ? null : createdAt,
      policy, escalated ? 2 : 1, escalated && ackAt === null ? 1 : 0, ttr > (resolveSla ?? Infinity) ? 1 : 0, 0);
    const add = (at, kind, actor, message, data = null) => {
      if (at >= now) return;
      event.run(id, at, kind, actor, actor === 'vigil' ? 'scheduler' : 'alertmanager', message, data === null ? null : JSON.stringify(data));
      events++;
    };
    add(createdAt, 'triggered', 'alertmanager', `triggered: ${title}`);
    if (rand() < 0.1) add(createdAt + MIN, 'runbook_finished', 'vigil', 'restart-service finished', { runbook: 'restart-service', outcome: pick(['succeeded', 'failed', 'dry_run']) });
    if (policy !== null) {
      // The first line: a call and a text for P1, chat otherwise, and email; each is a notified event.
      const channels = priority === 'P1' ? ['voice', 'sms', 'email'] : ['chat', 'email'];
      for (const channel of channels) {
        pages++;
        page.run(id, 'page', channel, owner.id, owner.name, `${owner.id}@example.com`, `page:${id}:${channel}`, 'delivered', createdAt, createdAt, createdAt + 3000, createdAt + 3000);
        add(createdAt + 3000, 'notified', 'vigil', `${channel} to ${owner.name}`, { channel, person: owner.id });
      }
    }
    if (escalated) {
      const next = pick(people);
      add(createdAt + ackSla, 'escalated', 'vigil', `escalated to tier 2 (${next.name})`, { tier: 2, round: 0, paged: next.name });
      pages++;
      page.run(id, 'escalation', 'voice', next.id, next.name, `+1555${next.id}`, `escalation:${id}`, 'delivered', createdAt + ackSla, createdAt + ackSla, createdAt + ackSla + 4000, createdAt + ackSla + 4000);
    }
    if (ackAt !== null) add(ackAt, 'acknowledged', owner.id, `acknowledged by ${owner.id}`);
    if (rand() < 0.1) add(createdAt + 5 * MIN, 'note', owner.id, 'looking into it');
    if (reopened) {
      add(firstResolve, 'resolved', 'alertmanager', 'resolved: all alerts have resolved');
      add(firstResolve + 10 * MIN, 'reopened', 'alertmanager', 'fired again; reopened and marked flapping', { reopenCount: 1 });
    }
    if (resolvedAt !== null) {
      add(resolvedAt, 'resolved', 'alertmanager', 'resolved: all alerts have resolved');
      if ((priority === 'P1' || priority === 'P2') && resolvedAt < now) reviewed.run(id, resolvedAt, resolvedAt);
    }
    for (let k = 0; k < alertCount; k++) {
      const firing = resolvedAt === null;
      const labels = JSON.stringify({ alertname: name, service, severity, instance: `host-${id}-${k}:9100`, team });
      alert.run(`seed-${id}-${k}`, id, firing ? 'firing' : 'resolved', severity, severity, labels,
        JSON.stringify({ summary: `${title} (${k})`, description: 'seeded for the report benchmark' }), createdAt,
        firing ? now + DAY : null, createdAt, resolvedAt ?? now - MIN, 1 + Math.floor(rand() * 30), resolvedAt, null);
      alerts++;
    }
  };

  db.transaction(() => {
    // 5 % opened 10 to 30 days before now (a fifth of them, as of all, still open); the rest over the last seven days.
    for (let id = 1; id <= count; id++) {
      const older = id <= count * 0.05;
      const createdAt = older ? now - 30 * DAY + Math.floor((id / (count * 0.05)) * 20 * DAY) : now - 7 * DAY + Math.floor(((id - count * 0.05) / (count * 0.95)) * (7 * DAY - HOUR));
      one(id, createdAt);
    }
  })();
  db.close();
  return { events, alerts, pages };
}

