import { severities } from '../../alerts/severity.js';
import type { AlertState } from '../types.js';

const statuses = ['firing', 'resolved'] as const;
const none = Number.NaN; // null in a number column

type Patch = Partial<Pick<AlertState, 'endsAt' | 'expiresAt' | 'annotationsDigest' | 'valuesDigest' | 'severity' | 'rawSeverity'>>;

/**
 * Alert states by fingerprint, one typed-array column per field instead of one object per alert: the
 * engine keeps every open alert here, and 100,000 objects of eleven fields with their strings and boxed
 * timestamps weigh five times as much. Rows are reused through a free list; at `capacity` it starts over.
 */
export class AlertStateTable {
  private readonly byFingerprint = new Map<string, number>();
  private readonly byId = new Map<number, number>();
  private readonly fingerprintOf: (string | undefined)[] = [];
  private readonly free: number[] = [];
  private size = 0;
  private numbers = new Float64Array(0); // per row: id, incidentId, startsAt, endsAt, expiresAt, annotationsDigest, valuesDigest
  private codes = new Uint8Array(0); // per row: status, severity
  // Few distinct values, so the same strings are shared by every row.
  private readonly rawSeverityOf: (string | null)[] = [];
  private readonly resolvedByOf: (string | null)[] = [];
  private readonly interned = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  get(fingerprint: string): AlertState | undefined {
    const row = this.byFingerprint.get(fingerprint);
    if (row === undefined) return undefined;
    const n = this.numbers;
    const at = row * 7;
    return {
      id: n[at]!,
      incidentId: n[at + 1]!,
      status: statuses[this.codes[row * 2]!]!,
      severity: severities[this.codes[row * 2 + 1]!]!,
      rawSeverity: this.rawSeverityOf[row]!,
      startsAt: n[at + 2]!,
      endsAt: nullable(n[at + 3]!),
      expiresAt: nullable(n[at + 4]!),
      resolvedBy: this.resolvedByOf[row]!,
      annotationsDigest: n[at + 5]!,
      valuesDigest: nullable(n[at + 6]!),
    };
  }

  set(fingerprint: string, state: AlertState): void {
    this.deleteFingerprint(fingerprint);
    if (this.byFingerprint.size >= this.capacity) this.clear();
    const row = this.free.pop() ?? this.grow();
    this.byFingerprint.set(fingerprint, row);
    this.byId.set(state.id, row);
    this.fingerprintOf[row] = fingerprint;
    const at = row * 7;
    this.numbers[at] = state.id;
    this.numbers[at + 1] = state.incidentId;
    this.numbers[at + 2] = state.startsAt;
    this.codes[row * 2] = statuses.indexOf(state.status);
    this.resolvedByOf[row] = this.intern(state.resolvedBy);
    this.write(row, state);
  }

  /** Changes the cached state of alert `id`, if cached. */
  patch(id: number, changes: Patch): void {
    const row = this.byId.get(id);
    if (row !== undefined) this.write(row, changes);
  }

  deleteFingerprint(fingerprint: string): void {
    const row = this.byFingerprint.get(fingerprint);
    if (row !== undefined) this.release(row);
  }

  deleteId(id: number): void {
    const row = this.byId.get(id);
    if (row !== undefined) this.release(row);
  }

  clear(): void {
    this.byFingerprint.clear();
    this.byId.clear();
    this.fingerprintOf.length = 0;
    this.rawSeverityOf.length = 0;
    this.resolvedByOf.length = 0;
    this.free.length = 0;
    this.interned.clear();
    this.size = 0;
  }

  private write(row: number, s: Patch): void {
    const at = row * 7;
    if (s.endsAt !== undefined) this.numbers[at + 3] = s.endsAt ?? none;
    if (s.expiresAt !== undefined) this.numbers[at + 4] = s.expiresAt ?? none;
    if (s.annotationsDigest !== undefined) this.numbers[at + 5] = s.annotationsDigest;
    if (s.valuesDigest !== undefined) this.numbers[at + 6] = s.valuesDigest ?? none;
    if (s.severity !== undefined) this.codes[row * 2 + 1] = severities.indexOf(s.severity);
    if (s.rawSeverity !== undefined) this.rawSeverityOf[row] = this.intern(s.rawSeverity);
  }

  private release(row: number): void {
    this.byFingerprint.delete(this.fingerprintOf[row]!);
    this.byId.delete(this.numbers[row * 7]!);
    this.fingerprintOf[row] = undefined;
    this.free.push(row);
  }

  private grow(): number {
    const row = this.size++;
    if (row * 7 >= this.numbers.length) {
      const rows = Math.max(1024, (this.numbers.length / 7) * 2);
      const numbers = new Float64Array(rows * 7);
      numbers.set(this.numbers);
      const codes = new Uint8Array(rows * 2);
      codes.set(this.codes);
      this.numbers = numbers;
      this.codes = codes;
    }
    return row;
  }

  private intern(value: string | null): string | null {
    if (value === null) return null;
    const known = this.interned.get(value);
    if (known !== undefined) return known;
    // Bounded: an unusual sender with a new value per alert gets its strings kept as they are.
    if (this.interned.size < 1024) this.interned.set(value, value);
    return value;
  }
}

const nullable = (v: number): number | null => (Number.isNaN(v) ? null : v);
