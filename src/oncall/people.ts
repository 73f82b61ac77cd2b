import { z } from 'zod';
import { locales } from '../text/messages/catalog.js';
import { timeZone } from '../time/time-schemas.js';

/** People Vigil can reach and the teams they form (the people and teams sections of rule files). */

export const personId = z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)');

/** A person Vigil can reach, and how. */
export const personSchema = z
  .object({
    id: personId,
    name: z.string().min(1).max(200),
    email: z.email().optional(),
    /** E.164, e.g. +4915112345678: phone calls and SMS. */
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number like +4915112345678').optional(),
    /** Slack member id (U…) for direct messages. */
    slack: z.string().min(1).max(100).optional(),
    /** Where their chat messages go instead of their team's: a Slack channel or a robot (`dingtalk:ops-cn`). */
    chat: z.string().min(1).max(100).optional(),
    /** The language of everything Vigil sends them (default notify.locale). */
    locale: z.enum(locales).optional(),
    /** The zone of the times in their messages (default notify.timeZone), e.g. Asia/Shanghai. */
    timeZone: timeZone.optional(),
    /** Their WeCom userid and Feishu open_id, to @mention them in those groups (DingTalk mentions by phone). */
    wecom: z.string().min(1).max(100).optional(),
    feishu: z.string().min(1).max(100).optional(),
  })
  .strict();

/** A team: its members, who holds which role, and its chat channel. */
export const teamSchema = z
  .object({
    name: z.string().min(1).max(100),
    /** The team's chat: a Slack channel id or name, or a robot of notify.robots as `<type>:<name>` (`teams:platform`). */
    chat: z.string().min(1).max(100).optional(),
    /** The language of the team's chat messages (default notify.locale); each person's own locale wins for them. */
    locale: z.enum(locales).optional(),
    /** The zone of the times in the team's chat messages (default notify.timeZone). */
    timeZone: timeZone.optional(),
    /** Role "team": everyone listed here. */
    members: z.array(personId).default([]),
    /** Other roles (oncall, on-duty, owner, management, ...) and who holds them. */
    roles: z.record(z.string().min(1), z.array(personId)).default({}),
    /** The escalation policy for this team's incidents (a rule or severity policy naming one wins). */
    escalation: z.string().min(1).optional(),
    /** The schedules saying who is on call, per escalation tier (used when no escalation policy is named). */
    schedules: z
      .object({
        tier1: z.string().min(1).optional(),
        tier2: z.string().min(1).optional(),
        tier3: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Person = z.output<typeof personSchema>;
export type Team = z.output<typeof teamSchema>;
