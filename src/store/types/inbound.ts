/** Inbound events (Slack's event ids) already handled, so a sender's retry does nothing twice. */
export interface InboundTx {
  /**
   * Records an inbound event's key (a Slack event id) unless it is already there, and forgets keys seen before
   * `forgetBefore`; true the first time. In the same write as what the event does, so a retry does it once.
   */
  firstSighting(key: string, at: number, forgetBefore: number): Promise<boolean>;
}
