import type { Selectable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { SessionsTable, UsersTable } from '../storage/schema.ts';

export type SessionRow = Selectable<SessionsTable>;

export interface SessionWithUser {
  session: SessionRow;
  user: Selectable<UsersTable>;
}

/** Sessions, keyed by the SHA-256 of their token (the token itself is only ever in the browser's cookie). */
export class SessionsRepo {
  constructor(private readonly db: Db) {}

  async insert(values: { token_hash: string; user_id: number; csrf_token: string; expires_at: number; created_at: number; last_seen_at: number; lang?: string | null }): Promise<number> {
    const row = await this.db.kysely.insertInto('sessions').values(values).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async findWithUser(tokenHash: string): Promise<SessionWithUser | undefined> {
    const session = await this.db.kysely.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    if (!session) return undefined;
    const user = await this.db.kysely.selectFrom('users').selectAll().where('id', '=', session.user_id).executeTakeFirst();
    return user ? { session, user } : undefined;
  }

  async touch(id: number, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.db.kysely.updateTable('sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id', '=', id).execute();
  }

  /** The session's own language (chosen on the login page, or switched during the session). */
  async setLang(id: number, lang: string | null): Promise<void> {
    await this.db.kysely.updateTable('sessions').set({ lang }).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.kysely.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user, except optionally one (the one changing its own password). */
  async deleteForUser(userId: number, exceptId?: number): Promise<void> {
    let q = this.db.kysely.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    await q.execute();
  }

  async deleteExpired(now: number): Promise<number> {
    const res = await this.db.kysely.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(res.numDeletedRows ?? 0);
  }
}
