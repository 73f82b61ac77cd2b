import { robotTypes, type Config, type RobotConfig } from '../../config/schema.js';
import type { Logger } from '../../observe/logger.js';
import type { Person } from '../../oncall/people.js';
import { ChannelError, type Channel, type Delivery, type SendResult } from '../types.js';
import { withLogMode } from './log-mode.js';
import { dingTalk } from './robots/dingtalk.js';
import { feishu } from './robots/feishu.js';
import { RobotChannel, type Mention, type RobotFormat, type RobotType } from './robots/robot.js';
import { teams } from './robots/teams.js';
import { weCom } from './robots/wecom.js';

/** A chat address naming a robot of notify.robots: `<type>:<name>`. Anything else is Slack's (a channel or member id). */
const robotAddress = new RegExp(`^(${robotTypes.join('|')}):([a-zA-Z0-9._-]{1,64})$`);

export function parseRobotAddress(address: string): { type: RobotType; name: string } | null {
  const m = robotAddress.exec(address);
  return m ? { type: m[1] as RobotType, name: m[2]! } : null;
}

function formatOf(config: RobotConfig): RobotFormat {
  switch (config.type) {
    case 'teams':
      return teams(config);
    case 'dingtalk':
      return dingTalk(config);
    case 'wecom':
      return weCom(config);
    case 'feishu':
      return feishu(config);
  }
}

/**
 * The chat channel: Slack, and the robots of notify.robots, chosen by the address (a team's or a person's `chat`).
 * Each runs live with its credentials and in log mode without, on its own; pacing, health and fallback see the
 * provider behind each address.
 */
export class ChatRouter implements Channel {
  readonly name = 'chat' as const;
  readonly provider = 'slack';
  readonly live: boolean;
  readonly providers: readonly string[];
  readonly update?: (delivery: Delivery, providerId: string) => Promise<void>;
  private readonly robots = new Map<string, Channel>();

  constructor(
    private readonly slack: Channel,
    robots: Config['notify']['robots'],
    people: (id: string) => Person | undefined,
    logger: Logger,
    now: () => number = Date.now,
  ) {
    const mentionOf = (person: string | null): Mention | null => {
      const p = person === null ? undefined : people(person);
      return p ? { name: p.name, phone: p.phone ?? null, wecom: p.wecom ?? null, feishu: p.feishu ?? null } : null;
    };
    for (const [name, config] of Object.entries(robots)) {
      this.robots.set(`${config.type}:${name}`, withLogMode(new RobotChannel(formatOf(config), config.timeout, mentionOf, now), logger));
    }
    this.live = slack.live || [...this.robots.values()].some((r) => r.live);
    this.providers = ['slack', ...new Set([...this.robots.values()].map((r) => r.provider))];
    // Only Slack rewrites a message it sent; a robot's stays as posted.
    if (slack.update) {
      const update = slack.update.bind(slack);
      this.update = async (delivery, providerId) => {
        if (!parseRobotAddress(delivery.recipient.address)) await update(delivery, providerId);
      };
    }
  }

  providerOf(address: string): string {
    return parseRobotAddress(address)?.type ?? 'slack';
  }

  send(delivery: Delivery): Promise<SendResult> {
    const address = delivery.recipient.address;
    if (!parseRobotAddress(address)) return this.slack.send(delivery);
    const robot = this.robots.get(address);
    if (!robot) return Promise.reject(new ChannelError('client', `chat: no robot "${address}" in notify.robots (configure one of that type and name)`));
    return robot.send(delivery);
  }

  async close(): Promise<void> {
    await this.slack.close?.();
  }
}

/**
 * Teams and people whose `chat` names a robot that notify.robots does not have (of that type and name): their
 * messages would fail. Checked by `vigil check-config` (exit 2) and at start-up (a warning).
 */
export function robotAddressProblems(rules: { teams: ReadonlyMap<string, { chat?: string }>; people: ReadonlyMap<string, { chat?: string }> }, robots: Config['notify']['robots']): string[] {
  const known = new Set(Object.entries(robots).map(([name, r]) => `${r.type}:${name}`));
  const problems: string[] = [];
  const check = (what: string, chat: string | undefined) => {
    if (chat && parseRobotAddress(chat) && !known.has(chat)) {
      problems.push(`${what}: chat "${chat}" names no robot in notify.robots (${known.size ? `robots: ${[...known].join(', ')}` : 'none configured'})`);
    }
  };
  for (const [name, t] of rules.teams) check(`team "${name}"`, t.chat);
  for (const [id, p] of rules.people) check(`person "${id}"`, p.chat);
  return problems;
}
