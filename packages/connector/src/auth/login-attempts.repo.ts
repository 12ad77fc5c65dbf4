import { sql, type Kysely } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { Database } from '../storage/schema.ts';
import './auth.tables.ts';

/**
 * The persisted record of login attempts behind throttling. An attempt is recorded as a failure when it is let
 * through (before the password is checked) and turned into a success afterwards, so concurrent attempts count each
 * other; `serialised` makes the check and that record one step.
 */
export class LoginAttemptsRepo {
  constructor(private readonly db: Db, private readonly kysely: Kysely<Database> = db.kysely) {}

  /**
   * Runs `fn` in one transaction that no other login attempt runs beside: an advisory transaction lock on
   * PostgreSQL (every process), the single connection on SQLite (one process).
   */
  serialised<T>(fn: (repo: LoginAttemptsRepo) => Promise<T>): Promise<T> {
    return this.db.kysely.transaction().execute(async (trx) => {
      if (this.db.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended('login_attempts', 0))`.execute(trx);
      return fn(new LoginAttemptsRepo(this.db, trx));
    });
  }

  /** Records an attempt; returns its id. */
  async record(login: string, ip: string, succeeded: boolean, at: number): Promise<number> {
    const row = await this.kysely.insertInto('login_attempts').values({ login, ip, succeeded: succeeded ? 1 : 0, at }).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** The attempt turned out right (it was recorded as a failure while the password was checked). */
  async markSucceeded(id: number): Promise<void> {
    await this.kysely.updateTable('login_attempts').set({ succeeded: 1 }).where('id', '=', id).execute();
  }

  /** Times of failed attempts for a login from one address after `since` and after that pair's last success, newest first. */
  async failuresForLoginAndIp(login: string, ip: string, since: number, limit: number): Promise<number[]> {
    const lastSuccess = await this.kysely.selectFrom('login_attempts').select((eb) => eb.fn.max('id').as('id'))
      .where('login', '=', login).where('ip', '=', ip).where('succeeded', '=', 1).where('at', '>', since).executeTakeFirst();
    let q = this.kysely.selectFrom('login_attempts').select('at')
      .where('login', '=', login).where('ip', '=', ip).where('succeeded', '=', 0).where('at', '>', since);
    if (lastSuccess?.id != null) q = q.where('id', '>', Number(lastSuccess.id));
    const rows = await q.orderBy('at', 'desc').limit(limit).execute();
    return rows.map((r) => Number(r.at));
  }

  /** Times of failed attempts for a login from every address after `since`, newest first (a success does not reset them). */
  async failuresForLogin(login: string, since: number, limit: number): Promise<number[]> {
    const rows = await this.kysely.selectFrom('login_attempts').select('at')
      .where('login', '=', login).where('succeeded', '=', 0).where('at', '>', since)
      .orderBy('at', 'desc').limit(limit).execute();
    return rows.map((r) => Number(r.at));
  }

  /** Times of failed attempts from an address after `since`, newest first. */
  async failuresForIp(ip: string, since: number, limit: number): Promise<number[]> {
    const rows = await this.kysely.selectFrom('login_attempts').select('at')
      .where('ip', '=', ip).where('succeeded', '=', 0).where('at', '>', since)
      .orderBy('at', 'desc').limit(limit).execute();
    return rows.map((r) => Number(r.at));
  }

  async deleteOlderThan(before: number): Promise<void> {
    await this.kysely.deleteFrom('login_attempts').where('at', '<', before).execute();
  }
}
