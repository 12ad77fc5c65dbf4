import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { Database } from '../storage/schema.ts';
import type { BatchItemRow, BatchRow, BatchStatus, ProductBatchItemsTable, ProductBatchesTable } from './products.tables.ts';

export interface BatchListRow extends BatchRow {
  connection_name: string | null;
}

/** Product batches and their items (DESIGN §4.4: draft → sent → completed | error per item). */
export class BatchesRepo {
  constructor(private readonly db: Db) {}

  private x(executor?: Kysely<Database>): Kysely<Database> {
    return executor ?? this.db.kysely;
  }

  async insertBatch(values: Insertable<ProductBatchesTable>, executor?: Kysely<Database>): Promise<number> {
    const row = await this.x(executor).insertInto('product_batches').values(values).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Inserts items and answers their ids, in insertion order. */
  async insertItems(items: Insertable<ProductBatchItemsTable>[], executor?: Kysely<Database>): Promise<{ id: number; binding_id: number }[]> {
    if (items.length === 0) return [];
    const rows = await this.x(executor).insertInto('product_batch_items').values(items).returning(['id', 'binding_id']).execute();
    return rows.map((r) => ({ id: Number(r.id), binding_id: Number(r.binding_id) }));
  }

  async updateBatch(id: number, patch: Updateable<ProductBatchesTable>, executor?: Kysely<Database>): Promise<void> {
    await this.x(executor).updateTable('product_batches').set(patch).where('id', '=', id).execute();
  }

  async updateItem(id: number, patch: Updateable<ProductBatchItemsTable>, executor?: Kysely<Database>): Promise<void> {
    await this.x(executor).updateTable('product_batch_items').set(patch).where('id', '=', id).execute();
  }

  async setItemsStatus(batchId: number, from: string, patch: Updateable<ProductBatchItemsTable>, executor?: Kysely<Database>): Promise<void> {
    await this.x(executor).updateTable('product_batch_items').set(patch).where('batch_id', '=', batchId).where('status', '=', from as never).execute();
  }

  async get(id: number): Promise<BatchListRow | undefined> {
    return this.db.kysely.selectFrom('product_batches').leftJoin('connections', 'connections.id', 'product_batches.connection_id')
      .selectAll('product_batches').select('connections.name as connection_name').where('product_batches.id', '=', id).executeTakeFirst();
  }

  async items(batchId: number, executor?: Kysely<Database>): Promise<BatchItemRow[]> {
    return this.x(executor).selectFrom('product_batch_items').selectAll().where('batch_id', '=', batchId).orderBy('position').execute();
  }

  async item(id: number): Promise<BatchItemRow | undefined> {
    return this.db.kysely.selectFrom('product_batch_items').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async withStatus(connectionId: number, status: BatchStatus): Promise<BatchRow[]> {
    return this.db.kysely.selectFrom('product_batches').selectAll().where('connection_id', '=', connectionId).where('status', '=', status).orderBy('id').execute();
  }

  async itemsOfBinding(bindingId: number, limit = 20): Promise<(BatchItemRow & { batch_status: string })[]> {
    return this.db.kysely.selectFrom('product_batch_items').innerJoin('product_batches', 'product_batches.id', 'product_batch_items.batch_id')
      .selectAll('product_batch_items').select('product_batches.status as batch_status')
      .where('binding_id', '=', bindingId).orderBy('product_batch_items.id', 'desc').limit(limit).execute();
  }

  async list(filter: { connectionId?: number; status?: BatchStatus }, page: { limit: number; offset: number }): Promise<{ rows: BatchListRow[]; total: number }> {
    let q = this.db.kysely.selectFrom('product_batches').leftJoin('connections', 'connections.id', 'product_batches.connection_id');
    if (filter.connectionId) q = q.where('product_batches.connection_id', '=', filter.connectionId);
    if (filter.status) q = q.where('product_batches.status', '=', filter.status);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await q.selectAll('product_batches').select('connections.name as connection_name')
      .orderBy('product_batches.id', 'desc').limit(page.limit).offset(page.offset).execute();
    return { rows, total };
  }

  /**
   * Items by status in the batches still open (submitting, sent) and in those created at or after `since`: the
   * dashboard's export progress. `open` is how many batches are still being sent or awaited.
   */
  async progressSince(since: number): Promise<{ open: number; draft: number; sent: number; completed: number; error: number }> {
    const rows = await this.db.kysely.selectFrom('product_batch_items').innerJoin('product_batches', 'product_batches.id', 'product_batch_items.batch_id')
      .select(['product_batch_items.status as status', (eb) => eb.fn.countAll<number>().as('n')])
      .where((eb) => eb.or([eb('product_batches.status', 'in', ['submitting', 'sent']), eb('product_batches.created_at', '>=', since)]))
      .groupBy('product_batch_items.status').execute();
    const open = await this.db.kysely.selectFrom('product_batches').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['submitting', 'sent']).executeTakeFirst();
    const out = { open: Number(open?.n ?? 0), draft: 0, sent: 0, completed: 0, error: 0 };
    for (const r of rows) out[r.status] = Number(r.n);
    return out;
  }
}
