import { ChannelError, type IncidentSummary } from '../../src/notify/types.js';

/** The incident a channel test's message is about: a critical P1 on checkout, as messages see it. */
export function sampleIncident(over: Partial<IncidentSummary> = {}): IncidentSummary {
  return {
    id: 42,
    title: 'CPU above 95% for 5m',
    status: 'triggered',
    severity: 'critical',
    priority: 'P1',
    team: 'payments',
    service: 'checkout',
    createdAt: Date.UTC(2024, 4, 1, 12, 0, 0),
    acknowledgedBy: null,
    resolvedBy: null,
    alertCount: 2,
    links: [],
    details: [],
    ...over,
  };
}

/** The ChannelError a send failed with (the test fails if it succeeded or failed otherwise). */
export async function channelFailure(p: Promise<unknown>): Promise<ChannelError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ChannelError)) throw new Error(`expected a ChannelError, got ${err === null ? 'success' : String(err)}`);
  return err;
}
