/**
 * What a claim by this instance writes on a row: who holds it, and until when in the database's clock (so
 * instances whose clocks disagree still agree on whose lease ran out).
 */
export interface Lease {
  /** This instance's id (random per process). */
  owner: string;
  /** How long a claim holds before another instance may take the row over. */
  ms: number;
}

/** The row is free to claim: never claimed, released, or its holder's lease ran out. */
export const UNLEASED = '(lease_until IS NULL OR lease_until < now())';

/**
 * The row is this instance's to work on: free, or claimed by it already (a claim read again, as SQLite's
 * one process reads its due rows again, until they are worked on). Its one argument is the owner.
 */
export const CLAIMABLE = `(${UNLEASED} OR lease_owner = ?)`;

/** The SET terms of a claim; its arguments are leaseArgs(lease). */
export const LEASE_SET = "lease_owner = ?, lease_until = now() + ? * interval '1 millisecond'";

export const leaseArgs = (lease: Lease): [string, number] => [lease.owner, lease.ms];

/** The SET terms that release a claim (the row was worked on, or moved). */
export const LEASE_RELEASE = 'lease_owner = NULL, lease_until = NULL';
