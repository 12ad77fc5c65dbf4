import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { Database } from '../storage/schema.ts';
import type { ShipmentRow, ShipmentStep, ShipmentsTable } from './shipping.tables.ts';
import './shipping.tables.ts';

export type ShipmentPatch = Omit<Updateable<ShipmentsTable>, 'id' | 'connection_id' | 'picking_id' | 'created_at'>;
export type ShipmentListRow = ShipmentRow & { connection_name: string | null };

export interface ShipmentFilter {
  connectionId?: number;
  step?: ShipmentStep;
  /** Poleepo status (IN_TRANSIT…). */
  status?: string;
  /** Delivery name, sale order name, tracking code or Poleepo order id. */
  search?: string;
  limit?: number;
  offset?: number;
}

/** `shipments` and the Shipment Polling cursors: small statements, never held across a network call. */
export class ShipmentsRepo {
  constructor(private readonly db: Db) {}

  private x(executor?: Kysely<Database>): Kysely<Database> {
    return executor ?? this.db.kysely;
  }

  get(id: number): Promise<ShipmentRow | undefined> {
    return this.db.kysely.selectFrom('shipments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  byPicking(connectionId: number, pickingId: number, executor?: Kysely<Database>): Promise<ShipmentRow | undefined> {
    return this.x(executor).selectFrom('shipments').selectAll().where('connection_id', '=', connectionId).where('picking_id', '=', pickingId).executeTakeFirst();
  }

  byPoleepoShipping(connectionId: number, shippingId: number): Promise<ShipmentRow | undefined> {
    return this.db.kysely.selectFrom('shipments').selectAll().where('connection_id', '=', connectionId).where('poleepo_shipping_id', '=', shippingId).executeTakeFirst();
  }

  byPickings(connectionId: number, pickingIds: readonly number[]): Promise<ShipmentRow[]> {
    if (pickingIds.length === 0) return Promise.resolve([]);
    return this.db.kysely.selectFrom('shipments').selectAll().where('connection_id', '=', connectionId).where('picking_id', 'in', [...pickingIds]).execute();
  }

  /** Shipments whose Poleepo shippings other than this one are already known for the order (reconciliation). */
  async knownShippingIds(connectionId: number, poleepoOrderId: string): Promise<Set<number>> {
    const rows = await this.db.kysely.selectFrom('shipments').select('poleepo_shipping_id').where('connection_id', '=', connectionId)
      .where('poleepo_order_id', '=', poleepoOrderId).where('poleepo_shipping_id', 'is not', null).execute();
    return new Set(rows.map((r) => Number(r.poleepo_shipping_id)));
  }

  async insert(values: Insertable<ShipmentsTable>, executor?: Kysely<Database>): Promise<number> {
    const row = await this.x(executor).insertInto('shipments').values(values).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async update(id: number, patch: ShipmentPatch, executor?: Kysely<Database>): Promise<void> {
    await this.x(executor).updateTable('shipments').set(patch).where('id', '=', id).execute();
  }

  /** Updates only while the shipment is at `step` (a compare-and-set): false when another request moved it first. */
  async updateAtStep(id: number, step: ShipmentStep, patch: ShipmentPatch, executor?: Kysely<Database>): Promise<boolean> {
    const r = await this.x(executor).updateTable('shipments').set(patch).where('id', '=', id).where('step', '=', step).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Shipments still followed (created on Poleepo, not delivered or cancelled), least recently updated first. */
  following(connectionId: number, limit: number): Promise<ShipmentRow[]> {
    return this.db.kysely.selectFrom('shipments').selectAll().where('connection_id', '=', connectionId)
      .where('step', 'in', ['labelling', 'ready', 'shipped']).orderBy('updated_at').limit(limit).execute();
  }

  /** Shipments stuck before their label: a crash or a lost reply left them mid-way. */
  unfinished(connectionId: number, before: number, limit: number): Promise<ShipmentRow[]> {
    return this.db.kysely.selectFrom('shipments').selectAll().where('connection_id', '=', connectionId)
      .where('step', 'in', ['creating', 'labelling']).where('updated_at', '<', before).orderBy('updated_at').limit(limit).execute();
  }

  async list(filter: ShipmentFilter): Promise<{ rows: ShipmentListRow[]; total: number }> {
    let q = this.db.kysely.selectFrom('shipments').leftJoin('connections', 'connections.id', 'shipments.connection_id');
    if (filter.connectionId) q = q.where('shipments.connection_id', '=', filter.connectionId);
    if (filter.step) q = q.where('shipments.step', '=', filter.step);
    if (filter.status) q = q.where('shipments.poleepo_status', '=', filter.status);
    if (filter.search) {
      const s = `%${filter.search.trim()}%`;
      q = q.where((eb) => eb.or([eb('shipments.picking_name', 'like', s), eb('shipments.sale_order_name', 'like', s), eb('shipments.tracking_code', 'like', s), eb('shipments.poleepo_order_id', 'like', s)]));
    }
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await q.selectAll('shipments').select('connections.name as connection_name')
      .orderBy('shipments.id', 'desc').limit(filter.limit ?? 50).offset(filter.offset ?? 0).execute();
    return { rows, total };
  }

  async countByStep(): Promise<Record<string, number>> {
    const rows = await this.db.kysely.selectFrom('shipments').select(['step', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('step').execute();
    return Object.fromEntries(rows.map((r) => [r.step, Number(r.n)]));
  }

  async cursor(connectionId: number): Promise<string | null> {
    const row = await this.db.kysely.selectFrom('shipping_poll_cursors').select('cursor').where('connection_id', '=', connectionId).executeTakeFirst();
    return row?.cursor ?? null;
  }

  async setCursor(connectionId: number, cursor: string, now: number): Promise<void> {
    await this.db.kysely.insertInto('shipping_poll_cursors').values({ connection_id: connectionId, cursor, updated_at: now })
      .onConflict((oc) => oc.column('connection_id').doUpdateSet({ cursor, updated_at: now })).execute();
  }
}
