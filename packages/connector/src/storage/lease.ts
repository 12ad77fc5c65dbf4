import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * The one lease rule of the connector. A lease is a pair of columns on the row it guards: who holds it (`owner`) and
 * until when (`until`, epoch ms on the injected clock). It is live while `until >= now`; once `until < now` it has
 * run out and anyone may take it. Its holder extends it before it runs out (a heartbeat) and clears both columns
 * when done; every write made under a lease is guarded by "still held by me", so a holder that lost it (paused too
 * long, reaped) can never overwrite what the next holder did.
 *
 * Used by: task claims (`tasks.locked_by/locked_until`, with heartbeats and the reaper), the product export lock
 * (`product_export_state.lock_owner/lock_until`, re-entrant for its holder) and the Poleepo token refresh
 * (`poleepo_tokens.refresh_owner/refresh_until`).
 */
export interface LeaseColumns<Owner extends string = string, Until extends string = string> {
  owner: Owner;
  until: Until;
}

/** The end of a lease taken or extended at `now` for `ttlMs`. */
export function leaseUntil(now: number, ttlMs: number): number {
  return now + ttlMs;
}

/** Whether a lease ending at `until` (null: none) is still live at `now`. */
export function leaseIsLive(until: number | null, now: number): boolean {
  return until !== null && until >= now;
}

/** How often a holder should extend a lease of `ttlMs`: three chances before it runs out. */
export function heartbeatInterval(ttlMs: number): number {
  return Math.floor(ttlMs / 3);
}

/** SQL: the lease is free at `now` (none, or run out); with `reentrantFor`, also when that owner already holds it. */
export function leaseFree(columns: LeaseColumns, now: number, reentrantFor?: string): RawBuilder<SqlBool> {
  const until = sql.ref(columns.until);
  if (reentrantFor === undefined) return sql<SqlBool>`(${until} is null or ${until} < ${now})`;
  return sql<SqlBool>`(${until} is null or ${until} < ${now} or ${sql.ref(columns.owner)} = ${reentrantFor})`;
}

/** SQL: the lease has run out at `now` (a holder existed and stopped extending it). */
export function leaseRunOut(columns: LeaseColumns, now: number): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(columns.until)} < ${now}`;
}

/** SQL: `owner` holds the lease (live or not: a write guarded by this fails once someone else took it). */
export function leaseHeldBy(columns: LeaseColumns, owner: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(columns.owner)} = ${owner}`;
}

/** The column values that take or extend a lease (for `.set()`). */
export function leaseTaken<O extends string, U extends string>(columns: LeaseColumns<O, U>, owner: string, now: number, ttlMs: number): Record<O, string> & Record<U, number> {
  return { [columns.owner]: owner, [columns.until]: leaseUntil(now, ttlMs) } as Record<O, string> & Record<U, number>;
}

/** The column values that clear a lease (for `.set()`). */
export function leaseCleared<O extends string, U extends string>(columns: LeaseColumns<O, U>): Record<O | U, null> {
  return { [columns.owner]: null, [columns.until]: null } as Record<O | U, null>;
}
