import { withId, type MigrationContext } from '../migration-helpers.ts';

/**
 * Product export (DESIGN §4.2–§4.4): the bindings of Odoo variants (and parent entries) to Poleepo products, the
 * product batches and their items, and the export state of each connection (change cursors, reference facts, the
 * export lock).
 */
export async function up({ db, dialect }: MigrationContext): Promise<void> {
  await withId(db.schema.createTable('product_bindings'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    /** 'variant' (a product.product) or 'parent' (the parent entry of a template with several variants). */
    .addColumn('kind', 'text', (c) => c.notNull())
    /** product.product id (variant) or product.template id (parent). */
    .addColumn('odoo_id', 'integer', (c) => c.notNull())
    .addColumn('template_id', 'integer', (c) => c.notNull())
    .addColumn('sku', 'text')
    .addColumn('title', 'text')
    /** 1 = published and active when last seen (an export candidate). */
    .addColumn('eligible', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('poleepo_id', 'text')
    .addColumn('sent_hash', 'text')
    .addColumn('sent_payload', 'text')
    .addColumn('sent_at', 'bigint')
    /** A change waiting to be batched (coalesced: only the latest is kept). */
    .addColumn('pending_hash', 'text')
    .addColumn('pending_payload', 'text')
    .addColumn('queued_at', 'bigint')
    .addColumn('forced', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inflight_item_id', 'bigint')
    /** The payload hash Poleepo refused last (not resent until the product changes or a user forces it). */
    .addColumn('failed_hash', 'text')
    .addColumn('inactive_sent', 'integer', (c) => c.notNull().defaultTo(0))
    /** The values last seen in Odoo's x_poleepo_* fields, and whether Odoo must be told the current ones. */
    .addColumn('odoo_ref', 'text')
    .addColumn('odoo_needs_update', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('odoo_last_error', 'text')
    .addColumn('mirror_pending', 'integer', (c) => c.notNull().defaultTo(0))
    /** We set needs-update in Odoo ourselves (a true value we did not set is a user forcing a resend). */
    .addColumn('flagged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('has_parent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error_code', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'bigint')
    .addColumn('warning', 'text')
    .addColumn('seen_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('product_bindings_key').on('product_bindings').columns(['connection_id', 'kind', 'odoo_id']).unique().execute();
  await db.schema.createIndex('product_bindings_sku').on('product_bindings').columns(['connection_id', 'sku']).execute();
  await db.schema.createIndex('product_bindings_queue').on('product_bindings').columns(['connection_id', 'queued_at']).execute();
  await db.schema.createIndex('product_bindings_template').on('product_bindings').columns(['connection_id', 'template_id']).execute();
  await db.schema.createIndex('product_bindings_mirror').on('product_bindings').columns(['connection_id', 'mirror_pending']).execute();

  await withId(db.schema.createTable('product_batches'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    /** submitting → sent → completed | failed; abandoned: the outcome of the submit is unknown (reconciled by SKU). */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('poleepo_batch_id', 'text')
    .addColumn('poleepo_status', 'text')
    .addColumn('items', 'integer', (c) => c.notNull())
    .addColumn('completed_items', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_items', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('polls', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('last_polled_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('product_batches_status').on('product_batches').columns(['connection_id', 'status', 'id']).execute();

  await withId(db.schema.createTable('product_batch_items'), dialect)
    .addColumn('batch_id', 'integer', (c) => c.notNull().references('product_batches.id').onDelete('cascade'))
    .addColumn('connection_id', 'integer', (c) => c.notNull())
    .addColumn('binding_id', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('odoo_id', 'integer', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    /** create | update | deactivate */
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('payload_hash', 'text', (c) => c.notNull())
    /** draft → sent → completed | error */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('poleepo_product_id', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('product_batch_items_batch').on('product_batch_items').columns(['batch_id', 'position']).execute();
  await db.schema.createIndex('product_batch_items_binding').on('product_batch_items').columns(['binding_id']).execute();

  await db.schema.createTable('product_export_state')
    .addColumn('connection_id', 'integer', (c) => c.primaryKey().references('connections.id').onDelete('cascade'))
    /** Latest Odoo write_date observed (Odoo's own clock); the next detection reads from it minus the overlap. */
    .addColumn('horizon', 'text')
    /** JSON: the latest write_date observed per model (shown to people). */
    .addColumn('cursors', 'text', (c) => c.notNull().defaultTo('{}'))
    /** JSON: company, currency rounding, units, categories, as last read in full. */
    .addColumn('facts', 'text')
    /** JSON: tax set signature → cross-check verdict against Odoo's own compute_all. */
    .addColumn('tax_checks', 'text', (c) => c.notNull().defaultTo('{}'))
    /** Comma-separated variant ids to re-read at the next detection (a duplicate SKU resolved by another variant). */
    .addColumn('recheck', 'text')
    .addColumn('last_full_at', 'bigint')
    .addColumn('last_run_at', 'bigint')
    .addColumn('last_summary', 'text')
    .addColumn('lock_owner', 'text')
    .addColumn('lock_until', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
