import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetDemo, startDemo, type RunningDemo } from '../src/demo/demo.ts';
import { cli } from './helpers/cli.ts';
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
    // Only storable products are published (the demo's services have no SKU: they would only show as errors).
    expect(await odoo.call('product.product', 'search_count', [[['x_poleepo_published', '=', true], ['type', '=', 'service']]])).toBe(0);
    expect(Number(await odoo.call('product.product', 'search_count', [[['x_poleepo_published', '=', true]]]))).toBeGreaterThan(0);

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

describe('poleepo-odoo demo, stopped and started again', () => {
  let demo: RunningDemo | undefined;
  afterAll(async () => demo?.stop());

  const pace = { orderEveryMs: 700, changeEveryMs: 1500, rateLimitWindowMs: 10_000, shipEveryMs: 1500, saveEveryMs: 500 };
  // No ENCRYPTION_KEY: the demo keeps its own secret.key beside its database, as a real `demo` run does.
  const env = { LOG_LEVEL: 'silent' };

  async function count(d: RunningDemo, table: 'product_batches' | 'order_bindings', where?: [string, string]) {
    let q = d.service.ctx.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
    if (where) q = q.where(where[0] as never, '=', where[1] as never);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  it('finds the same products, orders and batches; polls its batches without dead letters; the CLI reads its database; --reset starts over', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'demo-restart-'));
    demo = await startDemo({ port: 0, dataDir, env, ...pace });
    expect(demo.restored).toBe(false);
    const first = demo;
    await eventually(async () => (await count(first, 'product_batches', ['status', 'completed'])) > 0, 60_000, 'a completed product batch');
    await eventually(async () => (await count(first, 'order_bindings', ['state', 'confirmed'])) >= 2, 60_000, 'two confirmed orders');

    // The CLI, pointed at the demo's database by the banner's line, sees its data while it runs and creates nothing.
    expect(demo.databaseUrl).toBe(`sqlite:${join(dataDir, 'poleepo-odoo.db')}`);
    const listed = await cli(['batches', 'list', '--json'], { DATABASE_URL: demo.databaseUrl });
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBeGreaterThan(0);
    expect(readdirSync(dataDir).sort()).toEqual(expect.arrayContaining(['odoo-emulator.json', 'poleepo-odoo.db', 'poleepo-sandbox.json', 'secret.key']));

    await first.stop();
    demo = undefined;
    const before = {
      products: [...first.poleepo.state.catalog.products.keys()].sort(),
      orders: [...first.poleepo.state.orders.orders.keys()].sort(),
      batches: [...first.poleepo.state.batches.batches.keys()].sort(),
      saleOrders: (first.odoo.call('sale.order', 'search', [[]]) as number[]).sort(),
    };
    expect(before.products.length).toBeGreaterThan(0);

    // Second run on the same directory: the same Odoo and Poleepo, nothing lost, polling goes on cleanly.
    demo = await startDemo({ port: 0, dataDir, env, ...pace });
    const second = demo;
    expect(second.restored).toBe(true);
    expect([...second.poleepo.state.catalog.products.keys()].sort()).toEqual(expect.arrayContaining(before.products));
    expect([...second.poleepo.state.orders.orders.keys()].sort()).toEqual(expect.arrayContaining(before.orders));
    expect([...second.poleepo.state.batches.batches.keys()].sort()).toEqual(expect.arrayContaining(before.batches));
    expect((second.odoo.call('sale.order', 'search', [[]]) as number[]).sort()).toEqual(expect.arrayContaining(before.saleOrders));
    // Every batch the connector knows is one Poleepo knows.
    const known = await second.service.ctx.db.kysely.selectFrom('product_batches').select(['poleepo_batch_id']).where('poleepo_batch_id', 'is not', null).execute();
    for (const b of known) expect(second.poleepo.state.batches.batches.has(Number(b.poleepo_batch_id))).toBe(true);
    // New batches are polled to completion after the restart; none is lost, no poll task dies.
    const completedBefore = await count(second, 'product_batches', ['status', 'completed']);
    const confirmedBefore = await count(second, 'order_bindings', ['state', 'confirmed']);
    await eventually(async () => (await count(second, 'product_batches', ['status', 'completed'])) > completedBefore, 90_000, 'a batch completed after the restart');
    await eventually(async () => (await count(second, 'order_bindings', ['state', 'confirmed'])) > confirmedBefore, 60_000, 'a new order confirmed after the restart');
    expect(await count(second, 'product_batches', ['status', 'lost'])).toBe(0);
    expect((await second.service.ctx.tasks.list({ status: 'dead' })).rows.map((t) => `${t.kind}: ${t.last_error}`)).toEqual([]);
    await second.stop();
    demo = undefined;

    // --reset: the database, key and state files go; the next run starts from the seed.
    const deleted = resetDemo(dataDir).map((f) => f.slice(dataDir.length + 1)).sort();
    expect(deleted).toEqual(expect.arrayContaining(['odoo-emulator.json', 'poleepo-odoo.db', 'poleepo-sandbox.json', 'secret.key']));
    for (const f of ['odoo-emulator.json', 'poleepo-odoo.db', 'poleepo-sandbox.json', 'secret.key']) expect(existsSync(join(dataDir, f))).toBe(false);
  }, 300_000);
});
