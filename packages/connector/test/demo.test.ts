import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo, type RunningDemo } from '../src/demo/demo.ts';
import { eventually } from './helpers/wait.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';

describe('poleepo-odoo demo', () => {
  let demo: RunningDemo | undefined;
  afterAll(async () => demo?.stop());

  it('runs the whole loop: catalog exported in batches with results polled, orders from several channels confirmed in Odoo', async () => {
    demo = await startDemo({
      port: 0, dataDir: mkdtempSync(join(tmpdir(), 'demo-')), env: { LOG_LEVEL: 'silent', ENCRYPTION_KEY: TEST_ENCRYPTION_KEY },
      orderEveryMs: 700, changeEveryMs: 1500, rateLimitWindowMs: 10_000, shipEveryMs: 1500,
    });
    const { ctx } = demo.service;
    expect(demo.admin.password).toMatch(/.{12,}/);
    const login = await fetch(`${demo.consoleUrl}/login`);
    expect(login.status).toBe(200);

    // Products: published, exported in batches, results polled back (Poleepo ids written to Odoo).
    await eventually(async () => {
      const row = await ctx.db.kysely.selectFrom('product_batches').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'completed').executeTakeFirstOrThrow();
      return Number(row.n) > 0;
    }, 45_000, 'a completed product batch');
    const odoo = demo.odoo;
    await eventually(async () => Number(await odoo.call('product.product', 'search_count', [[['x_poleepo_ref', '!=', false]]])) > 0, 30_000, 'Poleepo ids written back to Odoo');

    // Orders: placed on marketplaces, delivered by webhook, confirmed sale orders with the Poleepo info.
    await eventually(async () => {
      const row = await ctx.db.kysely.selectFrom('order_bindings').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'confirmed').executeTakeFirstOrThrow();
      return Number(row.n) >= 3;
    }, 45_000, 'three confirmed orders');
    const orders = (await odoo.call('sale.order', 'search_read', [[['x_poleepo_order_id', '!=', false]]], { fields: ['state', 'x_poleepo_order_id', 'x_poleepo_channel', 'user_id'] })) as { state: string; x_poleepo_order_id: string; x_poleepo_channel: string; user_id: [number, string] }[];
    expect(orders.length).toBeGreaterThanOrEqual(3);
    for (const o of orders) {
      expect(o.state).toBe('sale');
      expect(o.user_id[0]).toBe(1);
    }
    const ids = orders.map((o) => o.x_poleepo_order_id);
    expect(new Set(ids).size).toBe(ids.length);
    // The demo company keeps price-included twins of its sales taxes: marketplace amounts kept to the cent, no flags.
    const confirmed = await ctx.db.kysely.selectFrom('order_bindings').select(['poleepo_order_id', 'flag', 'odoo_total', 'poleepo_total']).where('state', '=', 'confirmed').execute();
    for (const b of confirmed) expect({ flag: b.flag, total: b.odoo_total }, `order ${b.poleepo_order_id}`).toEqual({ flag: null, total: b.poleepo_total });
    expect(demo.traffic.changes.length).toBeGreaterThan(0);

    // Shipping: the warehouse packs and ships; labels land in Odoo; the couriers' tracking comes back to DELIVERED.
    const delivered = await eventually(async () => ctx.db.kysely.selectFrom('shipments').selectAll().where('poleepo_status', '=', 'DELIVERED').executeTakeFirst(), 60_000, 'a shipment tracked to DELIVERED');
    const [picking] = (await odoo.call('stock.picking', 'read', [[delivered.picking_id]], { fields: ['state', 'carrier_tracking_ref', 'x_poleepo_status', 'x_poleepo_shipment_id'] })) as { state: string; carrier_tracking_ref: string; x_poleepo_status: string; x_poleepo_shipment_id: string }[];
    expect(picking).toMatchObject({ state: 'done', carrier_tracking_ref: delivered.tracking_code, x_poleepo_status: 'DELIVERED (Consegnata)', x_poleepo_shipment_id: String(delivered.poleepo_shipping_id) });
    const labels = (await odoo.call('ir.attachment', 'search_read', [[['res_model', '=', 'stock.picking'], ['res_id', '=', delivered.picking_id]]], { fields: ['mimetype'] })) as { mimetype: string }[];
    expect(labels).toEqual([expect.objectContaining({ mimetype: 'application/pdf' })]);
  }, 150_000);
});
