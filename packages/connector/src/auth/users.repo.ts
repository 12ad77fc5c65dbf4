import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { UsersTable } from '../storage/schema.ts';

export type UserRow = Selectable<UsersTable>;

/** Console users. Only the service reads `password_hash`; everything it hands out is a `PublicUser`. */
export class UsersRepo {
  constructor(private readonly db: Db) {}

  async count(): Promise<number> {
    const row = await this.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countActiveAdmins(): Promise<number> {
    const row = await this.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin').where('active', '=', 1).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  findByLogin(login: string): Promise<UserRow | undefined> {
    return this.db.kysely.selectFrom('users').selectAll().where('login', '=', login).executeTakeFirst();
  }

  findById(id: number): Promise<UserRow | undefined> {
    return this.db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(): Promise<UserRow[]> {
    return this.db.kysely.selectFrom('users').selectAll().orderBy('login').execute();
  }

  async insert(values: Omit<Insertable<UsersTable>, 'id'>): Promise<number> {
    const row = await this.db.kysely.insertInto('users').values(values).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async update(id: number, patch: Omit<Updateable<UsersTable>, 'id'>): Promise<void> {
    await this.db.kysely.updateTable('users').set(patch).where('id', '=', id).execute();
  }
}
