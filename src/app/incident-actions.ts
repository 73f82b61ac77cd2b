import type { IncidentEngine } from '../incidents/engine.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { Store } from '../store/types.js';
import type { IncidentActions } from '../notify/types.js';

/** What a phone keypress, SMS reply, chat button or email link may do, backed by the engine. */
export function incidentActions(
  engine: IncidentEngine,
  store: Store,
  rules: () => RuleSet,
  runbooks?: { decide(runId: string, d: { approved: boolean; by: string }): Promise<unknown> },
): IncidentActions {
  return {
    decideRunbook: async (runId, by, approved) => {
      if (!runbooks) throw new Error('runbooks are not available');
      return runbooks.decide(runId, { approved, by });
    },
    acknowledge: (id, by, source) => engine.acknowledge(id, { by, source }),
    resolve: (id, by, source) => engine.resolve(id, { by, source }),
    escalate: (id, by, source) => engine.escalateNow(id, { by, source }),
    addNote: (id, by, source, text, once) =>
      once ? engine.addNoteOnce(id, { by, source, text }, once) : engine.addNote(id, { by, source, text }),
    personByPhone(phone) {
      for (const p of rules().people.values()) if (p.phone === phone) return { id: p.id, name: p.name, locale: p.locale };
      return null;
    },
    lastIncidentForPhone: (phone) => store.lastIncidentForAddress(phone),
    personBySlack(userId) {
      for (const p of rules().people.values()) if (p.slack === userId) return { id: p.id, name: p.name };
      return null;
    },
    incidentForThread: (ts) => store.incidentForThread(ts),
  };
}
