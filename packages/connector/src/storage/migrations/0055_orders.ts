import { withId, type MigrationContext } from '../migration-helpers.ts';

/** Order import (DESIGN §4.6): one binding per (connection, Poleepo order) and the Order Polling cursors. */
export async function up({ db, dialect }: MigrationContext): Promise<void> {
  await withId(db.schema.createTable('order_bindings'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('poleepo_order_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('sale_order_id', 'integer')
    .addColumn('sale_order_name', 'text')
    .addColumn('odoo_state', 'text')
    .addColumn('poleepo_status', 'text')
    .addColumn('status_rank', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pushed_status', 'text')
    .addColumn('reference', 'text')
    .addColumn('channel', 'text')
    .addColumn('currency', 'text')
    .addColumn('poleepo_total', 'double precision')
    .addColumn('odoo_total', 'double precision')
    .addColumn('order_date', 'bigint')
    .addColumn('poleepo_updated_at', 'bigint')
    .addColumn('parked_reason', 'text')
    .addColumn('flag', 'text')
    .addColumn('error', 'text')
    .addColumn('uncertain_step', 'text')
    .addColumn('recheck_at', 'bigint')
    .addColumn('import_ms', 'double precision')
    .addColumn('external_ms', 'double precision')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .execute();
  await db.schema.createIndex('order_bindings_key').on('order_bindings').columns(['connection_id', 'poleepo_order_id']).unique().execute();
  await db.schema.createIndex('order_bindings_state').on('order_bindings').columns(['connection_id', 'state', 'updated_at']).execute();
  await db.schema.createIndex('order_bindings_updated').on('order_bindings').columns(['updated_at']).execute();

  await db.schema.createTable('order_poll_cursors')
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_poll_cursors_pk', ['connection_id', 'source'])
    .execute();
}
