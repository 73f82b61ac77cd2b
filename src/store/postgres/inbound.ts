import type { InboundTx } from '../types/inbound.js';
import type { Query } from './pool.js';

/** Inbound events (Slack event ids) already handled: a sender's retry is recognised and does nothing. */
export function inboundTx(q: Query): InboundTx {
  return {
    firstSighting: async (key, at, forgetBefore) => {
      await q('DELETE FROM inbound_events WHERE seen_at < ?', [forgetBefore]);
      return (await q('INSERT INTO inbound_events (key, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING key', [key, at])).length > 0;
    },
  };
}
