import { afterEach, describe } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { accessContract } from './contract/access.js';
import { alertsContract } from './contract/alerts.js';
import { changesContract } from './contract/changes.js';
import { digestsContract } from './contract/digests.js';
import { groupCommitContract } from './contract/group-commit.js';
import { heartbeatsContract } from './contract/heartbeats.js';
import { inboundContract } from './contract/inbound.js';
import { incidentListContract } from './contract/incident-list.js';
import { incidentsContract } from './contract/incidents.js';
import { oncallOverridesContract } from './contract/oncall-overrides.js';
import { outboxContract } from './contract/outbox.js';
import { reportsContract } from './contract/reports.js';
import { runbooksContract } from './contract/runbooks.js';
import { silencesContract } from './contract/silences.js';
import { timersContract } from './contract/timers.js';

/** A Store implementation as the contract tests open it. */
export interface StoreSubject {
  /** A new, empty store. */
  open(): Promise<Store>;
  /** Closes the store and opens the same database again (what a restart sees). */
  reopen(store: Store): Promise<Store>;
}

/** What each contract file gets: a fresh store per call, closed after the test. */
export interface ContractContext {
  store(): Promise<Store>;
  reopen(store: Store): Promise<Store>;
}

/**
 * The Store port's contract, written against the port only: every implementation (SQLite here, PostgreSQL
 * later) runs this same suite.
 */
export function describeStoreContract(name: string, subject: StoreSubject): void {
  describe(`${name}: the Store contract`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    const ctx: ContractContext = {
      store: async () => {
        const s = await subject.open();
        opened.push(s);
        return s;
      },
      reopen: async (s) => {
        opened.splice(opened.indexOf(s), 1);
        const again = await subject.reopen(s);
        opened.push(again);
        return again;
      },
    };
    groupCommitContract(ctx);
    changesContract(ctx);
    alertsContract(ctx);
    incidentsContract(ctx);
    incidentListContract(ctx);
    outboxContract(ctx);
    oncallOverridesContract(ctx);
    timersContract(ctx);
    silencesContract(ctx);
    runbooksContract(ctx);
    accessContract(ctx);
    inboundContract(ctx);
    digestsContract(ctx);
    heartbeatsContract(ctx);
    reportsContract(ctx);
  });
}
