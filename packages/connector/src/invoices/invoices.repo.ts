import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { Database } from '../storage/schema.ts';
import { WORKING_STEPS, type InvoiceKind, type InvoiceRow, type InvoiceStep, type InvoicesTable, type InvoiceSyncCursorsTable, type OrderDocumentRow, type OrderDocumentStep, type OrderDocumentsTable } from './invoices.tables.ts';
import '../shipping/shipping.tables.ts';
import '../orders/orders.tables.ts';

export type InvoicePatch = Omit<Updateable<InvoicesTable>, 'id' | 'connection_id' | 'poleepo_order_id' | 'created_at'>;
export type OrderDocumentPatch = Omit<Updateable<OrderDocumentsTable>, 'id' | 'connection_id' | 'poleepo_document_id' | 'created_at'>;
export type InvoiceListRow = InvoiceRow & { connection_name: string | null };

export interface InvoiceFilter {
  connectionId?: number;
  step?: InvoiceStep;
  kind?: InvoiceKind;
  poleepoOrderId?: string;
  /** Invoice number, sale order name or Poleepo order id. */
  search?: string;
  limit?: number;
  offset?: number;
}

/** `invoices`, `order_documents` and the Invoice Sync cursors: small statements, never held across a network call. */
export class InvoicesRepo {
  constructor(private readonly db: Db) {}

  private x(executor?: Kysely<Database>): Kysely<Database> {
    return executor ?? this.db.kysely;
  }

