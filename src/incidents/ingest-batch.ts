import type { Alert } from '../alerts/alert.js';
import { alertLabel } from '../rules/grouping.js';
import type { IncidentRow, StoreTx } from '../store/types.js';
import { plural, sender, writeEvent } from './timeline.js';

/** Alerts joining one incident in one write that get a timeline event each; the rest are summed up in one. */
export const JOIN_EVENTS_PER_WRITE = 5;
/** Alert names a summary event spells out; the incident lists every alert. */
const SUMMARY_NAMES = 5;

interface Joins {
  events: number;
  more: number;
  names: string[];
  source: string;
  at: number;
}

/**
 * What the alerts of one write share (the requests that arrived together): the open incident of each group key
 * already found, so a storm reads it once, and the alerts that joined an incident beyond the first few, which
 * the timeline records as one "N more alerts joined" event instead of a row each.
 */
export class IngestBatch {
  private readonly open = new Map<string, IncidentRow>();
  private readonly joins = new Map<number, Joins>();

  /** The open incident of this group key found earlier in this write, if any. */
  openIncident(groupKey: string): IncidentRow | undefined {
    return this.open.get(groupKey);
  }

  /** This incident is the open one of its group key (the same object is updated by every alert that joins). */
  remember(groupKey: string, incident: IncidentRow): void {
    this.open.set(groupKey, incident);
  }

  /**
   * Anything but a new firing (a resolve, an action) may have changed or closed incidents through other rows
   * than the ones remembered: read them again.
   */
  forget(): void {
    this.open.clear();
  }

  /** An alert joins the incident: true when it gets its own timeline event, false when the summary counts it. */
  joined(incidentId: number, alert: Alert): boolean {
    let j = this.joins.get(incidentId);
    if (!j) this.joins.set(incidentId, (j = { events: 0, more: 0, names: [], source: alert.source, at: alert.receivedAt }));
    if (j.events < JOIN_EVENTS_PER_WRITE) {
      j.events++;
      return true;
    }
    j.more++;
    if (j.names.length < SUMMARY_NAMES) j.names.push(alertLabel(alert.labels));
    j.source = alert.source;
    j.at = alert.receivedAt;
    return false;
  }

  /** The summary event of each incident that more alerts joined than got an event; at the end of the write. */
  async writeSummaries(tx: StoreTx): Promise<void> {
    for (const [incidentId, j] of this.joins) {
      if (j.more === 0) continue;
      const names = j.names.join(', ') + (j.more > j.names.length ? ', …' : '');
      await writeEvent(tx, incidentId, j.at, sender(j.source), 'alerts_joined', `${plural(j.more, 'more alert')} joined: ${names}`, {
        count: j.more,
      });
    }
    this.joins.clear();
  }
}
