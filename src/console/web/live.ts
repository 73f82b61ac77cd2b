import { api } from './api.js';
import type { Batch } from './types.js';

/**
 * Live updates: one EventSource for the whole page (cookie auth, resumes from Last-Event-ID on its own), or,
 * when a proxy refuses the stream, polling the same batches as JSON every few seconds.
 */

export type LiveState = 'connecting' | 'live' | 'polling' | 'offline';

export interface LiveListener {
  batch?(b: Batch): void;
  /** Too much was missed (or the server restarted): reload what is shown. */
  reset?(): void;
  state?(s: LiveState): void;
}

const POLL_MS = 3000;

export class LiveEvents {
  private readonly listeners = new Set<LiveListener>();
  private source: EventSource | null = null;
  private seq: number | null = null;
  private pollTimer: number | null = null;
  current: LiveState = 'connecting';

  subscribe(l: LiveListener): () => void {
    this.listeners.add(l);
    l.state?.(this.current);
    return () => this.listeners.delete(l);
  }

  start(): void {
    if (this.source || this.pollTimer !== null) return;
    if (typeof EventSource === 'undefined') return this.poll();
    const source = new EventSource('/api/v1/events');
    this.source = source;
    source.addEventListener('open', () => {
      this.setState('live');
    });
    source.addEventListener('hello', (e) => {
      const resumed = this.seq !== null;
      this.seq = (JSON.parse((e as MessageEvent<string>).data) as { seq: number }).seq;
      // A fresh stream after a gap (the browser reconnected without our last id): what is shown may be stale.
      if (resumed) this.emitReset();
    });
    source.addEventListener('incidents', (e) => this.emitBatch(JSON.parse((e as MessageEvent<string>).data) as Batch));
    source.addEventListener('reset', (e) => {
      this.seq = (JSON.parse((e as MessageEvent<string>).data) as { seq: number }).seq;
      this.emitReset();
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        // Refused (not a stream, or 401): poll instead; polling finds out about a lost session.
        source.close();
        this.source = null;
        this.poll();
      } else {
        this.setState('offline');
      }
    });
  }

  stop(): void {
    this.source?.close();
    this.source = null;
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private poll(): void {
    const tick = async () => {
      try {
        const since = this.seq === null ? '' : `?since=${this.seq}`;
        const body = await api<{ last: number; reset: boolean; batches: Batch[] }>(`/api/v1/events${since}`);
        const first = this.seq === null;
        this.seq = body.last;
        this.setState('polling');
        if (body.reset && !first) this.emitReset();
        for (const b of body.batches) this.emitBatch(b);
      } catch {
        this.setState('offline');
      }
      this.pollTimer = window.setTimeout(() => void tick(), POLL_MS);
    };
    this.pollTimer = window.setTimeout(() => void tick(), 0);
  }

  private emitBatch(b: Batch): void {
    this.seq = b.seq;
    for (const l of this.listeners) l.batch?.(b);
  }

  private emitReset(): void {
    for (const l of this.listeners) l.reset?.();
  }

  private setState(s: LiveState): void {
    if (s === this.current) return;
    this.current = s;
    for (const l of this.listeners) l.state?.(s);
  }
}

export const live = new LiveEvents();
