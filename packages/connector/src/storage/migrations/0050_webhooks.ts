import { sql } from 'kysely';
import { withId, type MigrationContext } from '../migration-helpers.ts';

export async function up({ db, dialect }: MigrationContext): Promise<void> {
  await withId(db.schema.createTable('webhooks'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    /** Encrypted: the unguessable token carried by the Webhook URL. */
    .addColumn('url_token', 'text', (c) => c.notNull())
    /** Encrypted: the Secret Key copied from Poleepo. */
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('verification', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('webhook_messages'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('webhook_id', 'integer', (c) => c.references('webhooks.id').onDelete('set null'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text')
    /** event + resource + content hash: the same notification delivered twice is one message. */
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('payload', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('note', 'text')
    .addColumn('duplicates', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_messages_dedupe').on('webhook_messages').columns(['connection_id', 'dedupe_key']).unique().execute();
  await db.schema.createIndex('webhook_messages_status').on('webhook_messages').columns(['status', 'received_at']).execute();
  await db.schema.createIndex('webhook_messages_resource').on('webhook_messages').columns(['connection_id', 'resource_type', 'resource_id']).execute();
  void sql;
}