  get(id: number): Promise<InvoiceRow | undefined> {
    return this.db.kysely.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  ofOrder(connectionId: number, poleepoOrderId: string, executor?: Kysely<Database>): Promise<InvoiceRow[]> {
    return this.x(executor).selectFrom('invoices').selectAll().where('connection_id', '=', connectionId)
      .where('poleepo_order_id', '=', poleepoOrderId).orderBy('id').execute();
  }

  byMove(connectionId: number, moveId: number): Promise<InvoiceRow | undefined> {
    return this.db.kysely.selectFrom('invoices').selectAll().where('connection_id', '=', connectionId).where('move_id', '=', moveId).executeTakeFirst();
  }

  /** Which of these moves a row already knows. */
  async knownMoves(connectionId: number, moveIds: readonly number[]): Promise<Map<number, InvoiceRow>> {
    if (moveIds.length === 0) return new Map();
    const rows = await this.db.kysely.selectFrom('invoices').selectAll().where('connection_id', '=', connectionId).where('move_id', 'in', [...moveIds]).execute();
    return new Map(rows.map((r) => [Number(r.move_id), r]));
  }

  async insert(values: Insertable<InvoicesTable>, executor?: Kysely<Database>): Promise<number> {
    const row = await this.x(executor).insertInto('invoices').values(values).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async update(id: number, patch: InvoicePatch, executor?: Kysely<Database>): Promise<void> {
    await this.x(executor).updateTable('invoices').set(patch).where('id', '=', id).execute();
  }

  /** Only for a row that never made anything (a credit note someone else made first). */
  async remove(id: number): Promise<void> {
    await this.db.kysely.deleteFrom('invoices').where('id', '=', id).where('move_id', 'is', null).execute();
  }

  /** Failed rows whose retry time has come, and rows left mid-way (a crash) before `stuckBefore`. */
  dueAgain(connectionId: number, now: number, stuckBefore: number, limit: number): Promise<InvoiceRow[]> {
    return this.db.kysely.selectFrom('invoices').selectAll().where('connection_id', '=', connectionId)
      .where((eb) => eb.or([
        eb.and([eb('step', '=', 'failed'), eb('retry_at', 'is not', null), eb('retry_at', '<=', now)]),
        eb.and([eb('step', 'in', [...WORKING_STEPS]), eb('updated_at', '<', stuckBefore)]),
      ])).orderBy('updated_at').limit(limit).execute();
  }

  /** Invoices (posted, known to a row) of these orders that no credit note row reverses yet. */
  async unreversedInvoices(connectionId: number, poleepoOrderIds: readonly string[]): Promise<InvoiceRow[]> {
    if (poleepoOrderIds.length === 0) return [];
    const rows = await this.db.kysely.selectFrom('invoices').selectAll().where('connection_id', '=', connectionId)
      .where('poleepo_order_id', 'in', [...poleepoOrderIds]).execute();
    const reversed = new Set(rows.filter((r) => r.kind === 'CREDIT_NOTE' && r.reversed_move_id !== null).map((r) => Number(r.reversed_move_id)));
    return rows.filter((r) => r.kind === 'INVOICE' && r.move_id !== null && !reversed.has(Number(r.move_id)) && r.move_state !== 'cancel' && r.move_state !== 'draft');
  }

  async list(filter: InvoiceFilter): Promise<{ rows: InvoiceListRow[]; total: number }> {
    let q = this.db.kysely.selectFrom('invoices').leftJoin('connections', 'connections.id', 'invoices.connection_id');
    if (filter.connectionId) q = q.where('invoices.connection_id', '=', filter.connectionId);
    if (filter.step) q = q.where('invoices.step', '=', filter.step);
    if (filter.kind) q = q.where('invoices.kind', '=', filter.kind);
    if (filter.poleepoOrderId) q = q.where('invoices.poleepo_order_id', '=', filter.poleepoOrderId);
    if (filter.search) {
      const s = `%${filter.search.trim()}%`;
      q = q.where((eb) => eb.or([eb('invoices.move_name', 'like', s), eb('invoices.sale_order_name', 'like', s), eb('invoices.poleepo_order_id', 'like', s)]));
    }
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await q.selectAll('invoices').select('connections.name as connection_name')
      .orderBy('invoices.id', 'desc').limit(filter.limit ?? 50).offset(filter.offset ?? 0).execute();
    return { rows, total };
  }

  async countByStep(): Promise<Record<string, number>> {
    const rows = await this.db.kysely.selectFrom('invoices').select(['step', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('step').execute();
    return Object.fromEntries(rows.map((r) => [r.step, Number(r.n)]));
  }

  // ---------------------------------------------------------------- documents from Poleepo

  documentsOf(connectionId: number, poleepoOrderId: string): Promise<OrderDocumentRow[]> {
    return this.db.kysely.selectFrom('order_documents').selectAll().where('connection_id', '=', connectionId)
      .where('poleepo_order_id', '=', poleepoOrderId).orderBy('poleepo_document_id').execute();
  }

  document(connectionId: number, poleepoDocumentId: number): Promise<OrderDocumentRow | undefined> {
    return this.db.kysely.selectFrom('order_documents').selectAll().where('connection_id', '=', connectionId)
      .where('poleepo_document_id', '=', poleepoDocumentId).executeTakeFirst();
  }

  /** The document's row, created (at `step`) the first time it is seen. */
  async ensureDocument(values: Insertable<OrderDocumentsTable>): Promise<OrderDocumentRow> {
    await this.db.kysely.insertInto('order_documents').values(values)
      .onConflict((oc) => oc.columns(['connection_id', 'poleepo_document_id']).doNothing()).execute();
    return (await this.document(values.connection_id, values.poleepo_document_id))!;
  }

  async updateDocument(id: number, patch: OrderDocumentPatch): Promise<void> {
    await this.db.kysely.updateTable('order_documents').set(patch).where('id', '=', id).execute();
  }

  async countDocumentsByStep(): Promise<Record<OrderDocumentStep, number>> {
    const rows = await this.db.kysely.selectFrom('order_documents').select(['step', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('step').execute();
    return Object.fromEntries(rows.map((r) => [r.step, Number(r.n)])) as Record<OrderDocumentStep, number>;
  }

  // ---------------------------------------------------------------- Invoice Sync

  async cursor(connectionId: number, source: InvoiceSyncCursorsTable['source']): Promise<string | null> {
    const row = await this.db.kysely.selectFrom('invoice_sync_cursors').select('cursor')
      .where('connection_id', '=', connectionId).where('source', '=', source).executeTakeFirst();
    return row?.cursor ?? null;
  }

  async setCursor(connectionId: number, source: InvoiceSyncCursorsTable['source'], cursor: string, now: number): Promise<void> {
    await this.db.kysely.insertInto('invoice_sync_cursors').values({ connection_id: connectionId, source, cursor, updated_at: now })
      .onConflict((oc) => oc.columns(['connection_id', 'source']).doUpdateSet({ cursor, updated_at: now })).execute();
  }

  /**
   * Poleepo orders whose shipment changed since `since` (a label made means a waybill on Poleepo). Read-only, from
   * shipping's table: shipping knows nothing of documents.
   */
  async ordersWithShipmentsSince(connectionId: number, since: number): Promise<string[]> {
    const rows = await this.db.kysely.selectFrom('shipments').select('poleepo_order_id').distinct()
      .where('connection_id', '=', connectionId).where('updated_at', '>=', since).where('poleepo_shipping_id', 'is not', null).limit(1000).execute();
    return rows.map((r) => r.poleepo_order_id);
  }

  /**
   * A page of the document scan: imported orders (with a sale order) dated since `since` (Poleepo's order date, else
   * the import's), after binding `afterId`, by binding id.
   */
  async ordersForDocumentScan(connectionId: number, since: number, afterId: number, limit: number): Promise<{ id: number; poleepo_order_id: string }[]> {
    return this.db.kysely.selectFrom('order_bindings').select(['id', 'poleepo_order_id'])
      .where('connection_id', '=', connectionId).where('sale_order_id', 'is not', null).where('id', '>', afterId)
      .where((eb) => eb.or([eb('order_date', '>=', since), eb.and([eb('order_date', 'is', null), eb('created_at', '>=', since)])]))
      .orderBy('id', 'asc').limit(limit).execute();
  }

  /** The pickings shipping made a shipment for, per tracking code (a waybill's number), for one order. */
  async shipmentsOfOrder(connectionId: number, poleepoOrderId: string): Promise<{ picking_id: number; tracking_code: string | null }[]> {
    return this.db.kysely.selectFrom('shipments').select(['picking_id', 'tracking_code']).where('connection_id', '=', connectionId)
      .where('poleepo_order_id', '=', poleepoOrderId).where('poleepo_shipping_id', 'is not', null).execute();
  }
}
