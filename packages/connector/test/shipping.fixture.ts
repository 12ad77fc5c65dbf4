/**
 * Shared arrangement of the shipping tests: the order import's world (emulator, sandbox, connection, real services on
 * one ManualClock) plus the picking fields `odoo provision` creates, the shipping service with its tasks, a
 * STATUS_SHIPMENT webhook, and the merchant's steps in Odoo — an imported order confirmed, its delivery packed into
 * typed packages and validated (through the external API, as the emulator's delivery flow does it for each version).
 */
import { packAndValidateDelivery, type DeliveryPackageSpec } from '@poleepo-odoo/odoo-emulator';
import { ShippingService } from '../src/shipping/shipping.service.ts';
import { defineShippingTasks } from '../src/shipping/shipping.tasks.ts';
import type { ShipmentRow } from '../src/shipping/shipping.tables.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';
import { WebhookIntake } from '../src/webhooks/webhook.intake.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { ordersWorld, provisionOrderFields, type OrdersWorld, type WorldOptions } from './orders.fixture.ts';
import { eventually } from './helpers/wait.ts';

export const PICKING_FIELDS = ['x_poleepo_shipment_id', 'x_poleepo_courier', 'x_poleepo_status', 'x_poleepo_requested'].map((name) => ({ model: 'stock.picking', name, ttype: 'char' }));

/** The emulator's recorded package types (17/18/19 alike): 1 Pallet (4000 kg), 2 Box (30 kg, 562×362×374 mm). */
export const ODOO_BOX = 2;
export const ODOO_PALLET = 1;

export interface ShippingWorld extends OrdersWorld {
  shipping: ShippingService;
  /** An order imported from Poleepo and confirmed in Odoo: its Poleepo id and sale order. */
  importedOrder(input?: { lines?: { sku: string; quantity: number; price?: number }[]; payment_method?: string; cash_on_delivery?: number }): Promise<{ poleepoId: string; saleOrderId: number; saleOrderName: string }>;
  /** The order's delivery, packed (one entry per package) and validated; its id and name. */
  validateDelivery(saleOrderId: number, packages?: DeliveryPackageSpec[]): Promise<{ pickingId: number; pickingName: string; packageIds: number[] }>;
  /** Both steps, with Poleepo's package types synchronised and the Odoo Box mapped to "Scatola media". */
  readyDelivery(options?: { packages?: DeliveryPackageSpec[]; cod?: boolean; lines?: { sku: string; quantity: number; price?: number }[] }): Promise<{ poleepoId: string; saleOrderId: number; pickingId: number; pickingName: string }>;
  /** Delivers a STATUS_SHIPMENT notification to the intake, as Poleepo would; its message id. */
  shipmentWebhook(shippingId: number, status: string, eventId?: string): Promise<number>;
  waitForShipment(pickingId: number, steps: string[], timeoutMs?: number): Promise<ShipmentRow>;
  picking(pickingId: number): Record<string, unknown>;
  chatter(model: string, resId: number): { id: number; body: string; attachment_ids: number[] }[];
  attachments(model: string, resId: number): { id: number; name: string; mimetype: string; file_size: number }[];
}

