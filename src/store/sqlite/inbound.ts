import type { InboundTx } from '../types/inbound.js';
import type { Stmt } from './statements.js';

/** Inbound events (Slack event ids) already handled: a sender's retry is recognised and does nothing. */
export function inboundTx(stmt: Stmt): InboundTx {
  return {
    firstSighting: (key, at, forgetBefore) => {
      stmt('DELETE FROM inbound_events WHERE seen_at < ?').run(forgetBefore);
      return Promise.resolve(stmt('INSERT OR IGNORE INTO inbound_events (key, seen_at) VALUES (?, ?)').run(key, at).changes > 0);
    },
  };
}
