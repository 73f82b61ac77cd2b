import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { severities, type Severity } from '../alerts/severity.js';

export type CoreMetrics = ReturnType<typeof createCoreMetrics>;
export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

/** A registry with Node's process metrics. With HTTP workers, each process has one and /metrics merges them. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Metrics of the process that owns the store: storage, incidents, scheduler, configuration. */
/** What the gauges read from the store when scraped (the store satisfies it). */
export interface StoreGauges {
  pendingWrites(): number;
  openIncidentCounts(): Promise<Record<Severity, number>>;
  pendingNotificationCount(): Promise<number>;
  listHeartbeats(): Promise<{ name: string; state: string; paused: boolean; lastPingAt: number | null }[]>;
}

const heartbeatStates = ['new', 'up', 'late', 'down', 'paused'] as const;

export function createCoreMetrics(registry: Registry, store: () => StoreGauges | undefined) {
  const storeCommitDuration = new Histogram({
    name: 'vigil_store_commit_duration_seconds',
    help: 'Duration of one group commit (transaction and fsync).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const storeCommitWrites = new Histogram({
    name: 'vigil_store_commit_writes',
    help: 'Writes carried by one group commit.',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  new Gauge({
    name: 'vigil_store_pending_writes',
    help: 'Writes waiting for the next group commit.',
    registers: [registry],
    collect() {
      this.set(store()?.pendingWrites() ?? 0);
    },
  });
  new Gauge({
    name: 'vigil_incidents_open',
    help: 'Open (triggered or acknowledged) incidents, by severity.',
    labelNames: ['severity'] as const,
    registers: [registry],
    async collect() {
      const s = store();
      if (!s) return;
      try {
        const counts = await s.openIncidentCounts();
        for (const sev of severities) this.set({ severity: sev }, counts[sev]);
      } catch {
        // A store outage shows in /readyz; the gauge keeps its last values.
      }
    },
  });
  // Both heartbeat gauges come from one read per scrape; a deleted monitor's series go with it.
  let heartbeatRead: Promise<Awaited<ReturnType<StoreGauges['listHeartbeats']>>> | null = null;
  const heartbeats = () => {
    heartbeatRead ??= (store()?.listHeartbeats() ?? Promise.resolve([])).finally(() => setImmediate(() => (heartbeatRead = null)));
    return heartbeatRead;
  };
  new Gauge({
    name: 'vigil_heartbeat_last_ping_timestamp_seconds',
    help: 'When each heartbeat monitor last received a ping (success or failure), in seconds since the epoch.',
    labelNames: ['name'] as const,
    registers: [registry],
    async collect() {
      try {
        const rows = await heartbeats();
        this.reset();
        for (const r of rows) if (r.lastPingAt !== null) this.set({ name: r.name }, r.lastPingAt / 1000);
      } catch {
        // A store outage shows in /readyz.
      }
    },
  });
  new Gauge({
    name: 'vigil_heartbeat_state',
    help: 'Each heartbeat monitor state: 1 for the state it is in (new, up, late, down, paused), 0 for the others.',
    labelNames: ['name', 'state'] as const,
    registers: [registry],
    async collect() {
      try {
        const rows = await heartbeats();
        this.reset();
        for (const r of rows) {
          const now = r.paused ? 'paused' : r.state;
          for (const state of heartbeatStates) this.set({ name: r.name, state }, state === now ? 1 : 0);
        }
      } catch {
        // A store outage shows in /readyz.
      }
    },
  });
  const configLastReloadSuccessful = new Gauge({
    name: 'vigil_config_last_reload_successful',
    help: 'Whether the last configuration load succeeded (1) or failed (0).',
    registers: [registry],
  });
  const configLastReloadTime = new Gauge({
    name: 'vigil_config_last_reload_success_timestamp_seconds',
    help: 'When the rules were last loaded successfully.',
    registers: [registry],
  });
  const schedulerJobSeconds = new Histogram({
    name: 'vigil_scheduler_job_seconds',
    help: 'Duration of each scheduler job run.',
    labelNames: ['job'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const schedulerJobFailures = new Counter({
    name: 'vigil_scheduler_job_failures_total',
    help: 'Scheduler job runs that failed.',
    labelNames: ['job'] as const,
    registers: [registry],
  });
  const schedulerLag = new Gauge({
    name: 'vigil_scheduler_lag_seconds',
    help: 'How late the last scheduler tick started compared with when it was due.',
    registers: [registry],
  });
  const notificationsTotal = new Counter({
    name: 'vigil_notifications_total',
    help: 'Delivery attempts, by channel, outcome (delivered, retry, failed, cancelled) and reason (live, log, the error class, or why a page was cancelled).',
    labelNames: ['channel', 'outcome', 'reason'] as const,
    registers: [registry],
  });
  const notificationLatency = new Histogram({
    name: 'vigil_notification_latency_seconds',
    help: "From the incident's first alert arriving to the provider accepting the page.",
    labelNames: ['channel'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600],
    registers: [registry],
  });
  const deliveryDegraded = new Gauge({
    name: 'vigil_delivery_degraded',
    help: 'Whether deliveries through a provider (twilio, slack, smtp, webhook) are failing now (1) or not (0); failed pages are retried until it recovers.',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'vigil_outbox_depth',
    help: 'Messages waiting in the outbox (due or scheduled, e.g. bundles and retries).',
    registers: [registry],
    async collect() {
      const s = store();
      if (!s) return;
      try {
        this.set(await s.pendingNotificationCount());
      } catch {
        // shown by /readyz
      }
    },
  });
  const slaBreaches = new Counter({
    name: 'vigil_sla_breaches_total',
    help: 'Incidents that missed their acknowledge or resolve SLA, by priority and kind.',
    labelNames: ['priority', 'kind'] as const,
    registers: [registry],
  });
  const runbookRuns = new Counter({
    name: 'vigil_runbook_runs_total',
    help: 'Runbook runs by runbook and outcome (succeeded, failed, escalate, dry_run, aborted, interrupted, refused_<guard>).',
    labelNames: ['runbook', 'outcome'] as const,
    registers: [registry],
  });
  const runbooksLastReloadSuccessful = new Gauge({
    name: 'vigil_runbooks_last_reload_successful',
    help: 'Whether the last load of the runbook files succeeded (1) or failed and the previous runbooks stay in force (0).',
    registers: [registry],
  });
  // ---- reports
  const reportMessages = new Counter({
    name: 'vigil_report_messages_total',
    help: 'Messages written to the outbox by the report jobs, by kind (digest, review).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const reportSeconds = new Histogram({
    name: 'vigil_report_duration_seconds',
    help: 'How long report computations (summary API, digests) took, waits between their steps included.',
    buckets: [0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const reportSteps = new Histogram({
    name: 'vigil_report_step_seconds',
    help: 'How long each step of a report (a chunk read and counted, a percentile) kept the event loop to itself.',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25],
    registers: [registry],
  });
  return {
    registry,
    reportMessages,
    reportSeconds,
    reportSteps,
    slaBreaches,
    runbookRuns,
    runbooksLastReloadSuccessful,
    notificationsTotal,
    notificationLatency,
    deliveryDegraded,
    storeCommitDuration,
    storeCommitWrites,
    configLastReloadSuccessful,
    configLastReloadTime,
    schedulerJobSeconds,
    schedulerJobFailures,
    schedulerLag,
  };
}

/** Metrics of a process that serves HTTP: what arrived and how fast it was answered. */
export function createHttpMetrics(registry: Registry) {
  const alertsReceived = new Counter({
    name: 'vigil_alerts_received_total',
    help: 'Alerts received, by source and status.',
    labelNames: ['source', 'status'] as const,
    registers: [registry],
  });
  const ingestRequests = new Counter({
    name: 'vigil_ingest_requests_total',
    help: 'Ingest requests answered, by source and HTTP status code.',
    labelNames: ['source', 'code'] as const,
    registers: [registry],
  });
  const ingestDuration = new Histogram({
    name: 'vigil_ingest_duration_seconds',
    help: 'Time from request arrival to answer for ingest requests, including the durable commit.',
    labelNames: ['source'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // The conventional names, so the handbook's HighAPILatency and HighErrorRate rules (deploy/prometheus/alerts.yml)
  // and the scale-up runbook's check watch Vigil's own HTTP answers as they would any service's.
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests (ingest, API, callbacks, health, metrics), by method, route and status code.',
    labelNames: ['method', 'route', 'code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status code.',
    labelNames: ['method', 'route', 'code'] as const,
    registers: [registry],
  });
  /** One answered request; `route` is the route's pattern (`/api/v1/incidents/:id`), never the raw path. */
  const observeHttp = (method: string, route: string, status: number, seconds: number) => {
    const labels = { method, route, code: String(status) };
    httpRequestDuration.observe(labels, seconds);
    httpRequests.inc(labels);
  };
  return { registry, alertsReceived, ingestRequests, ingestDuration, httpRequestDuration, httpRequests, observeHttp };
}
