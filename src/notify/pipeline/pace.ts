import type { NotificationRow } from '../../store/types.js';
import type { ChannelName } from '../types.js';
import { parseRobotAddress } from '../channels/chat-router.js';
import type { RobotType } from '../channels/robots/robot.js';

/**
 * Per-provider pacing: Twilio takes about one call and one message per second from one number, Slack
 * about one message per second per channel, DingTalk and WeCom robots 20 messages a minute each. Email is paced
 * by the SMTP pool, webhooks not at all.
 */
const intervalMs: Partial<Record<ChannelName, number>> = { voice: 1000, sms: 1000, chat: 1000 };
const robotIntervalMs: Partial<Record<RobotType, number>> = { dingtalk: 3000, wecom: 3000 };

export class RateLimiter {
  private readonly nextFree = new Map<string, number>();

  private key(channel: ChannelName, address: string): string {
    // One sender number for all calls and texts; chat is limited per channel or person.
    return channel === 'chat' ? `chat:${address}` : channel;
  }

  /** Takes a slot if one is free at `now`; otherwise says when the next one is. */
  take(channel: ChannelName, address: string, now: number): { ok: true } | { ok: false; at: number } {
    const robot = channel === 'chat' ? parseRobotAddress(address) : null;
    const every = (robot && robotIntervalMs[robot.type]) ?? intervalMs[channel];
    if (!every) return { ok: true };
    const key = this.key(channel, address);
    const free = this.nextFree.get(key) ?? 0;
    if (now < free) return { ok: false, at: free };
    this.nextFree.set(key, now + every);
    return { ok: true };
  }
}

/** The rows that may go now; a row without a free slot stays due and the next poll takes it. */
export function paced(limiter: RateLimiter, rows: NotificationRow[], now: number): NotificationRow[] {
  return rows.filter((n) => limiter.take(n.channel as ChannelName, n.address, now).ok);
}
