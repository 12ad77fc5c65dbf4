import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from './db.ts';

/**
 * The one lease rule of the connector. A lease is a pair of columns on the row it guards: who holds it (`owner`) and
 * until when (`until`, epoch ms on the injected clock). It is live while `now < until`; at `until` it has run out
 * and anyone may take it — a lease taken for `ttl` lasts exactly `ttl`, so whoever waits exactly `ttl` after it was
 * taken (the order import's recheck after Odoo's time limit) finds it free. Its holder extends it before it runs out (a heartbeat) and clears both columns
 * when done; every write made under a lease is guarded by "still held by me", so a holder that lost it (paused too
 * long, reaped) can never overwrite what the next holder did.
 *
 * Used by: task claims (`tasks.locked_by/locked_until`, with heartbeats and the reaper), the product export lock
 * (`product_export_state.lock_owner/lock_until`, re-entrant for its holder), the Poleepo token refresh
 * (`poleepo_tokens.refresh_owner/refresh_until`) and, through `NamedLeases`, leases on a name kept in `kv` (the order
 * import: a new customer being created, the discount product).
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
  return until !== null && until > now;
}

/** How often a holder should extend a lease of `ttlMs`: three chances before it runs out. */
export function heartbeatInterval(ttlMs: number): number {
  return Math.floor(ttlMs / 3);
}

/** SQL: the lease is free at `now` (none, or run out); with `reentrantFor`, also when that owner already holds it. */
export function leaseFree(columns: LeaseColumns, now: number, reentrantFor?: string): RawBuilder<SqlBool> {
  const until = sql.ref(columns.until);
  if (reentrantFor === undefined) return sql<SqlBool>`(${until} is null or ${until} <= ${now})`;
  return sql<SqlBool>`(${until} is null or ${until} <= ${now} or ${sql.ref(columns.owner)} = ${reentrantFor})`;
}

/** SQL: the lease has run out at `now` (a holder existed and stopped extending it). */
export function leaseRunOut(columns: LeaseColumns, now: number): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(columns.until)} <= ${now}`;
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

/**
 * A lease on a name rather than on a row (a customer being created, the discount product): held in `kv` under the
 * name, so two processes importing the same new customer do not both create it. The same rule as above: live while
 * `now < until`; taken over once run out (compare-and-set on the value seen, so two takers cannot both win); given
 * back only by its holder (by the exact value it got).
 */
export class NamedLeases {
  constructor(private readonly db: Db) {}

  /** The lease's value when taken (give it back to release it), or null while someone else holds it. */
  async tryTake(name: string, holder: string, now: number, ttlMs: number): Promise<string | null> {
    const value = JSON.stringify({ holder, until: leaseUntil(now, ttlMs) });
    const inserted = await this.db.kysely.insertInto('kv').values({ key: name, value, updated_at: now })
      .onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
    if (inserted) return value;
    const current = await this.db.kysely.selectFrom('kv').select('value').where('key', '=', name).executeTakeFirst();
    if (!current) return this.tryTake(name, holder, now, ttlMs); // released meanwhile: try again
    if (leaseIsLive(untilOf(current.value), now)) return null;
    const res = await this.db.kysely.updateTable('kv').set({ value, updated_at: now }).where('key', '=', name).where('value', '=', current.value).executeTakeFirst();
    return Number(res.numUpdatedRows ?? 0) === 1 ? value : null;
  }

  /** Gives a lease back (only the holder's own: one run out and taken over by someone else stays theirs). */
  async release(name: string, value: string): Promise<void> {
    await this.db.kysely.deleteFrom('kv').where('key', '=', name).where('value', '=', value).execute();
  }
}

/** The end written in a named lease's value; unreadable counts as run out (it can then be taken over). */
function untilOf(value: string): number | null {
  try {
    const until = (JSON.parse(value) as { until?: unknown }).until;
    return typeof until === 'number' ? until : null;
  } catch {
    return null;
  }
}
