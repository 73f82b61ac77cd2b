import { nightTest } from '../time/local-days.js';
import type { NightHours, PageFigures, PersonLoad, ReportNotification } from './types.js';

/**
 * On-call load: how often each person was paged, and how often at night.
 *
 * A page is one occasion of reaching one person about one incident: the call and the text the planner
 * writes together for it (same incident, person, kind and creation time) and any fallback message sent
 * after one of them failed are one page, not three. Only channels that interrupt someone count (by
 * default voice, SMS and chat; a management email for every P1 is not on-call load). A page happened
 * when it first reached the person (its first delivery), or when it was due if it never did.
 *
 * The tally takes the messages in batches (a report reads them with their incidents, a chunk at a time):
 * a page and its fallbacks are about one incident, so they arrive in the same batch.
 */
export interface PageLoadOptions {
  since: number;
  until: number;
  timeZone: string;
  nightHours: NightHours;
  channels: readonly string[];
}

const pageKinds = new Set(['page', 'escalation']);
const MAX_FALLBACK_CHAIN = 20;

interface Occasion {
  person: string | null;
  name: string;
  messages: ReportNotification[];
}

export class PageTally {
  private readonly people = new Map<string, PersonLoad>();
  private readonly isNight: (ms: number) => boolean;
  private total = 0;
  private night = 0;
  private unattributed = 0;

  constructor(private readonly o: PageLoadOptions) {
    this.isNight = nightTest(o.timeZone, o.nightHours);
  }

  /** Counts the pages among these messages; with incidentIds, only pages about those incidents (a team's report). */
  add(notifications: readonly ReportNotification[], incidentIds: ReadonlySet<number> | null): void {
    for (const occasion of this.occasions(notifications, incidentIds)) {
      const at = reachedAt(occasion.messages);
      if (at < this.o.since || at >= this.o.until) continue;
      if (occasion.person === null) {
        this.unattributed++;
        continue;
      }
      let load = this.people.get(occasion.person);
      if (!load) {
        load = { person: occasion.person, name: occasion.name, pages: 0, nightPages: 0, failed: 0, messages: 0, share: 0 };
        this.people.set(occasion.person, load);
      }
      const atNight = this.isNight(at);
      load.pages++;
      load.messages += occasion.messages.length;
      if (atNight) load.nightPages++;
      if (occasion.messages.every((m) => m.status === 'failed')) load.failed++;
      this.total++;
      if (atNight) this.night++;
    }
  }

  result(): PageFigures {
    const byPerson = [...this.people.values()]
      .map((p) => ({ ...p, share: p.pages / this.total }))
      .sort((a, b) => b.pages - a.pages || b.nightPages - a.nightPages || a.person.localeCompare(b.person));
    return {
      total: this.total,
      night: this.night,
      nightHours: { ...this.o.nightHours },
      channels: [...this.o.channels],
      byPerson,
      unattributed: this.unattributed,
    };
  }

  private occasions(notifications: readonly ReportNotification[], incidentIds: ReadonlySet<number> | null): Iterable<Occasion> {
    const byId = new Map(notifications.map((n) => [n.id, n]));
    const rootOf = (n: ReportNotification): ReportNotification => {
      let at = n;
      for (let i = 0; i < MAX_FALLBACK_CHAIN && at.fallbackOf !== null; i++) {
        const parent = byId.get(at.fallbackOf);
        if (!parent) break;
        at = parent;
      }
      return at;
    };
    const occasions = new Map<string, Occasion>();
    for (const n of notifications) {
      if (!this.o.channels.includes(n.channel)) continue;
      const root = rootOf(n);
      if (!pageKinds.has(root.kind)) continue;
      if (incidentIds && (root.incidentId === null || !incidentIds.has(root.incidentId))) continue;
      // People are told apart by id; a shared channel (no person) by its name.
      const who = root.person ?? `#${root.recipientName}`;
      const key = `${root.incidentId}|${root.kind}|${root.createdAt}|${who}`;
      let occasion = occasions.get(key);
      if (!occasion) occasions.set(key, (occasion = { person: root.person, name: root.recipientName, messages: [] }));
      occasion.messages.push(n);
    }
    return occasions.values();
  }
}

function reachedAt(messages: readonly ReportNotification[]): number {
  let delivered = Infinity;
  let due = Infinity;
  for (const m of messages) {
    if (m.deliveredAt !== null) delivered = Math.min(delivered, m.deliveredAt);
    due = Math.min(due, m.dueAt);
  }
  return delivered !== Infinity ? delivered : due;
}
