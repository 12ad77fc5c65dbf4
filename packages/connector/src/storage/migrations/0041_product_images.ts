import { withId, type MigrationContext } from '../migration-helpers.ts';

/** Signed image URLs (DESIGN §4.3.1): the signing key of each connection, and image bytes cached by checksum. */
export async function up({ db, dialect }: MigrationContext): Promise<void> {
  await withId(db.schema.createTable('product_image_keys'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    /** Encrypted (SecretBox): the HMAC key. Rotating it (a new row) revokes every URL signed with the old one. */
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('product_image_keys_connection').on('product_image_keys').columns(['connection_id', 'active']).execute();

  await db.schema.createTable('product_image_cache')
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('mimetype', 'text', (c) => c.notNull())
    .addColumn('bytes', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_served_at', 'bigint')
    .addPrimaryKeyConstraint('product_image_cache_pk', ['connection_id', 'checksum'])
    .execute();
}
