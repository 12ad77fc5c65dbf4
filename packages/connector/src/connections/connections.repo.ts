import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { ConnectionsTable } from '../storage/schema.ts';
import './connections.tables.ts';

export type ConnectionRow = Selectable<ConnectionsTable>;
export type NewConnectionRow = Omit<Insertable<ConnectionsTable>, 'id'>;
export type ConnectionRowPatch = Omit<Updateable<ConnectionsTable>, 'id' | 'created_at'>;

/** Rows of `connections`, as stored (secrets encrypted). Only the service turns them into views or secrets. */
export class ConnectionsRepo {
  constructor(private readonly db: Db) {}

  async list(): Promise<ConnectionRow[]> {
    return this.db.kysely.selectFrom('connections').selectAll().orderBy('name').execute();
  }

  async get(id: number): Promise<ConnectionRow | undefined> {
    return this.db.kysely.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByName(name: string): Promise<ConnectionRow | undefined> {
    return this.db.kysely.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async insert(row: NewConnectionRow): Promise<number> {
    const inserted = await this.db.kysely.insertInto('connections').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(inserted.id);
  }

  async update(id: number, patch: ConnectionRowPatch): Promise<boolean> {
    const res = await this.db.kysely.updateTable('connections').set(patch).where('id', '=', id).executeTakeFirst();
    return Number(res.numUpdatedRows ?? 0) > 0;
  }

  async delete(id: number): Promise<boolean> {
    const res = await this.db.kysely.deleteFrom('connections').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows ?? 0) > 0;
  }
}
