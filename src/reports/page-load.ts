import { isNight } from './local-clock.js';
import type { NightHours, PageFigures, PersonLoad, ReportNotification } from './types.js';

/**
 * On-call load: how often each person was paged, and how often at night.
 *
 * A page is one occasion of reaching one person about one incident: the call and the text the planner
 * writes together for it (same incident, person, kind and creation time) and any fallback message sent
 * after one of them failed are one page, not three. Only channels that interrupt someone count (by
 * default voice, SMS and chat; a management email for every P1 is not on-call load). A page happened
 * when it first reached the person (its first delivery), or when it was due if it never did.
 */
export interface PageLoadOptions {
  since: number;
  until: number;
  timeZone: string;
  nightHours: NightHours;
  channels: readonly string[];
  /** Only pages about these incidents (a team's report); null: every page. */
  incidentIds: ReadonlySet<number> | null;
}

const pageKinds = new Set(['page', 'escalation']);
const MAX_FALLBACK_CHAIN = 20;

interface Occasion {
  person: string | null;
  name: string;
  messages: ReportNotification[];
}

export function pageLoad(notifications: readonly ReportNotification[], o: PageLoadOptions): PageFigures {
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
    if (!o.channels.includes(n.channel)) continue;
    const root = rootOf(n);
    if (!pageKinds.has(root.kind)) continue;
    if (o.incidentIds && (root.incidentId === null || !o.incidentIds.has(root.incidentId))) continue;
    // People are told apart by id; a shared channel (no person) by its name.
    const who = root.person ?? `#${root.recipientName}`;
    const key = `${root.incidentId}|${root.kind}|${root.createdAt}|${who}`;
    let occasion = occasions.get(key);
    if (!occasion) occasions.set(key, (occasion = { person: root.person, name: root.recipientName, messages: [] }));
    occasion.messages.push(n);
  }

  const people = new Map<string, PersonLoad>();
  let total = 0;
  let night = 0;
  let unattributed = 0;
  for (const occasion of occasions.values()) {
    const at = reachedAt(occasion.messages);
    if (at < o.since || at >= o.until) continue;
    if (occasion.person === null) {
      unattributed++;
      continue;
    }
    let load = people.get(occasion.person);
    if (!load) {
      load = { person: occasion.person, name: occasion.name, pages: 0, nightPages: 0, failed: 0, messages: 0, share: 0 };
      people.set(occasion.person, load);
    }
    const atNight = isNight(at, o.timeZone, o.nightHours);
    load.pages++;
    load.messages += occasion.messages.length;
    if (atNight) load.nightPages++;
    if (occasion.messages.every((m) => m.status === 'failed')) load.failed++;
    total++;
    if (atNight) night++;
  }
  const byPerson = [...people.values()]
    .map((p) => ({ ...p, share: p.pages / total }))
    .sort((a, b) => b.pages - a.pages || b.nightPages - a.nightPages || a.person.localeCompare(b.person));
  return { total, night, nightHours: { ...o.nightHours }, channels: [...o.channels], byPerson, unattributed };
}

function reachedAt(messages: readonly ReportNotification[]): number {
  const delivered = messages.flatMap((m) => (m.deliveredAt === null ? [] : [m.deliveredAt]));
  return delivered.length > 0 ? Math.min(...delivered) : Math.min(...messages.map((m) => m.dueAt));
}
