/** Alerts joining one incident within a window that get a timeline event each; the rest are summed up in one. */
export const JOIN_EVENTS_PER_WINDOW = 5;
/** How long one window of joins lasts, from the first alert that joins. */
export const JOIN_WINDOW_MS = 60_000;
/** Windows kept at most; the least recently joined go first (they only lose their running count). */
const KEPT = 10_000;

/** One incident's current window: how many joins got an event, and the summary event of the rest. */
export interface JoinWindow {
  startedAt: number;
  events: number;
  summary: { eventId: number; count: number; names: string[] } | null;
}

/**
 * The engine's memory of each incident's joins in the last minute, so an alert storm writes one running
 * "N more alerts joined" event per incident and minute instead of a row per alert. Only committed windows are
 * kept (a write that rolls back leaves it as it was); after a restart a window simply starts again.
 */
export class JoinLog {
  private readonly windows = new Map<number, JoinWindow>();

  /** The incident's window at `at` (a copy to change), or a new one when none is open. */
  windowAt(incidentId: number, at: number): JoinWindow {
    const w = this.windows.get(incidentId);
    if (w && at - w.startedAt < JOIN_WINDOW_MS && at >= w.startedAt) return { ...w, summary: w.summary && { ...w.summary, names: [...w.summary.names] } };
    return { startedAt: at, events: 0, summary: null };
  }

  /** After the commit that wrote it. Kept in the order incidents were last joined, so ended windows go first. */
  committed(incidentId: number, w: JoinWindow): void {
    this.windows.delete(incidentId);
    this.windows.set(incidentId, w);
    for (const [id, oldest] of this.windows) {
      if (this.windows.size <= KEPT && w.startedAt - oldest.startedAt < JOIN_WINDOW_MS) break;
      this.windows.delete(id);
    }
  }
}
