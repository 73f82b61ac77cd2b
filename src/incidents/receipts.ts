import type { Store } from '../store/types.js';

/**
 * Receipts of repeats that changed nothing (see refresh), kept in memory and written in batches by the
 * scheduler: senders repeat constantly, and a write per repeat would cost ingest its throughput.
 */
export class ReceiptBook {
  private readonly receipts = new Map<number, { at: number; count: number }>();

  note(alertId: number, at: number): void {
    const r = this.receipts.get(alertId);
    if (r) {
      r.at = Math.max(r.at, at);
      r.count++;
    } else this.receipts.set(alertId, { at, count: 1 });
  }

  /**
   * Writes the batched receipts (lastReceivedAt, receiveCount), in small writes so ingest commits can slip
   * in between and no request waits behind thousands of updates.
   */
  async flush(store: Store, chunk: number): Promise<number> {
    if (this.receipts.size === 0) return 0;
    const batch = [...this.receipts].map(([id, r]) => ({ id, ...r }));
    this.receipts.clear();
    for (let i = 0; i < batch.length; i += chunk) {
      const part = batch.slice(i, i + chunk);
      await store.write((tx) => tx.addReceipts(part));
    }
    return batch.length;
  }
}
