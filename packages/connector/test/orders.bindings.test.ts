import { afterEach, describe, expect, it } from 'vitest';
import { ordersWorld, type OrdersWorld } from './orders.fixture.ts';

const PRIVATE = { company: null, vat_number: null, sdi_code: null, pec: null, fiscal_code: null };

let w: OrdersWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe('order lines matched through the product export bindings', () => {
  it('uses the variant sent to Poleepo under the SKU even after its internal reference changed in Odoo', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    const [variant] = w.odoo.call('product.product', 'search_read', [[['default_code', '=', 'E-COM07']]], { fields: ['id'] }) as { id: number }[];
    // Exported under "E-COM07", then renamed in Odoo before the next export: Poleepo still sells "E-COM07".
    w.odoo.call('product.product', 'write', [[variant.id], { default_code: 'E-COM07-NEW' }]);
    const now = w.clock.now();
    await w.ctx.db.kysely.insertInto('product_bindings').values({
      connection_id: w.connectionId, kind: 'variant', odoo_id: variant.id, template_id: 0, sku: 'E-COM07', eligible: 1, poleepo_id: '555',
      forced: 0, inactive_sent: 0, odoo_needs_update: 0, mirror_pending: 0, flagged: 0, has_parent: 0, seen_at: now, created_at: now, updated_at: now,
    } as never).execute();
    w.startWorker();
    const pid = w.poleepoOrder({ channel: 'EBAY', customer: { ...PRIVATE, firstname: 'Anna', lastname: 'Neri', email: 'anna@example.it', address: 'Via Po 2', postcode: '10121', city: 'Torino', state_iso: 'TO', country_iso: 'IT' }, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    await w.orders.enqueue(w.connectionId, pid, 'manual');
    await w.waitFor(pid, ['confirmed']);
    const [so] = w.saleOrders(pid);
    const [line] = w.odoo.call('sale.order.line', 'read', [so.order_line], { fields: ['product_id'] }) as { product_id: [number, string] }[];
    expect(line.product_id[0]).toBe(variant.id);
  });
});
