import { NamedLeases } from '../storage/lease.ts';
import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { OrderBindingsTable, OrderBindingState, OrderPollCursorsTable } from './orders.tables.ts';
import './orders.tables.ts';
import '../products/products.tables.ts';

export type OrderBinding = Selectable<OrderBindingsTable>;
export type OrderBindingPatch = Omit<Updateable<OrderBindingsTable>, 'id' | 'connection_id' | 'poleepo_order_id' | 'created_at'>;
export type OrderBindingListRow = OrderBinding & { connection_name: string };

export interface OrderBindingFilter {
  connectionId?: number;
  state?: OrderBindingState;
  /** Only orders that need a person: parked, refused, error or flagged. */
  attention?: boolean;
  /** Poleepo order id, marketplace reference or sale order name. */
  search?: string;
  /** Only orders whose binding changed at or after this time (epoch ms). */
  updatedSince?: number;
  limit?: number;
  offset?: number;
}

/** `order_bindings` and `order_poll_cursors`: small statements, never held across a network call. */
export class OrdersRepo {
  private readonly leases: NamedLeases;

  constructor(private readonly db: Db) {
    this.leases = new NamedLeases(db);
  }

  /** The variants the product export bound to these SKUs on Poleepo (the first place a line's SKU is looked up). */
  async boundVariants(connectionId: number, skus: readonly string[]): Promise<Map<string, number>> {
    if (skus.length === 0) return new Map();
    const rows = await this.db.kysely.selectFrom('product_bindings').select(['sku', 'odoo_id'])
      .where('connection_id', '=', connectionId).where('kind', '=', 'variant').where('sku', 'in', [...skus])
      .where('poleepo_id', 'is not', null).execute();
    return new Map(rows.filter((r) => r.sku !== null).map((r) => [r.sku as string, r.odoo_id]));
  }

  get(id: number): Promise<OrderBinding | undefined> {
    return this.db.kysely.selectFrom('order_bindings').selectAll().where('id', '=', id).executeTakeFirst();
  }

  find(connectionId: number, poleepoOrderId: string): Promise<OrderBinding | undefined> {
    return this.db.kysely.selectFrom('order_bindings').selectAll()
      .where('connection_id', '=', connectionId).where('poleepo_order_id', '=', poleepoOrderId).executeTakeFirst();
  }

  findMany(connectionId: number, poleepoOrderIds: readonly string[]): Promise<OrderBinding[]> {
    if (poleepoOrderIds.length === 0) return Promise.resolve([]);
    return this.db.kysely.selectFrom('order_bindings').selectAll()
      .where('connection_id', '=', connectionId).where('poleepo_order_id', 'in', [...poleepoOrderIds]).execute();
  }

  /** The binding of an order, created (state `pending`) the first time the order is seen. */
  async ensure(connectionId: number, poleepoOrderId: string, now: number): Promise<OrderBinding> {
    const inserted = await this.db.kysely.insertInto('order_bindings').values({
      connection_id: connectionId, poleepo_order_id: poleepoOrderId, state: 'pending', status_rank: 0, created_at: now, updated_at: now,
    }).onConflict((oc) => oc.columns(['connection_id', 'poleepo_order_id']).doNothing()).returningAll().executeTakeFirst();
    return inserted ?? (await this.find(connectionId, poleepoOrderId))!;
  }

  async update(id: number, patch: OrderBindingPatch): Promise<void> {
    await this.db.kysely.updateTable('order_bindings').set(patch).where('id', '=', id).execute();
  }

  async updateByKey(connectionId: number, poleepoOrderId: string, patch: OrderBindingPatch): Promise<void> {
    await this.db.kysely.updateTable('order_bindings').set(patch)
      .where('connection_id', '=', connectionId).where('poleepo_order_id', '=', poleepoOrderId).execute();
  }

