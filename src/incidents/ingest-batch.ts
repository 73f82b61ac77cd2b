import type { Alert } from '../alerts/alert.js';
import { alertLabel } from '../rules/grouping.js';
import type { Decision } from '../rules/evaluate.js';
import type { IncidentRow, StoreTx } from '../store/types.js';
import { JOIN_EVENTS_PER_WINDOW, type JoinLog, type JoinWindow } from './join-log.js';
import { plural } from './timeline.js';

/** Alert names a summary event spells out; the incident lists every alert. */
const SUMMARY_NAMES = 5;

interface Draft {
  window: JoinWindow;
  /** Alerts this write adds to the summary. */
  added: number;
  source: string;
  at: number;
}

/**
 * What the alerts of one write share (the requests that arrived together): the open incident of each group key
 * already found, so a storm reads it once, and each incident's joins beyond the first few of its minute, which
 * the timeline records as one running "N more alerts joined" event instead of a row each.
 */
export class IngestBatch {
  /** The open incident of each group key looked up in this write; null: it has none. */
  private readonly open = new Map<string, IncidentRow | null>();
  /** Each new alert's decision under the rules, made once in the write. */
  private readonly decisions = new Map<Alert, Decision>();
  private readonly drafts = new Map<number, Draft>();
  /** Incidents whose alert counters the write has changed and not yet stored. */
  private readonly counted = new Map<number, IncidentRow>();

  constructor(private readonly joins: JoinLog) {}

  /** The open incident of this group key found earlier in this write; null: none; undefined: not looked up. */
  openIncident(groupKey: string): IncidentRow | null | undefined {
    return this.open.get(groupKey);
  }

  /** Looks up the open incidents of these group keys in one go (those not looked up yet in this write). */
  async lookUpOpen(tx: StoreTx, groupKeys: Iterable<string>): Promise<void> {
    const missing = [...new Set(groupKeys)].filter((k) => !this.open.has(k));
    if (missing.length === 0) return;
    const found = await tx.openIncidentsByGroupKeys(missing);
    for (const key of missing) this.open.set(key, found.get(key) ?? null);
  }

  /** The alert's decision, made once per write (looking ahead for its group, then firing it). */
  decisionOf(alert: Alert, decide: (alert: Alert) => Decision): Decision {
    let decision = this.decisions.get(alert);
    if (!decision) this.decisions.set(alert, (decision = decide(alert)));
    return decision;
  }

  /** This incident is the open one of its group key (the same object is updated by every alert that joins). */
  remember(groupKey: string, incident: IncidentRow): void {
    this.open.set(groupKey, incident);
  }

  /**
   * An alert joined the incident: its counters change in memory and are stored once per write (a storm adds
   * hundreds of alerts to one incident in a write), before anything reads the row again.
   */
  count(incident: IncidentRow, patch: Pick<IncidentRow, 'firingCount' | 'suppressedCount' | 'alertCount' | 'updatedAt'>): void {
    Object.assign(incident, patch);
    this.counted.set(incident.id, incident);
  }

  /** Stores the counters changed so far. */
  async storeCounts(tx: StoreTx): Promise<void> {
    if (this.counted.size === 0) return;
    const counts = [...this.counted.values()].map((i) => ({ id: i.id, firingCount: i.firingCount, suppressedCount: i.suppressedCount, alertCount: i.alertCount, updatedAt: i.updatedAt }));
    this.counted.clear();
    await tx.updateIncidentCounts(counts);
  }

  /**
   * Anything but a new firing (a resolve, an action) may read, change or close incidents through other rows than
   * the ones remembered: store what is counted, and read them again.
   */
  async forget(tx: StoreTx): Promise<void> {
    await this.storeCounts(tx);
    this.open.clear();
  }

  /** An alert joins the incident: true when it gets its own timeline event, false when the summary counts it. */
  joined(incidentId: number, alert: Alert): boolean {
    let d = this.drafts.get(incidentId);
    if (!d) this.drafts.set(incidentId, (d = { window: this.joins.windowAt(incidentId, alert.receivedAt), added: 0, source: alert.source, at: alert.receivedAt }));
    const w = d.window;
    if (w.events < JOIN_EVENTS_PER_WINDOW) {
      w.events++;
      return true;
    }
    w.summary ??= { eventId: 0, count: 0, names: [] };
    w.summary.count++;
    if (w.summary.names.length < SUMMARY_NAMES) w.summary.names.push(alertLabel(alert.labels));
    d.added++;
    d.source = alert.source;
    d.at = alert.receivedAt;
    return false;
  }

  /**
   * At the end of the write: the counters, each incident's summary event, added or brought up to date, and the
   * windows kept once the write has committed.
   */
  async writeSummaries(tx: StoreTx): Promise<void> {
    await this.storeCounts(tx);
    for (const [incidentId, d] of this.drafts) {
      const s = d.window.summary;
      if (s && d.added > 0) {
        const message = `${plural(s.count, 'more alert')} joined: ${s.names.join(', ')}${s.count > s.names.length ? ', …' : ''}`;
        const data = { count: s.count, since: new Date(d.window.startedAt).toISOString() };
        if (s.eventId === 0) {
          s.eventId = await tx.addEvent({ incidentId, at: d.at, kind: 'alerts_joined', actor: d.source, source: d.source, message, data });
        } else await tx.reviseEvent({ id: s.eventId, incidentId, kind: 'alerts_joined' }, message, data);
      }
      tx.afterCommit(() => this.joins.committed(incidentId, d.window));
    }
    this.drafts.clear();
  }
}
