import { ChannelError, type Channel, type SendResult } from '../types.js';
import type { Prepared } from './render.js';

/** Hands the message to its channel; a channel that is not there is the message's own fault. */
export async function send(channel: Channel | undefined, { delivery, original }: Prepared): Promise<SendResult> {
  if (!channel) throw new ChannelError('client', `channel ${delivery.channel} is not available`);
  const result = await channel.send(delivery);
  // The page itself shows the incident's state: rewritten when it is acknowledged or resolved, not by
  // reminders or escalations in its thread (that would take its buttons away while it still pages).
  if (original?.providerId && channel.update && (delivery.kind === 'acknowledged' || delivery.kind === 'resolved')) {
    await channel.update(delivery, original.providerId).catch(() => undefined);
  }
  return result;
}

/** Errors are classified once: anything that is not a channel's own classification is a server fault. */
export function asChannelError(err: unknown): ChannelError {
  return err instanceof ChannelError ? err : new ChannelError('server', (err as Error)?.message ?? String(err));
}
