import type { CreateTableBuilder, Kysely } from 'kysely';
import type { Dialect } from './db.ts';

/** What every migration receives: the dialect, because SQLite and PostgreSQL differ in ids and ALTERs. */
export interface MigrationContext {
  db: Kysely<any>;
  dialect: Dialect;
}

export interface MigrationModule {
  up(ctx: MigrationContext): Promise<void>;
  down?(ctx: MigrationContext): Promise<void>;
}

/** Auto-increment primary key `id` in each dialect. */
export function withId<T extends string>(builder: CreateTableBuilder<T, never>, dialect: Dialect): CreateTableBuilder<T, 'id'> {
  return dialect === 'sqlite'
    ? builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : builder.addColumn('id', 'bigserial', (c) => c.primaryKey());
}
