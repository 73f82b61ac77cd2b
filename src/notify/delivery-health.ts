import type { ChannelErrorKind } from './types.js';

/** One provider's state as the dispatcher last saw it. */
export interface ProviderHealth {
  provider: string;
  /** Since when its deliveries fail (epoch ms); null while it delivers. */
  failingSince: number | null;
  /** Failed attempts since the last delivery. */
  failures: number;
  lastError: { kind: ChannelErrorKind; message: string } | null;
}

export interface DeliveryHealth {
  status: 'ok' | 'degraded';
  providers: ProviderHealth[];
}

/**
 * Which providers are failing now, from the outcome of every delivery attempt: a provider is degraded from its
 * first failure that is not the message's own fault (a bad number is not an outage) until its next delivery.
 */
export class ProviderHealthTracker {
  private readonly byProvider = new Map<string, ProviderHealth>();

  constructor(private readonly onChange: (provider: string, degraded: boolean) => void = () => {}) {}

  delivered(provider: string): void {
    const h = this.byProvider.get(provider);
    if (h?.failingSince == null) {
      if (!h) this.byProvider.set(provider, { provider, failingSince: null, failures: 0, lastError: null });
      return;
    }
    this.byProvider.set(provider, { provider, failingSince: null, failures: 0, lastError: null });
    this.onChange(provider, false);
  }

  failed(provider: string, kind: ChannelErrorKind, message: string, at: number): void {
    if (kind === 'client') return;
    const h = this.byProvider.get(provider);
    const wasFailing = h?.failingSince != null;
    this.byProvider.set(provider, {
      provider,
      failingSince: wasFailing ? h!.failingSince : at,
      failures: (h?.failures ?? 0) + 1,
      lastError: { kind, message: message.slice(0, 200) },
    });
    if (!wasFailing) this.onChange(provider, true);
  }

  current(): DeliveryHealth {
    const providers = [...this.byProvider.values()].sort((a, b) => a.provider.localeCompare(b.provider));
    return { status: providers.some((p) => p.failingSince !== null) ? 'degraded' : 'ok', providers };
  }
}
