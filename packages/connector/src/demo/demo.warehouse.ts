import { packAndValidateDelivery, type CallOdoo } from '@poleepo-odoo/odoo-emulator';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { OrdersRepo } from '../orders/orders.repo.ts';
import type { ShippingService } from '../shipping/shipping.service.ts';

export interface WarehouseDeps {
  clock: Clock;
  logger: Logger;
  connectionId: number;
  orders: OrdersRepo;
  shipping: ShippingService;
  /** The emulated Odoo, called as a packer's screens would call it. */
  callOdoo: CallOdoo;
  odooVersion: 17 | 18 | 19;
  /** The Odoo package type the packers use (mapped to a Poleepo one at start). */
  packageTypeId: number;
  shipEveryMs: number;
  random?: () => number;
}

/**
 * The demo's warehouse: now and then it takes a confirmed order, packs its delivery into a box, validates it, ships
 * it with Poleepo as an operator would, and hands the parcel to the courier once the label is there. The sandbox's
 * couriers then move it on (IN_TRANSIT, DELIVERED) and tell the connector by webhook, so a newcomer sees labels and
 * tracking arrive without doing anything.
 */
export class DemoWarehouse {
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  readonly shipped: string[] = [];
  private readonly random: () => number;

  constructor(private readonly deps: WarehouseDeps) {
    this.random = deps.random ?? Math.random;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** One round: hand over what is labelled, then pack and ship one more delivery. */
  async round(): Promise<void> {
    const { rows: ready } = await this.deps.shipping.list({ connectionId: this.deps.connectionId, step: 'ready', limit: 5 });
    for (const s of ready) if (s.handover_requested_at === null) await this.deps.shipping.handOverShipment(s, s.picking_name, 'demo');
    const { rows: confirmed } = await this.deps.orders.list({ connectionId: this.deps.connectionId, state: 'confirmed', limit: 30 });
    for (const order of confirmed) {
      if (order.sale_order_id === null) continue;
      const [picking] = this.deps.callOdoo('stock.picking', 'search_read', [[['sale_id', '=', order.sale_order_id], ['state', 'in', ['assigned', 'confirmed']]]], { fields: ['name'], limit: 1 }) as { id: number; name: string }[];
      if (!picking) continue;
      const weight = Math.round((0.5 + this.random() * 9) * 10) / 10;
      await packAndValidateDelivery(this.deps.callOdoo, { version: this.deps.odooVersion, pickingId: picking.id, packages: [{ packageTypeId: this.deps.packageTypeId, shippingWeight: weight }], whenShort: 'cancel' });
      const couriers = ['BRT', 'GLS', 'SDA', 'POSTE'];
      await this.deps.shipping.ship(this.deps.connectionId, picking.id, { courier: couriers[Math.floor(this.random() * couriers.length)], requestedBy: 'demo' });
      this.shipped.push(picking.name);
      this.deps.logger.info({ picking: picking.name, saleOrder: order.sale_order_name, kg: weight }, 'demo: a delivery was packed, validated and shipped with Poleepo');
      return;
    }
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      await this.deps.clock.sleep(this.deps.shipEveryMs, signal);
      if (signal.aborted) return;
      try {
        await this.round();
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'demo warehouse step failed');
      }
    }
  }
}
