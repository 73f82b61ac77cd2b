/** A heartbeat monitor's state: never pinged, pinged on time, past due (within the grace), missed or failed. */
export type HeartbeatState = 'new' | 'up' | 'late' | 'down';

/** Where a monitor is defined: a rules file (`heartbeats:`) or the API. */
export type HeartbeatOrigin = 'file' | 'api';

/** One heartbeat monitor: its definition as written and where its schedule stands. Times are epoch ms. */
export interface HeartbeatRow {
  id: number;
  name: string;
  origin: HeartbeatOrigin;
  /** The rules file that defines it (origin file). */
  file: string | null;
  /** The definition as written (heartbeats/spec.ts parses it). */
  spec: Record<string, unknown>;
  /** SHA-256 of the secret ping key, hex; null until a key is made. */
  keyHash: string | null;
  paused: boolean;
  state: HeartbeatState;
  lastPingAt: number | null;
  /** success, start or fail. */
  lastPingKind: string | null;
  lastExitCode: number | null;
  /** The last ping's body (the run's output), at most 10 KB. */
  lastOutput: string | null;
  /** A run reported started and not yet finished. */
  startedAt: number | null;
  /** When the next successful ping is expected. */
  dueAt: number | null;
  /** When the sweep next has something to decide about this monitor (null: nothing until a ping). */
  checkAt: number | null;
  lateSince: number | null;
  downSince: number | null;
  /** The labels of the alert that fires while it is down (so a changed definition resolves the right one). */
  firedLabels: Record<string, string> | null;
  /** Said on its incident when it next goes down (the grace restarted because Vigil was not running). */
  note: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewHeartbeat = Omit<HeartbeatRow, 'id'>;

export interface HeartbeatTx {
  /** The monitor of this name, locked for this write (PostgreSQL: FOR UPDATE). */
  heartbeat(name: string): Promise<HeartbeatRow | undefined>;
  insertHeartbeat(row: NewHeartbeat): Promise<number>;
  updateHeartbeat(id: number, patch: Partial<NewHeartbeat>): Promise<void>;
  deleteHeartbeat(id: number): Promise<void>;
  /** A named instant the store keeps (the heartbeat sweep's last run), or null. */
  markedAt(mark: string): Promise<number | null>;
  setMark(mark: string, at: number): Promise<void>;
}

export interface HeartbeatReads {
  listHeartbeats(): Promise<HeartbeatRow[]>;
  getHeartbeat(name: string): Promise<HeartbeatRow | undefined>;
  heartbeatByKeyHash(hash: string): Promise<HeartbeatRow | undefined>;
  /** Names of monitors with a check due at or before `now`, earliest first. */
  dueHeartbeats(now: number, limit: number): Promise<string[]>;
  /** The earliest check of any monitor, or null. */
  nextHeartbeatCheckAt(): Promise<number | null>;
}
