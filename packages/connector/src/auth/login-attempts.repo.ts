import type { Db } from '../storage/db.ts';
import './auth.tables.ts';

/** The persisted record of login attempts behind throttling. */
export class LoginAttemptsRepo {
  constructor(private readonly db: Db) {}

  async record(login: string, ip: string, succeeded: boolean, at: number): Promise<void> {
    await this.db.kysely.insertInto('login_attempts').values({ login, ip, succeeded: succeeded ? 1 : 0, at }).execute();
  }

  /** Times of failed attempts for a login after `since` and after its last success, newest first. */
  async failuresForLogin(login: string, since: number, limit: number): Promise<number[]> {
    const lastSuccess = await this.db.kysely.selectFrom('login_attempts').select((eb) => eb.fn.max('at').as('at'))
      .where('login', '=', login).where('succeeded', '=', 1).where('at', '>', since).executeTakeFirst();
    const from = Math.max(since, lastSuccess?.at != null ? Number(lastSuccess.at) : since);
    const rows = await this.db.kysely.selectFrom('login_attempts').select('at')
      .where('login', '=', login).where('succeeded', '=', 0).where('at', '>', from)
      .orderBy('at', 'desc').limit(limit).execute();
    return rows.map((r) => Number(r.at));
  }

  /** Times of failed attempts from an address after `since`, newest first. */
  async failuresForIp(ip: string, since: number, limit: number): Promise<number[]> {
    const rows = await this.db.kysely.selectFrom('login_attempts').select('at')
      .where('ip', '=', ip).where('succeeded', '=', 0).where('at', '>', since)
      .orderBy('at', 'desc').limit(limit).execute();
    return rows.map((r) => Number(r.at));
  }

  async deleteOlderThan(before: number): Promise<void> {
    await this.db.kysely.deleteFrom('login_attempts').where('at', '<', before).execute();
  }
}
