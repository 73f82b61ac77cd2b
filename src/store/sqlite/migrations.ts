/**
 * Schema migrations, applied in order; PRAGMA user_version records how many have run.
 * Never edit a shipped migration: append a new one.
 */
export const migrations: string[] = [
  `
  CREATE TABLE incidents (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    group_key        TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
    severity         TEXT    NOT NULL,
    priority         TEXT    NOT NULL,
    team             TEXT,
    service          TEXT,
    source           TEXT    NOT NULL,
    alert_count      INTEGER NOT NULL DEFAULT 0,
    firing_count     INTEGER NOT NULL DEFAULT 0,
    flapping         INTEGER NOT NULL DEFAULT 0,
    reopen_count     INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    acknowledged_at  INTEGER,
    acknowledged_by  TEXT,
    resolved_at      INTEGER,
    resolved_by      TEXT
  );
  CREATE INDEX incidents_open_by_group ON incidents (group_key) WHERE status != 'resolved';
  CREATE INDEX incidents_resolved_by_group ON incidents (group_key, resolved_at) WHERE status = 'resolved';
  CREATE INDEX incidents_by_status ON incidents (status, id);
  CREATE INDEX incidents_by_severity ON incidents (severity, id);

  CREATE TABLE alerts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint        TEXT    NOT NULL,
    incident_id        INTEGER NOT NULL REFERENCES incidents (id),
    source             TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('firing', 'resolved')),
    severity           TEXT    NOT NULL,
    raw_severity       TEXT,
    labels             TEXT    NOT NULL,
    annotations        TEXT    NOT NULL,
    starts_at          INTEGER NOT NULL,
    ends_at            INTEGER,
    expires_at         INTEGER,
    generator_url      TEXT,
    links              TEXT    NOT NULL,
    value_data         TEXT,
    first_received_at  INTEGER NOT NULL,
    last_received_at   INTEGER NOT NULL,
    receive_count      INTEGER NOT NULL DEFAULT 1,
    resolved_at        INTEGER,
    resolved_by        TEXT
  );
  -- The newest row of a fingerprint is its current state; older rows belong to older incidents.
  CREATE INDEX alerts_by_fingerprint ON alerts (fingerprint, id);
  CREATE INDEX alerts_by_incident ON alerts (incident_id, id);
  CREATE INDEX alerts_by_status ON alerts (status, id);
  CREATE INDEX alerts_expiring ON alerts (expires_at) WHERE status = 'firing' AND expires_at IS NOT NULL;

  CREATE TABLE timeline (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  INTEGER NOT NULL REFERENCES incidents (id),
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    actor        TEXT,
    source       TEXT,
    message      TEXT    NOT NULL,
    data         TEXT
  );
  CREATE INDEX timeline_by_incident ON timeline (incident_id, id);
  `,
  `
  -- Suppression: why a firing alert pages nobody (JSON: kind silence|maintenance|inhibited, and which).
  ALTER TABLE alerts ADD COLUMN suppressed_by TEXT;
  CREATE INDEX alerts_suppressed ON alerts (id) WHERE status = 'firing' AND suppressed_by IS NOT NULL;
  -- Firing alerts of the incident that are suppressed; the incident pages nobody while all are.
  ALTER TABLE incidents ADD COLUMN suppressed_count INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE silences (
    id          TEXT    PRIMARY KEY,
    matchers    TEXT    NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    created_by  TEXT    NOT NULL,
    comment     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE INDEX silences_by_end ON silences (ends_at);
  `,
  `
  -- When the incident's current cycle was paged (null: not yet, e.g. while suppressed or after a reopen).
  ALTER TABLE incidents ADD COLUMN paged_at INTEGER;

  -- The outbox: every message Vigil decided to send, written in the same transaction as the decision.
  CREATE TABLE notifications (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id      INTEGER REFERENCES incidents (id),
    kind             TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    person           TEXT,
    recipient_name   TEXT    NOT NULL,
    address          TEXT    NOT NULL,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    due_at           INTEGER NOT NULL,
    bundle_key       TEXT,
    fallback_of      INTEGER,
    provider_id      TEXT,
    mode             TEXT,
    thread_ref       TEXT,
    error_kind       TEXT,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    delivered_at     INTEGER
  );
  CREATE INDEX notifications_due ON notifications (due_at) WHERE status = 'pending';
  CREATE INDEX notifications_by_incident ON notifications (incident_id, id);
  CREATE INDEX notifications_by_address ON notifications (address, id);
  CREATE INDEX notifications_by_bundle ON notifications (bundle_key) WHERE status = 'pending';

  CREATE TABLE notification_attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id  INTEGER NOT NULL REFERENCES notifications (id),
    at               INTEGER NOT NULL,
    outcome          TEXT    NOT NULL,
    error_kind       TEXT,
    error            TEXT,
    duration_ms      REAL
  );
  CREATE INDEX notification_attempts_by_notification ON notification_attempts (notification_id, id);
  `,
  `
  -- Timers of an incident (escalation, SLA, progress reminders): due rows, so a restart resumes them.
  CREATE TABLE incident_timers (
    incident_id  INTEGER NOT NULL REFERENCES incidents (id),
    kind         TEXT    NOT NULL,
    due_at       INTEGER NOT NULL,
    PRIMARY KEY (incident_id, kind)
  );
  CREATE INDEX incident_timers_due ON incident_timers (due_at);
  -- The policy the incident was paged under, and how far escalation and the SLAs have gone.
  ALTER TABLE incidents ADD COLUMN policy TEXT;
  ALTER TABLE incidents ADD COLUMN escalation_tier INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE incidents ADD COLUMN escalation_round INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE incidents ADD COLUMN ack_sla_breached INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE incidents ADD COLUMN resolve_sla_breached INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- Replies in a chat thread find their incident by the thread's first message.
  CREATE INDEX notifications_by_thread ON notifications (thread_ref) WHERE thread_ref IS NOT NULL;
  `,
  `
  -- Auto-remediation: runs of runbooks (queued, running, waiting for approval, done) and their approvals.
  CREATE TABLE runbook_runs (
    id           TEXT    PRIMARY KEY,
    incident_id  INTEGER REFERENCES incidents (id),
    runbook      TEXT    NOT NULL,
    target_key   TEXT    NOT NULL,
    trigger      TEXT    NOT NULL,
    requested_by TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done')),
    outcome      TEXT,
    dry_run      INTEGER NOT NULL DEFAULT 0,
    context      TEXT    NOT NULL,
    summary      TEXT,
    created_at   INTEGER NOT NULL,
    started_at   INTEGER,
    ended_at     INTEGER
  );
  CREATE INDEX runbook_runs_by_target ON runbook_runs (runbook, target_key, created_at);
  CREATE INDEX runbook_runs_by_incident ON runbook_runs (incident_id, created_at);
  -- The runner's two reads: queued runs in order, and (after a restart) runs left running.
  CREATE INDEX runbook_runs_queued ON runbook_runs (created_at, id) WHERE status = 'queued';
  CREATE INDEX runbook_runs_running ON runbook_runs (created_at) WHERE status = 'running';
  CREATE TABLE runbook_approvals (
    run_id      TEXT    NOT NULL REFERENCES runbook_runs (id),
    step        TEXT    NOT NULL,
    prompt      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    decided_by  TEXT,
    comment     TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    PRIMARY KEY (run_id, step)
  );
  -- A page held while a runbook tries a fix, and incidents a runbook closed without waking anyone.
  ALTER TABLE incidents ADD COLUMN hold_until INTEGER;
  ALTER TABLE incidents ADD COLUMN self_healed INTEGER NOT NULL DEFAULT 0;
  -- Free text of a message (a runbook's notify step), rendered with the incident.
  ALTER TABLE notifications ADD COLUMN body TEXT;
  `,
  `
  -- Reports and digests: reads by period, digest schedules, post-incident reviews.
  CREATE INDEX incidents_by_created ON incidents (created_at);
  CREATE INDEX incidents_by_resolved ON incidents (resolved_at);
  -- Partial: the timeline and the outbox are the busiest tables, and reports read only these kinds by time
  -- (the queries repeat these WHERE terms word for word, so SQLite can use the indexes).
  CREATE INDEX timeline_report_events ON timeline (at) WHERE kind IN ('escalated', 'escalation_exhausted', 'runbook_finished', 'self_healed');
  CREATE INDEX notifications_pages_by_created ON notifications (created_at) WHERE kind IN ('page', 'escalation');
  -- Each digest schedule's next due time; a restart resumes it, a missed one is caught up once.
  CREATE TABLE digest_schedules (
    name         TEXT    PRIMARY KEY,
    cron         TEXT    NOT NULL,
    time_zone    TEXT    NOT NULL,
    due_at       INTEGER NOT NULL,
    last_run_at  INTEGER,
    last_since   INTEGER,
    last_until   INTEGER
  );
  -- Resolved P1/P2 incidents whose review draft was sent (or found nobody to send to): each once.
  CREATE TABLE incident_reviews (
    incident_id  INTEGER PRIMARY KEY REFERENCES incidents (id),
    resolved_at  INTEGER NOT NULL,
    sent_at      INTEGER,
    recipients   INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX incident_reviews_by_resolved ON incident_reviews (resolved_at);
  CREATE INDEX incidents_to_review ON incidents (resolved_at) WHERE status = 'resolved' AND priority IN ('P1', 'P2');
  -- Incidents resolved before reviews existed get none.
  INSERT INTO incident_reviews (incident_id, resolved_at, sent_at, recipients)
    SELECT id, resolved_at, NULL, 0 FROM incidents WHERE status = 'resolved' AND priority IN ('P1', 'P2') AND resolved_at IS NOT NULL;
  `,
  `
  -- Only bundled messages belong in the bundle index (every page was in it, bundled or not, at every insert).
  DROP INDEX notifications_by_bundle;
  CREATE INDEX notifications_by_bundle ON notifications (bundle_key) WHERE status = 'pending' AND bundle_key IS NOT NULL;
  `,
  `
  -- A page whose incident was acknowledged or resolved before a retry could deliver it is cancelled, not sent.
  -- SQLite cannot change a CHECK in place: the table is rebuilt (migrations run with foreign keys off).
  CREATE TABLE notifications_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id      INTEGER REFERENCES incidents (id),
    kind             TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    person           TEXT,
    recipient_name   TEXT    NOT NULL,
    address          TEXT    NOT NULL,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    due_at           INTEGER NOT NULL,
    bundle_key       TEXT,
    fallback_of      INTEGER,
    provider_id      TEXT,
    mode             TEXT,
    thread_ref       TEXT,
    error_kind       TEXT,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    delivered_at     INTEGER,
    body             TEXT
  );
  INSERT INTO notifications_new (id, incident_id, kind, channel, person, recipient_name, address, idempotency_key, status, attempts, due_at, bundle_key, fallback_of, provider_id, mode, thread_ref, error_kind, last_error, created_at, updated_at, delivered_at, body)
    SELECT id, incident_id, kind, channel, person, recipient_name, address, idempotency_key, status, attempts, due_at, bundle_key, fallback_of, provider_id, mode, thread_ref, error_kind, last_error, created_at, updated_at, delivered_at, body FROM notifications;
  DROP TABLE notifications;
  ALTER TABLE notifications_new RENAME TO notifications;
  CREATE INDEX notifications_due ON notifications (due_at) WHERE status = 'pending';
  CREATE INDEX notifications_by_incident ON notifications (incident_id, id);
  CREATE INDEX notifications_by_address ON notifications (address, id);
  CREATE INDEX notifications_by_thread ON notifications (thread_ref) WHERE thread_ref IS NOT NULL;
  CREATE INDEX notifications_pages_by_created ON notifications (created_at) WHERE kind IN ('page', 'escalation');
  CREATE INDEX notifications_by_bundle ON notifications (bundle_key) WHERE status = 'pending' AND bundle_key IS NOT NULL;
  `,
  `
  -- Inbound events already recorded (Slack event ids), kept for the sender's retry window so a retry that
  -- arrives after a restart is still recognised.
  CREATE TABLE inbound_events (
    key      TEXT    PRIMARY KEY,
    seen_at  INTEGER NOT NULL
  );
  CREATE INDEX inbound_events_by_seen ON inbound_events (seen_at);
  `,
  `
  -- People's access: personal tokens (only their hash is kept) and console sessions (in the store, so a restart
  -- or another instance keeps people signed in).
  CREATE TABLE access_tokens (
    id            TEXT    PRIMARY KEY,
    person        TEXT    NOT NULL,
    hash          TEXT    NOT NULL UNIQUE,
    label         TEXT,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    revoked_at    INTEGER,
    last_used_at  INTEGER
  );
  CREATE TABLE sessions (
    hash        TEXT    PRIMARY KEY,
    person      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    admin       INTEGER NOT NULL,
    via         TEXT    NOT NULL,
    -- The personal token it was opened with: revoking the token ends its sessions.
    token_id    TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
  );
  CREATE INDEX sessions_by_expiry ON sessions (expires_at);
  CREATE INDEX sessions_by_token ON sessions (token_id) WHERE token_id IS NOT NULL;
  `,
  `
  -- The console's board: open incidents, most severe first, then the oldest (the expression is the store's SEVERITY_RANK).
  CREATE INDEX incidents_open_by_urgency ON incidents ((CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 WHEN 'reminder' THEN 2 ELSE 3 END), created_at, id)
    WHERE status != 'resolved';
  `,
  `
  -- When a bundle is due is its earliest pending message: one index seek, however many messages wait in it (a storm
  -- of warnings bundled for one person put thousands in one bundle, and reading them all per page was quadratic).
  DROP INDEX notifications_by_bundle;
  CREATE INDEX notifications_by_bundle ON notifications (bundle_key, due_at) WHERE status = 'pending' AND bundle_key IS NOT NULL;
  `,
  `
  -- Heartbeat monitors: a definition (from a rules file or the API) and where its schedule stands; check_at is
  -- the next instant the sweep decides something (late, down), so timers live here and survive a restart.
  CREATE TABLE heartbeats (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,
    origin          TEXT    NOT NULL CHECK (origin IN ('file', 'api')),
    file            TEXT,
    spec            TEXT    NOT NULL,
    key_hash        TEXT    UNIQUE,
    paused          INTEGER NOT NULL DEFAULT 0,
    state           TEXT    NOT NULL CHECK (state IN ('new', 'up', 'late', 'down')),
    last_ping_at    INTEGER,
    last_ping_kind  TEXT,
    last_exit_code  INTEGER,
    last_output     TEXT,
    started_at      INTEGER,
    due_at          INTEGER,
    check_at        INTEGER,
    late_since      INTEGER,
    down_since      INTEGER,
    fired_labels    TEXT,
    note            TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  );
  CREATE INDEX heartbeats_by_check ON heartbeats (check_at) WHERE check_at IS NOT NULL;
  -- Named instants the store keeps (the heartbeat sweep's last run, to tell a restart from time passing).
  CREATE TABLE marks (
    name  TEXT    PRIMARY KEY,
    at    INTEGER NOT NULL
  );
  `,
  `
  -- On-call overrides made through the API and CLI ("take my shift for two hours"), beside the rules files' own.
  CREATE TABLE oncall_overrides (
    id          TEXT    PRIMARY KEY,
    schedule    TEXT    NOT NULL,
    person      TEXT    NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL CHECK (ends_at > starts_at),
    created_by  TEXT    NOT NULL,
    reason      TEXT,
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX oncall_overrides_by_end ON oncall_overrides (ends_at);
  `,
];
