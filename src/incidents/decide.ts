import { evaluate, type AlertFacts, type Decision } from '../rules/evaluate.js';
import type { EngineOptions } from './engine-options.js';

/** The rules' decision for an alert, under the rules in force now. */
export function decide(ctx: EngineOptions, alert: AlertFacts): Decision {
  return evaluate(ctx.rules(), alert, ctx.groupBy);
}

/** The decision as timeline data (the policy as its parts a person reads). */
export function decisionData(d: Decision): Record<string, unknown> {
  return {
    severity: d.severity,
    severityFrom: d.severityFrom,
    priority: d.priority,
    team: d.team,
    teamNote: d.teamNote,
    service: d.service,
    runbooks: d.runbooks,
    matchedRules: d.matchedRules,
    notify: d.policy.notify,
    ackSla: d.policy.ackSla,
    resolveSla: d.policy.resolveSla,
  };
}
