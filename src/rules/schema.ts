import { z } from 'zod';
import { severities } from '../alerts/severity.js';
import { durationSchema, optionalDurationSchema } from '../time/duration-schema.js';
import { scheduleSchema } from '../oncall/schema.js';
import { personId, personSchema, teamSchema, type Person, type Team } from '../oncall/people.js';

export type { Person, Team };
import { maintenanceWindowSchema } from './maintenance.js';
import { compileMatcher, MatcherError, parseMatchers } from './matchers.js';
import { compileTemplate } from './title-template.js';
import { labelName, matcherList } from './matcher-schema.js';
import { heartbeatDefinition } from './heartbeat-spec.js';

/** A duration like 15m, or "none" where the policy has no such timer. */
const optionalDuration = optionalDurationSchema('30s, 15m, 4h, or none');

export const channels = ['voice', 'sms', 'email', 'chat', 'webhook'] as const;
export const priorities = ['P1', 'P2', 'P3', 'P4'] as const;

const notifyTarget = z
  .object({
    /** A role from the people file (oncall, management, team, owner, ...). */
    role: z.string().min(1),
    channels: z.array(z.enum(channels)).min(1),
  })
  .strict();

/** What happens for incidents of one severity: who is told how, and within what time. */
const policyFields = {
  priority: z.enum(priorities),
  notify: z.array(notifyTarget),
  /** Acknowledge within this, or escalate. */
  ackSla: optionalDuration,
  /** Resolve within this. */
  resolveSla: optionalDuration,
  /** Progress report to responders and stakeholders while open. */
  progressReminder: optionalDuration,
  /** Notify again while nobody has acknowledged. */
  renotify: optionalDuration,
  /** Collect notifications for this long and send them together (0s: at once). */
  bundleWindow: optionalDuration,
  /** Listed in the periodic digest. */
  digest: z.boolean(),
  /** Acknowledged but not resolved within this: the incident triggers and pages again. */
  reackAfter: optionalDuration,
  /** After the last tier, start again from tier 1 this many times (without a named escalation policy). */
  escalationRepeat: z.number().int().min(0).max(10),
  /** With runbooks to run, wait this long before paging: resolved by then, the incident closes as self-healed. */
  holdPageFor: optionalDuration,
  /** The escalation policy (escalation_policies) to climb; without one, the team's tier schedules, each after ackSla. */
  escalation: z.string().min(1).nullable(),
};

export const policySchema = z
  .object({
    ...policyFields,
    reackAfter: policyFields.reackAfter.default(null),
    escalationRepeat: policyFields.escalationRepeat.default(0),
    escalation: policyFields.escalation.default(null),
    holdPageFor: policyFields.holdPageFor.default(null),
  })
  .strict();
// No defaults here: an override sets only what it names, the rest stays as the severity's policy says.
export const policyOverrideSchema = z.object(policyFields).partial().strict();
export type Policy = z.output<typeof policySchema>;
export type PolicyOverride = z.output<typeof policyOverrideSchema>;

const titleTemplate = z
  .string()
  .min(1)
  .max(500)
  .transform((text, ctx) => {
    try {
      return compileTemplate(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

export const ruleSchema = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    /** Alertmanager matchers over labels (and annotations.<name>); all must match. None: every alert. */
    match: matcherList.default([]),
    set: z
      .object({
        severity: z.enum(severities).optional(),
        priority: z.enum(priorities).optional(),
        team: z.string().min(1).optional(),
        service: z.string().min(1).optional(),
        /** Incident title; {{ labels.name }} and {{ annotations.name }} are filled from the alert. */
        title: titleTemplate.optional(),
        groupBy: z.array(z.union([labelName, z.array(labelName).min(1)])).min(1).optional(),
        runbooks: z.array(z.string().min(1)).optional(),
        policy: policyOverrideSchema.optional(),
      })
      .strict()
      .default({}),
    /** Keep evaluating later rules after this one matched (they fill in what is still unset). */
    continue: z.boolean().default(false),
  })
  .strict();

export const inhibitRuleSchema = z
  .object({
    name: z.string().min(1),
    /** An alert matching these (and firing) mutes alerts matching target_matchers... */
    source_matchers: matcherList,
    target_matchers: matcherList,
    /** ...that have the same values of these labels. */
    equal: z.array(labelName).default([]),
  })
  .strict();

const requiredDuration = durationSchema({ examples: '30s, 15m, 4h' });

/** Who one tier pages: whoever a schedule has on call, a person, a team's chat channel, or a chat channel. */
const escalationTargetSchema = z.union([
  z.object({ schedule: z.string().min(1), channels: z.array(z.enum(channels)).min(1).optional() }).strict(),
  z.object({ person: personId, channels: z.array(z.enum(channels)).min(1).optional() }).strict(),
  z.object({ team: z.string().min(1) }).strict(),
  z.object({ chat: z.string().min(1).max(100) }).strict(),
]);

/** Ordered tiers: tier 1 is paged with the incident, each later tier when the one before it stays unanswered. */
export const escalationPolicySchema = z
  .object({
    name: z.string().min(1).max(100),
    description: z.string().optional(),
    tiers: z
      .array(
        z
          .object({
            /** How long this tier has to acknowledge before the next tier is paged; absent, the severity's ackSla. */
            delay: requiredDuration.optional(),
            targets: z.array(escalationTargetSchema).min(1),
          })
          .strict(),
      )
      .min(1)
      .max(10),
    /** After the last tier, start again from tier 1 this many times. */
    repeat: z.number().int().min(0).max(10).default(0),
  })
  .strict();

export type EscalationPolicy = z.output<typeof escalationPolicySchema>;
export type EscalationTarget = z.output<typeof escalationTargetSchema>;

/** One file under rules/. Every section is optional; files are merged in name order. */
export const rulesFileSchema = z
  .object({
    policies: z.partialRecord(z.enum(severities), policySchema).optional(),
    rules: z.array(ruleSchema).optional(),
    inhibit_rules: z.array(inhibitRuleSchema).optional(),
    people: z.array(personSchema).optional(),
    teams: z.array(teamSchema).optional(),
    /** The team whose roles are paged for incidents without a (known) team. */
    defaultTeam: z.string().min(1).optional(),
    /** Ordered escalation tiers, named by teams (escalation) or policies (escalation). */
    escalation_policies: z.array(escalationPolicySchema).optional(),
    /** On-call schedules: rotations in layers, with overrides. */
    schedules: z.array(scheduleSchema).optional(),
    /** Heartbeat monitors: page when a job, Prometheus or Alertmanager stops pinging. */
    heartbeats: z.array(heartbeatDefinition).optional(),
    maintenance: z
      .array(
        maintenanceWindowSchema.superRefine((w, ctx) => {
          (w.matchers ?? []).forEach((text, i) => {
            try {
              parseMatchers(text).forEach(compileMatcher);
            } catch (err) {
              ctx.addIssue({ code: 'custom', path: ['matchers', i], message: err instanceof MatcherError ? err.message : String(err) });
            }
          });
        }),
      )
      .optional(),
  })
  .strict();

export type RulesFile = z.output<typeof rulesFileSchema>;
export type Rule = z.output<typeof ruleSchema>;
export type InhibitRule = z.output<typeof inhibitRuleSchema>;
