import { sql } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';

export interface RateLimit {
  /** Requests allowed in any sliding window of `windowMs`. */
  limit: number;
  windowMs: number;
}

export type Acquisition = { granted: true } | { granted: false; retryAfterMs: number };

/**
 * A persisted record of requests per (account, endpoint). Every process consults it before calling a limited
 * endpoint, so "N requests per window" holds across processes and restarts. The check-and-record is atomic:
 * an advisory transaction lock on PostgreSQL, the single writer connection on SQLite.
 */
export class RateLimitLedger {
  constructor(private readonly db: Db, private readonly clock: Clock) {}

  async tryAcquire(accountKey: string, endpoint: string, rule: RateLimit): Promise<Acquisition> {
    const got = await this.tryAcquireEntry(accountKey, endpoint, rule);
    return got.granted ? { granted: true } : got;
  }

  /** As tryAcquire, with the id of the entry recorded, for `stamp` once the request is over. */
  async tryAcquireEntry(accountKey: string, endpoint: string, rule: RateLimit): Promise<{ granted: true; entryId: number } | { granted: false; retryAfterMs: number }> {
    return this.db.kysely.transaction().execute(async (trx) => {
      if (this.db.dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtextextended(${`ratelimit:${accountKey}:${endpoint}`}, 0))`.execute(trx);
      }
      const now = this.clock.now();
      const since = now - rule.windowMs;
      const recent = await trx.selectFrom('rate_limit_ledger').select('at')
        .where('account_key', '=', accountKey).where('endpoint', '=', endpoint).where('at', '>', since)
        .orderBy('at', 'asc').execute();
      if (recent.length >= rule.limit) {
        // The slot frees when the oldest request that keeps the window full leaves it (a limit of 0: a whole window).
        const oldest = recent[recent.length - rule.limit]?.at ?? now;
        return { granted: false as const, retryAfterMs: Math.max(1, oldest + rule.windowMs - now) };
      }
      const row = await trx.insertInto('rate_limit_ledger').values({ account_key: accountKey, endpoint, at: now }).returning('id').executeTakeFirstOrThrow();
      return { granted: true as const, entryId: Number(row.id) };
    });
  }

  /**
   * Moves an entry to now, once its request is over. The server counts a request when it arrives, which is after
   * the grant by however long sending took (event loop, network, the server's own queue); counting it from the
   * moment its answer came back — never earlier than it arrived — keeps the next grant a full window after the
   * server's count, so a limit equal to the server's never earns a 429.
   */
  async stamp(entryId: number): Promise<void> {
    await this.db.kysely.updateTable('rate_limit_ledger').set({ at: this.clock.now() }).where('id', '=', entryId).where('at', '<', this.clock.now()).execute();
  }

  async used(accountKey: string, endpoint: string, windowMs: number): Promise<number> {
    const row = await this.db.kysely.selectFrom('rate_limit_ledger').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_key', '=', accountKey).where('endpoint', '=', endpoint).where('at', '>', this.clock.now() - windowMs)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Entries older than any window in use are useless; removed by API Log Cleanup's daily pass. */
  async prune(olderThan: number): Promise<number> {
    const res = await this.db.kysely.deleteFrom('rate_limit_ledger').where('at', '<', olderThan).executeTakeFirst();
    return Number(res.numDeletedRows ?? 0);
  }
}