  async list(filter: OrderBindingFilter = {}): Promise<{ rows: OrderBindingListRow[]; total: number }> {
    let q = this.db.kysely.selectFrom('order_bindings').innerJoin('connections', 'connections.id', 'order_bindings.connection_id');
    if (filter.connectionId !== undefined) q = q.where('order_bindings.connection_id', '=', filter.connectionId);
    if (filter.state) q = q.where('order_bindings.state', '=', filter.state);
    if (filter.updatedSince !== undefined) q = q.where('order_bindings.updated_at', '>=', filter.updatedSince);
    if (filter.attention) {
      q = q.where((eb) => eb.or([
        eb('order_bindings.state', 'in', ['parked', 'refused', 'error', 'uncertain']),
        eb('order_bindings.flag', 'is not', null),
      ]));
    }
    if (filter.search) {
      const s = filter.search.trim();
      q = q.where((eb) => eb.or([
        eb('order_bindings.poleepo_order_id', '=', s),
        eb('order_bindings.reference', '=', s),
        eb('order_bindings.sale_order_name', '=', s),
      ]));
    }
    const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await q.selectAll('order_bindings').select('connections.name as connection_name')
      .orderBy('order_bindings.updated_at', 'desc').orderBy('order_bindings.id', 'desc')
      .limit(filter.limit ?? 50).offset(filter.offset ?? 0).execute();
    return { rows, total: Number(total.n) };
  }

  async countByState(connectionId?: number): Promise<Record<OrderBindingState, number>> {
    let q = this.db.kysely.selectFrom('order_bindings').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state');
    if (connectionId !== undefined) q = q.where('connection_id', '=', connectionId);
    const out = { pending: 0, waiting: 0, skipped: 0, parked: 0, refused: 0, uncertain: 0, draft: 0, confirmed: 0, cancelled: 0, error: 0 } as Record<OrderBindingState, number>;
    for (const r of await q.execute()) out[r.state] = Number(r.n);
    return out;
  }

  async cursor(connectionId: number, source: OrderPollCursorsTable['source']): Promise<string | null> {
    const row = await this.db.kysely.selectFrom('order_poll_cursors').select('cursor')
      .where('connection_id', '=', connectionId).where('source', '=', source).executeTakeFirst();
    return row?.cursor ?? null;
  }

  async setCursor(connectionId: number, source: OrderPollCursorsTable['source'], cursor: string, now: number): Promise<void> {
    await this.db.kysely.insertInto('order_poll_cursors').values({ connection_id: connectionId, source, cursor, updated_at: now })
      .onConflict((oc) => oc.columns(['connection_id', 'source']).doUpdateSet({ cursor, updated_at: now })).execute();
  }

  /**
   * A short lease on a key (a customer being created), held across processes (storage/lease.ts): two imports of the
   * same new customer must not both create it. Expires on its own if its holder dies. The lease's value when acquired
   * (give it back to release it), else null.
   */
  tryLease(key: string, holder: string, now: number, ttlMs: number): Promise<string | null> {
    return this.leases.tryTake(key, holder, now, ttlMs);
  }

  /** Gives a lease back (only the holder's own: an expired one taken over by someone else stays theirs). */
  releaseLease(key: string, value: string): Promise<void> {
    return this.leases.release(key, value);
  }

  // ---------------------------------------------------------------- console (read-only: dashboard, queue)

  /** Orders by channel whose order date (else first sight) is at or after `since` (the dashboard's today / this week). */
  async countByChannelSince(since: number): Promise<{ channel: string | null; n: number }[]> {
    const rows = await this.db.kysely.selectFrom('order_bindings')
      .select(['channel', (eb) => eb.fn.countAll<number>().as('n')])
      .where((eb) => eb(eb.fn.coalesce('order_date', 'created_at'), '>=', since))
      .groupBy('channel').execute();
    return rows.map((r) => ({ channel: r.channel, n: Number(r.n) })).sort((a, b) => b.n - a.n);
  }

  /** The order times (order date, else first sight) at or after `since`, at most `limit`: the per-hour chart buckets them. */
  async orderTimesSince(since: number, limit = 100_000): Promise<number[]> {
    const rows = await this.db.kysely.selectFrom('order_bindings')
      .select((eb) => eb.fn.coalesce('order_date', 'created_at').as('at'))
      .where((eb) => eb(eb.fn.coalesce('order_date', 'created_at'), '>=', since))
      .limit(limit).execute();
    return rows.map((r) => Number(r.at));
  }

  /** Binding ids of these Poleepo orders of a connection (the webhook queue links its messages to the order page). */
  async idsByPoleepoOrder(connectionId: number, poleepoOrderIds: readonly string[]): Promise<Map<string, number>> {
    if (poleepoOrderIds.length === 0) return new Map();
    const rows = await this.db.kysely.selectFrom('order_bindings').select(['id', 'poleepo_order_id'])
      .where('connection_id', '=', connectionId).where('poleepo_order_id', 'in', [...new Set(poleepoOrderIds)]).execute();
    return new Map(rows.map((r) => [r.poleepo_order_id, Number(r.id)]));
  }
}
