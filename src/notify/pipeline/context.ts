import type { Clock } from '../../time/clock.js';
import type { Locale } from '../../text/messages/catalog.js';
import type { Logger } from '../../observe/logger.js';
import type { CoreMetrics } from '../../observe/metrics.js';
import type { RuleSet } from '../../rules/ruleset.js';
import type { Store } from '../../store/types.js';
import type { ProviderHealthTracker } from '../delivery-health.js';
import type { Channel, ChannelName } from '../types.js';
import type { RetryPolicy } from './retry.js';

export interface DispatcherOptions extends RetryPolicy {
  /** Signed acknowledge/resolve links for a recipient, or null when links are not available. */
  links: ((incidentId: number, person: string | null) => { acknowledge: string; resolve: string }) | null;
  /** For fallback routing (people's other addresses). */
  rules: () => RuleSet;
  /** Random in [0, 1): jitter; injected so tests are exact. */
  random?: () => number;
  /** The language of messages to people and teams without a locale of their own (notify.locale). */
  locale?: Locale;
  /** The zone of times in messages to people and teams without one of their own (notify.timeZone). */
  timeZone?: string;
}

/** What every stage of the delivery pipeline works with; the dispatcher builds it once. */
export interface PipelineContext {
  store: Store;
  channels: Map<ChannelName, Channel>;
  clock: Clock;
  logger: Logger;
  metrics: CoreMetrics;
  health: ProviderHealthTracker;
  options: DispatcherOptions;
}
