import { withId, type MigrationContext } from '../migration-helpers.ts';

/**
 * The Poleepo access token, shared by every process of a deployment (docs/poleepo-api.md §2): one row per Poleepo
 * account (base URL + client id), the token encrypted, its expiry and when to renew it, a version bumped on each renewal, and a refresh
 * lease so that only one process renews at a time.
 */
export async function up({ db, dialect }: MigrationContext): Promise<void> {
  await withId(db.schema.createTable('poleepo_tokens'), dialect)
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('access_token', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('renew_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refresh_owner', 'text')
    .addColumn('refresh_until', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('poleepo_tokens_account', ['base_url', 'client_id'])
    .execute();
}