export async function shippingWorld(options: WorldOptions): Promise<ShippingWorld> {
  const w = await ordersWorld(options);
  provisionOrderFields(w.odoo, PICKING_FIELDS);
  const shipping = new ShippingService({ db: w.db, clock: w.clock, logger: silentLogger, tasks: w.ctx.tasks, connections: w.orders.connections, orders: w.orders.repo });
  defineShippingTasks(w.ctx, shipping, w.webhookQueue);
  const webhooks = new WebhooksService(w.db, w.clock, w.ctx.secrets, 'http://127.0.0.1');
  const { url } = await webhooks.add({ connectionId: w.connectionId, name: 'poleepo-shipping', secret: 'shipping-secret', events: ['STATUS_SHIPMENT'], verification: 'url_token' });
  const intake = new WebhookIntake(webhooks, w.ctx.tasks, w.clock, silentLogger);
  const call = (model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>) => w.odoo.call(model, method, args, kwargs ?? {});
  let events = 0;
  const world: ShippingWorld = Object.assign(w, {
    shipping,
    async importedOrder(input: Parameters<ShippingWorld['importedOrder']>[0] = {}) {
      const created = w.sandbox.state.orders.create({
        lines: input.lines ?? [{ sku: 'E-COM07', quantity: 1, price: 300 }],
        ...(input.payment_method ? { payment_method: input.payment_method } : {}),
        ...(input.cash_on_delivery !== undefined ? { cash_on_delivery: input.cash_on_delivery } : {}),
      }, w.clock.now());
      const poleepoId = String(created.id);
      await w.orders.enqueue(w.connectionId, poleepoId, 'manual');
      const binding = await w.waitFor(poleepoId, ['confirmed'], 20_000);
      return { poleepoId, saleOrderId: binding.sale_order_id!, saleOrderName: binding.sale_order_name! };
    },
    async validateDelivery(saleOrderId: number, packages: DeliveryPackageSpec[] = [{ packageTypeId: ODOO_BOX, shippingWeight: 2.5 }]) {
      const [picking] = call('stock.picking', 'search_read', [[['sale_id', '=', saleOrderId]]], { fields: ['name'] }) as { id: number; name: string }[];
      if (!picking) throw new Error(`sale order ${saleOrderId} has no delivery`);
      // Several packages without their own lines: one move each, the last package takes what is left.
      const moves = call('stock.move', 'search', [[['picking_id', '=', picking.id]]], { order: 'id asc' }) as number[];
      const specs = packages.map((p, i) => (p.lines || packages.length === 1 || i === packages.length - 1 ? p : { ...p, lines: moves[i] !== undefined ? [moves[i]!] : 'all' as const }));
      const done = await packAndValidateDelivery(call, { version: w.odoo.version as 17 | 18 | 19, pickingId: picking.id, packages: specs });
      return { pickingId: picking.id, pickingName: picking.name, packageIds: done.packageIds };
    },
    async readyDelivery(opts: { packages?: DeliveryPackageSpec[]; cod?: boolean; lines?: { sku: string; quantity: number; price?: number }[] } = {}) {
      await shipping.packageTypes.sync(w.connectionId);
      await shipping.packageTypes.map(w.connectionId, String(ODOO_BOX), 'Scatola media');
      const twoProducts = [{ sku: 'E-COM07', quantity: 1, price: 300 }, { sku: 'FURN_0098', quantity: 1, price: 120 }];
      const lines = opts.lines ?? ((opts.packages?.length ?? 1) > 1 ? twoProducts : undefined);
      const order = await world.importedOrder({ ...(lines ? { lines } : {}), ...(opts.cod ? { payment_method: 'CASH_ON_DELIVERY' } : {}) });
      const delivery = await world.validateDelivery(order.saleOrderId, opts.packages);
      return { poleepoId: order.poleepoId, saleOrderId: order.saleOrderId, pickingId: delivery.pickingId, pickingName: delivery.pickingName };
    },
    async shipmentWebhook(shippingId: number, status: string, eventId?: string) {
      const body = JSON.stringify({ event: 'STATUS_SHIPMENT', event_id: eventId ?? `ship_evt_${++events}`, timestamp: new Date(w.clock.now()).toISOString(), data: { shipping_id: shippingId, status } });
      const outcome = await intake.receive({ name: 'poleepo-shipping', token: new URL(url).searchParams.get('token') ?? undefined, rawBody: Buffer.from(body), headers: { 'content-type': 'application/json' } });
      if (outcome.status !== 200 || !('received' in outcome.body)) throw new Error(`webhook refused: ${JSON.stringify(outcome.body)}`);
      return outcome.body.id;
    },
    waitForShipment: (pickingId: number, steps: string[], timeoutMs = 20_000) => eventually(async () => {
      const s = await shipping.repo.byPicking(w.connectionId, pickingId);
      return s && steps.includes(s.step) && !(await w.ctx.tasks.serialKeyInFlight(`shipment:${s.id}`)) ? s : null;
    }, timeoutMs, `shipment of picking ${pickingId} to be ${steps.join(' or ')}`),
    picking: (pickingId: number) => (call('stock.picking', 'read', [[pickingId]], { fields: ['name', 'state', 'carrier_tracking_ref', 'x_poleepo_shipment_id', 'x_poleepo_courier', 'x_poleepo_status', 'x_poleepo_requested'] }) as Record<string, unknown>[])[0]!,
    chatter: (model: string, resId: number) => call('mail.message', 'search_read', [[['model', '=', model], ['res_id', '=', resId]]], { fields: ['body', 'attachment_ids'], order: 'id asc' }) as { id: number; body: string; attachment_ids: number[] }[],
    attachments: (model: string, resId: number) => call('ir.attachment', 'search_read', [[['res_model', '=', model], ['res_id', '=', resId]]], { fields: ['name', 'mimetype', 'file_size'] }) as { id: number; name: string; mimetype: string; file_size: number }[],
  });
  return world;
}
