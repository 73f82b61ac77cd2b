import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineOptions } from '../../src/incidents/engine-options.js';
import { incidentTimers, timerFor } from '../../src/incidents/timers/registry.js';
import { startTimers } from '../../src/incidents/timers/start.js';
import { loadRuleSet } from '../../src/rules/ruleset.js';
import type { IncidentRow, StoreTx, TimerKind } from '../../src/store/types.js';

// Every kind the store keeps; a kind added there without a timer module fails to compile here.
const kinds: Record<TimerKind, true> = { escalate: true, ack_sla: true, resolve_sla: true, progress: true, reack: true, renotify: true, hold: true };

describe('the incident timer list', () => {
  it('has one module for each kind of timer', () => {
    expect(incidentTimers.map((t) => t.kind).sort()).toEqual(Object.keys(kinds).sort());
    for (const kind of Object.keys(kinds) as TimerKind[]) expect(timerFor(kind)?.kind).toBe(kind);
  });
});

describe('startTimers', () => {
  const rules = loadRuleSet(path.join(import.meta.dirname, '..', '..', 'rules'), {});
  const ctx = { rules: () => rules, groupBy: [], flapWindowMs: 0 } as unknown as EngineOptions;
  const createdAt = Date.parse('2026-11-23T10:00:00Z');
  const pagedAt = createdAt + 60_000;

  function started(incident: Partial<IncidentRow>, policy = rules.policies.critical) {
    const set: Record<string, number> = {};
    const tx = { setTimer: async (_id: number, kind: TimerKind, dueAt: number) => void (set[kind] = dueAt) } as unknown as StoreTx;
    const row = { id: 1, team: null, createdAt, acknowledgedAt: null, ...incident } as IncidentRow;
    return startTimers(ctx, tx, row, policy, pagedAt).then(() => set);
  }

  it('runs the SLA clocks from the incident start, escalation and reminders from the page', async () => {
    const critical = rules.policies.critical;
    expect(await started({})).toEqual({
      ack_sla: createdAt + critical.ackSla!,
      escalate: pagedAt + critical.ackSla!,
      resolve_sla: createdAt + critical.resolveSla!,
      progress: pagedAt + critical.progressReminder!,
    });
    const warning = rules.policies.warning;
    expect(await started({}, warning)).toMatchObject({ renotify: pagedAt + warning.renotify! });
  });

  it('starts no acknowledge clock, escalation or re-notification for an acknowledged incident', async () => {
    expect(Object.keys(await started({ acknowledgedAt: createdAt }, rules.policies.warning)).sort()).toEqual(['resolve_sla']);
    expect(Object.keys(await started({ acknowledgedAt: createdAt })).sort()).toEqual(['progress', 'resolve_sla']);
  });

  it('starts nothing for a policy that pages nobody', async () => {
    expect(await started({}, rules.policies.info)).toEqual({});
  });
});
