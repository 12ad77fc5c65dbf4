import { withId, type MigrationContext } from '../migration-helpers.ts';

/**
 * Shipping with Poleepo (DESIGN §4.7): Poleepo's package types as last synchronised, the Odoo → Poleepo package type
 * map, and one shipment per shipped delivery with the steps it went through (the intent record that keeps every
 * Poleepo and Odoo side effect to one).
 */
export async function up({ db, dialect }: MigrationContext): Promise<void> {
  await withId(db.schema.createTable('poleepo_package_types'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('poleepo_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('max_weight_kg', 'double precision')
    .addColumn('width_cm', 'double precision')
    .addColumn('height_cm', 'double precision')
    .addColumn('depth_cm', 'double precision')
    .addColumn('available', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('synced_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('poleepo_package_types_key').on('poleepo_package_types').columns(['connection_id', 'poleepo_id']).unique().execute();

  await db.schema.createTable('package_type_mappings')
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('odoo_package_type_id', 'integer', (c) => c.notNull())
    .addColumn('odoo_name', 'text', (c) => c.notNull())
    .addColumn('poleepo_package_type_id', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('package_type_mappings_pk', ['connection_id', 'odoo_package_type_id'])
    .execute();

  await withId(db.schema.createTable('shipments'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('picking_id', 'integer', (c) => c.notNull())
    .addColumn('picking_name', 'text', (c) => c.notNull())
    .addColumn('sale_order_id', 'integer', (c) => c.notNull())
    .addColumn('sale_order_name', 'text')
    .addColumn('poleepo_order_id', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('create_sent_at', 'bigint')
    .addColumn('poleepo_shipping_id', 'integer')
    .addColumn('carrier', 'text')
    .addColumn('service', 'text')
    .addColumn('cod_amount', 'double precision')
    .addColumn('label_file_name', 'text')
    .addColumn('picking_attachment_id', 'integer')
    .addColumn('order_attachment_id', 'integer')
    .addColumn('order_message_id', 'integer')
    .addColumn('poleepo_status', 'text')
    .addColumn('status_rank', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tracking_code', 'text')
    .addColumn('odoo_status', 'text')
    .addColumn('note_pending', 'text')
    .addColumn('handover_requested_at', 'bigint')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('shipped_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('shipments_picking').on('shipments').columns(['connection_id', 'picking_id']).unique().execute();
  await db.schema.createIndex('shipments_poleepo').on('shipments').columns(['connection_id', 'poleepo_shipping_id']).execute();
  await db.schema.createIndex('shipments_step').on('shipments').columns(['connection_id', 'step', 'updated_at']).execute();

  await db.schema.createTable('shipping_poll_cursors')
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('shipping_poll_cursors_pk', ['connection_id'])
    .execute();
}
