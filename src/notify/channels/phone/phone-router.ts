import { ChannelError, type Channel, type Delivery, type SendResult } from '../../types.js';

/** A channel's providers in order, and per number prefix (notify.sms, notify.voice). */
export interface PhoneRoutes {
  providers: readonly string[];
  routes: readonly { prefix: string; providers: readonly string[] }[];
}

/**
 * The SMS or voice channel over its providers (Twilio, Alibaba Cloud, Vonage): each number goes through the
 * providers of the first route whose prefix it has (`+86` through Alibaba Cloud, say), else the default list, in
 * order. A message one provider fails is tried on the next at once, and the timeline says so; only when every one
 * failed does the attempt fail (and the outbox retries, then falls back to another channel). Providers without
 * credentials are skipped while any has them; with none, the first logs.
 */
export class PhoneRouter implements Channel {
  readonly name: 'sms' | 'voice';
  readonly provider: string;
  readonly live: boolean;
  readonly providers: readonly string[];

  constructor(
    name: 'sms' | 'voice',
    private readonly byName: ReadonlyMap<string, Channel>,
    private readonly config: PhoneRoutes,
  ) {
    this.name = name;
    this.provider = config.providers[0]!;
    this.live = [...byName.values()].some((c) => c.live);
    this.providers = [...byName.keys()];
  }

  /** The providers a number goes through, in order. */
  private order(address: string): Channel[] {
    const route = this.config.routes.find((r) => address.startsWith(r.prefix));
    return (route?.providers ?? this.config.providers).map((name) => this.byName.get(name)!).filter(Boolean);
  }

  providerOf(address: string): string {
    const order = this.order(address);
    return (order.find((c) => c.live) ?? order[0])?.provider ?? this.provider;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const order = this.order(delivery.recipient.address);
    const live = order.filter((c) => c.live);
    if (live.length === 0) return order[0]!.send(delivery);
    const failedOver: { provider: string; error: ChannelError }[] = [];
    for (const provider of live) {
      try {
        const result = await provider.send(delivery);
        if (failedOver.length === 0) return { ...result, provider: provider.provider };
        const before = failedOver.map((f) => `${f.error.message} (${f.error.kind})`).join('; ');
        return { ...result, provider: provider.provider, failedOver, note: `through ${provider.provider} after ${before}` };
      } catch (err) {
        failedOver.push({ provider: provider.provider, error: err instanceof ChannelError ? err : new ChannelError('client', `${provider.provider}: ${String(err)}`) });
      }
    }
    // Every provider failed: retried as the most hopeful of the failures allows.
    const failed = failedOver.map((f) => f.error);
    const hopeful = failed.find((e) => e.transient) ?? failed[failed.length - 1]!;
    const retryAfter = failed.map((e) => e.retryAfterMs).filter((ms): ms is number => ms !== undefined);
    return Promise.reject(new ChannelError(hopeful.kind, failed.map((e) => e.message).join('; then '), retryAfter.length ? Math.min(...retryAfter) : undefined));
  }
}
