import { sql } from 'kysely';
import { withId, type MigrationContext } from '../migration-helpers.ts';

/**
 * Invoices and documents (DESIGN §4.8): one row per invoice or credit note sent from Odoo to Poleepo, with the steps it
 * went through (the intent record that keeps every Odoo and Poleepo side effect to one); one row per document Poleepo
 * holds for an order and its import into Odoo; the Invoice Sync cursors.
 */
export async function up({ db, dialect }: MigrationContext): Promise<void> {
  await withId(db.schema.createTable('invoices'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('poleepo_order_id', 'text', (c) => c.notNull())
    .addColumn('sale_order_id', 'integer', (c) => c.notNull())
    .addColumn('sale_order_name', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('open_key', 'text')
    .addColumn('move_id', 'integer')
    .addColumn('move_name', 'text')
    .addColumn('move_state', 'text')
    .addColumn('invoice_date', 'text')
    .addColumn('currency', 'text')
    .addColumn('amount_untaxed', 'double precision')
    .addColumn('amount_tax', 'double precision')
    .addColumn('amount_total', 'double precision')
    .addColumn('reversed_move_id', 'integer')
    .addColumn('create_sent_at', 'bigint')
    .addColumn('post_sent_at', 'bigint')
    .addColumn('render_sent_at', 'bigint')
    .addColumn('upload_sent_at', 'bigint')
    .addColumn('attachment_id', 'integer')
    .addColumn('file_name', 'text')
    .addColumn('poleepo_document_id', 'integer')
    .addColumn('error', 'text')
    .addColumn('error_code', 'text')
    .addColumn('failed_step', 'text')
    .addColumn('retry_at', 'bigint')
    .addColumn('recheck_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  // One row per Odoo move, and one move in the making per order and kind: the two keys of "exactly once".
  await db.schema.createIndex('invoices_move').on('invoices').columns(['connection_id', 'move_id']).unique()
    .where(sql.ref('move_id'), 'is not', null).execute();
  await db.schema.createIndex('invoices_open').on('invoices').columns(['connection_id', 'poleepo_order_id', 'open_key']).unique()
    .where(sql.ref('open_key'), 'is not', null).execute();
  await db.schema.createIndex('invoices_order').on('invoices').columns(['connection_id', 'poleepo_order_id']).execute();
  await db.schema.createIndex('invoices_step').on('invoices').columns(['connection_id', 'step', 'updated_at']).execute();

  await withId(db.schema.createTable('order_documents'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('poleepo_order_id', 'text', (c) => c.notNull())
    .addColumn('poleepo_document_id', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('number', 'text')
    .addColumn('date', 'text')
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('sale_order_id', 'integer')
    .addColumn('picking_id', 'integer')
    .addColumn('attach_sent_at', 'bigint')
    .addColumn('order_attachment_id', 'integer')
    .addColumn('picking_attachment_id', 'integer')
    .addColumn('message_id', 'integer')
    .addColumn('note', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('imported_at', 'bigint')
    .execute();
  await db.schema.createIndex('order_documents_key').on('order_documents').columns(['connection_id', 'poleepo_document_id']).unique().execute();
  await db.schema.createIndex('order_documents_order').on('order_documents').columns(['connection_id', 'poleepo_order_id']).execute();

  await db.schema.createTable('invoice_sync_cursors')
    .addColumn('connection_id', 'integer', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('invoice_sync_cursors_pk', ['connection_id', 'source'])
    .execute();
}
