import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from './helpers/db.ts';
import { ordersWorld, type OrdersWorld } from './orders.fixture.ts';

/** The sandbox fills what is not given with a generated person, sometimes a business: these make it a private buyer. */
const PRIVATE = { company: null, vat_number: null, sdi_code: null, pec: null, fiscal_code: null };

let w: OrdersWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe.each(dialects)('order import on %s', (dialect) => {
  it('imports a paid order as a confirmed sale order: customer and contacts, lines by SKU, shipping, Poleepo Info, OdooBot, marketplace date', async () => {
    w = await ordersWorld({ dialect });
    w.startWorker();
    const pid = w.poleepoOrder({
      channel: 'AMAZON', shipping_cost: 5.9,
      customer: { ...PRIVATE, firstname: 'Giulia', lastname: 'Bianchi', email: 'giulia.bianchi@example.it', fiscal_code: 'BNCGLI85M41H501X', address: 'Via Roma 1', postcode: '20121', city: 'Milano', state_iso: 'MI', country_iso: 'IT' },
      lines: [{ sku: 'E-COM07', quantity: 2, price: 300 }, { sku: 'FURN_0098', quantity: 1, price: 800.4 }],
    });
    await w.orders.enqueue(w.connectionId, pid, 'manual');
    const binding = await w.waitFor(pid, ['confirmed']);
    const [so] = w.saleOrders(pid);
    expect(w.saleOrders(pid)).toHaveLength(1);
    expect(so).toMatchObject({ state: 'sale', user_id: [1, 'OdooBot'], x_poleepo_status: 'PAYMENT_ACCEPTED', x_poleepo_channel: 'Amazon', x_poleepo_url: `https://app.poleepo.cloud/orders/${pid}`, company_id: [1, expect.any(String)] });
    const order = w.sandbox.state.orders.order(pid);
    expect(so.client_order_ref).toBe(order.reference_id);
    expect(so.origin).toBe(`Poleepo ${pid} (Amazon)`);
    // Confirm overwrote date_order; the marketplace date was written back.
    expect(so.date_order).toBe(new Date(order.order_date).toISOString().slice(0, 19).replace('T', ' '));
    expect(so.amount_total).toBe(1406.3);
    expect(binding).toMatchObject({ state: 'confirmed', sale_order_id: expect.any(Number), poleepo_status: 'PAYMENT_ACCEPTED', flag: null, poleepo_total: 1406.3, odoo_total: 1406.3 });
    const lines = w.odoo.call('sale.order.line', 'read', [so.order_line], { fields: ['product_id', 'product_uom_qty', 'price_unit', 'is_delivery'] }) as Record<string, unknown>[];
    expect(lines.map((l) => [(l.product_id as [number, string])[0], l.product_uom_qty, l.price_unit, l.is_delivery])).toEqual([[17, 2, 300, false], [14, 1, 800.4, false], [49, 1, 5.9, true]]);
    // The customer: a person with an invoice and a delivery contact; the fiscal code kept in the notes (no l10n_it here).
    const [partner] = w.odoo.call('res.partner', 'read', [[(so.partner_id as [number])[0]]], { fields: ['name', 'email', 'is_company', 'child_ids', 'comment', 'country_id', 'state_id'] }) as Record<string, unknown>[];
    expect(partner).toMatchObject({ name: 'Giulia Bianchi', email: 'giulia.bianchi@example.it', is_company: false, country_id: [109, 'Italy'] });
    expect(partner.comment).toContain('BNCGLI85M41H501X');
    expect((partner.child_ids as number[]).sort()).toEqual([(so.partner_invoice_id as [number])[0], (so.partner_shipping_id as [number])[0]].sort());

    // A second order of the same customer reuses the partner and its contacts.
    const again = w.poleepoOrder({ channel: 'AMAZON', customer: { ...PRIVATE, firstname: 'Giulia', lastname: 'Bianchi', email: 'GIULIA.bianchi@example.it', address: 'Via Roma 1', postcode: '20121', city: 'Milano', state_iso: 'MI', country_iso: 'IT' }, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    await w.orders.enqueue(w.connectionId, again, 'manual');
    await w.waitFor(again, ['confirmed']);
    const [so2] = w.saleOrders(again);
    expect(so2.partner_id).toEqual(so.partner_id);
    expect(so2.partner_invoice_id).toEqual(so.partner_invoice_id);
  });
});
