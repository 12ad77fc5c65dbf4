import { withId, type MigrationContext } from '../migration-helpers.ts';

/**
 * Console login attempts, persisted so that throttling (per login and per client address) holds across restarts
 * and across every `serve` process sharing the database.
 */
export async function up({ db, dialect }: MigrationContext): Promise<void> {
  await withId(db.schema.createTable('login_attempts'), dialect)
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('succeeded', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_login').on('login_attempts').columns(['login', 'at']).execute();
  await db.schema.createIndex('login_attempts_ip').on('login_attempts').columns(['ip', 'at']).execute();
  await db.schema.createIndex('login_attempts_at').on('login_attempts').column('at').execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
}
