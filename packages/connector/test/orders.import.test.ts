import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from './helpers/db.ts';
import { ordersWorld, type OrdersWorld } from './orders.fixture.ts';
import { eventually } from './helpers/wait.ts';
import { newSandboxClient } from '@poleepo-odoo/poleepo-sandbox';
import { startPoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { packAndValidateDelivery } from '@poleepo-odoo/odoo-emulator';
import { ConnectionsService } from '../src/connections/connections.service.ts';

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
    // Confirmed in Odoo, and the confirmation pushed to Poleepo at once (IN_PROCESS there and in the Poleepo Info).
    expect(so).toMatchObject({ state: 'sale', user_id: [1, 'OdooBot'], x_poleepo_status: 'IN_PROCESS', x_poleepo_channel: 'Amazon', x_poleepo_url: `https://app.poleepo.cloud/orders/${pid}`, company_id: [1, expect.any(String)] });
    const order = w.sandbox.state.orders.order(pid);
    expect(order.status).toBe('IN_PROCESS');
    expect(so.client_order_ref).toBe(order.reference_id);
    expect(so.origin).toBe(`Poleepo ${pid} (Amazon)`);
    // Confirm overwrote date_order; the marketplace date was written back.
    expect(so.date_order).toBe(new Date(order.order_date).toISOString().slice(0, 19).replace('T', ' '));
    expect(so.amount_total).toBe(1406.3);
    expect(binding).toMatchObject({ state: 'confirmed', sale_order_id: expect.any(Number), poleepo_status: 'IN_PROCESS', pushed_status: 'IN_PROCESS', flag: null, poleepo_total: 1406.3, odoo_total: 1406.3 });
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

describe('order import rules (SQLite)', () => {
  const customer = { ...PRIVATE, firstname: 'Marco', lastname: 'Rossi', email: 'marco.rossi@example.it', address: 'Via Verdi 3', postcode: '00184', city: 'Roma', state_iso: 'RM', country_iso: 'IT' };

  it('parks an order with an unknown SKU (orders page and webhook queue say why), never guesses, and imports it once the SKU is mapped', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }, { sku: 'NEW-SKU-1', quantity: 2, price: 12.5 }] });
    const messageId = await w.webhook(pid);
    const parked = await w.waitFor(pid, ['parked']);
    expect(parked.parked_reason).toMatch(/Unknown SKU "NEW-SKU-1".*Map the SKU to exactly one product in Odoo, then retry/);
    expect(w.saleOrders(pid)).toHaveLength(0);
    const message = await eventually(async () => {
      const m = await w!.webhookQueue.get(messageId);
      return m?.status === 'failed' ? m : null;
    }, 30_000, 'the webhook message to show the parked order');
    expect(message.last_error).toContain('NEW-SKU-1');

    // Mapped through the provisioned Poleepo SKU field; a retry from the orders page imports it.
    w.odoo.call('product.product', 'write', [[16], { x_poleepo_sku: 'NEW-SKU-1' }]);
    await w.orders.retry(parked.id);
    const done = await w.waitFor(pid, ['confirmed']);
    expect(done.parked_reason).toBeNull();
    const [so] = w.saleOrders(pid);
    const lines = w.odoo.call('sale.order.line', 'read', [so.order_line], { fields: ['product_id', 'product_uom_qty'] }) as { product_id: [number, string]; product_uom_qty: number }[];
    expect(lines.map((l) => [l.product_id[0], l.product_uom_qty])).toEqual([[17, 1], [16, 2]]);
    await eventually(async () => (await w!.webhookQueue.get(messageId))?.status === 'done', 30_000, 'the webhook message to be Completato again');
  });

  it('parks an SKU that matches two products, rather than picking one', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    w.odoo.call('product.product', 'write', [[16, 18], { barcode: false }]);
    w.odoo.call('product.product', 'write', [[16], { x_poleepo_sku: 'TWIN' }]);
    w.odoo.call('product.product', 'write', [[18], { x_poleepo_sku: 'TWIN' }]);
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'TWIN', quantity: 1, price: 10 }] });
    await w.orders.enqueue(w.connectionId, pid, 'manual');
    const parked = await w.waitFor(pid, ['parked']);
    expect(parked.parked_reason).toMatch(/SKU "TWIN" matches 2 products on x_poleepo_sku \(ids 16, 18\)/);
  });

  it('refuses an order whose customer data or prices the API key hides, with a clear message, and imports nothing', async () => {
    for (const hide of [{ hideCustomerData: true }, { hidePrices: true }]) {
      w = await ordersWorld({ dialect: 'sqlite', sandboxClient: newSandboxClient({ orders: 'write', products: 'write', shipping: 'write', ...hide }) });
      w.startWorker();
      const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
      await w.orders.enqueue(w.connectionId, pid, 'manual');
      const refused = await w.waitFor(pid, ['refused']);
      expect(refused.error).toMatch(hide.hideCustomerData ? /did not send this order's customer data/ : /did not send this order's prices/);
      expect(refused.error).toMatch(/Nothing was imported/);
      expect(w.saleOrders(pid)).toHaveLength(0);
      expect(w.odoo.call('res.partner', 'search_count', [[['email', '=', customer.email]]])).toBe(0);
      await w.close();
      w = undefined;
    }
  });

  it('keeps marketplace prices: a price-included twin tax when the company has one; otherwise a difference above the threshold is flagged with the lines that missed, a cent within it is not', async () => {
    w = await ordersWorld({ dialect: 'sqlite', vat22: false });
    w.startWorker();
    const excluded = w.odoo.call('account.tax', 'create', [{ name: 'IVA 22%', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, price_include_override: 'tax_excluded' }]) as number;
    w.odoo.call('product.product', 'write', [[17], { taxes_id: [[6, 0, [excluded]]] }]);
    const first = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 3, price: 19.99 }] });
    await w.orders.enqueue(w.connectionId, first, 'manual');
    const flagged = await w.waitFor(first, ['confirmed']);
    expect(flagged.flag).toMatch(/Total differs: 59\.99 in Odoo vs 59\.97 on Poleepo \(EUR\).*E-COM07: line total 59\.99 in Odoo vs 59\.97/);
    const [so] = w.saleOrders(first);
    const [line] = w.odoo.call('sale.order.line', 'read', [so.order_line], { fields: ['price_unit', 'tax_id'] }) as { price_unit: number; tax_id: number[] }[];
    expect(line).toMatchObject({ price_unit: 16.39, tax_id: [excluded] });
    const notes = w.odoo.call('mail.message', 'search_read', [[['model', '=', 'sale.order'], ['res_id', '=', so.id as number]]], { fields: ['body'] }) as { body: string }[];
    expect(notes.some((n) => n.body.includes('Total differs'))).toBe(true);
    // One cent of rounding, within the connection's threshold (0.01): confirmed, not flagged.
    const withinThreshold = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 19.99 }] });
    await w.orders.enqueue(w.connectionId, withinThreshold, 'manual');
    expect(await w.waitFor(withinThreshold, ['confirmed'])).toMatchObject({ flag: null, odoo_total: 20, poleepo_total: 19.99 });

    const included = w.odoo.call('account.tax', 'create', [{ name: 'IVA 22% incl.', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, price_include_override: 'tax_included' }]) as number;
    w.clock.advance(6 * 60_000); // the taxes the import keeps are read again after a few minutes
    const second = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 3, price: 19.99 }] });
    await w.orders.enqueue(w.connectionId, second, 'manual');
    const exact = await w.waitFor(second, ['confirmed']);
    expect(exact).toMatchObject({ flag: null, odoo_total: 59.97, poleepo_total: 59.97 });
    const [so2] = w.saleOrders(second);
    const [line2] = w.odoo.call('sale.order.line', 'read', [so2.order_line], { fields: ['price_unit', 'tax_id'] }) as { price_unit: number; tax_id: number[] }[];
    expect(line2).toMatchObject({ price_unit: 19.99, tax_id: [included] });
  });

  it('cancels an order cancelled on Poleepo when nothing was delivered or invoiced, and flags it when goods were delivered', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    const free = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    const shipped = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    for (const pid of [free, shipped]) {
      await w.webhook(pid);
      await w.waitFor(pid, ['confirmed']); // one after the other: the same new customer is created once, by the first
    }
    // Delivered: its delivery packed and validated, as a warehouse does (qty_delivered follows the done moves).
    const [delivered] = w.saleOrders(shipped);
    const [picking] = w.odoo.call('stock.picking', 'search', [[['sale_id', '=', delivered.id as number]]]) as number[];
    await packAndValidateDelivery((model, method, args, kwargs) => w!.odoo.call(model, method, args, kwargs ?? {}), { version: 18, pickingId: picking, packages: [{}], whenShort: 'cancel' });

    for (const pid of [free, shipped]) {
      w.setStatus(pid, 'CANCELED');
      await w.webhook(pid);
    }
    const cancelled = await w.waitFor(free, ['cancelled']);
    expect(cancelled.poleepo_status).toBe('CANCELED');
    expect(w.saleOrders(free)[0]).toMatchObject({ state: 'cancel', x_poleepo_status: 'CANCELED' });
    const pickings = w.odoo.call('stock.picking', 'search_read', [[['sale_id', '=', w.saleOrders(free)[0].id as number]]], { fields: ['state'] }) as { state: string }[];
    expect(pickings.map((p) => p.state)).toEqual(['cancel']);

    const blocked = await eventually(async () => {
      const b = await w!.binding(shipped);
      return b?.flag ? b : null;
    }, 30_000, 'the delivered order to be flagged');
    expect(blocked).toMatchObject({ state: 'confirmed', poleepo_status: 'CANCELED' });
    expect(blocked.flag).toMatch(/Cancelled on Poleepo, but goods were already delivered: not cancelled in Odoo/);
    expect(w.saleOrders(shipped)[0]).toMatchObject({ state: 'sale', x_poleepo_status: 'CANCELED' });
  });

  it('never moves an order backwards: a late or stale status is ignored', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    w.setStatus(pid, 'SHIPPED');
    await w.webhook(pid, 'SHIPPED');
    await w.waitFor(pid, ['confirmed']);
    expect(w.saleOrders(pid)[0].x_poleepo_status).toBe('SHIPPED');
    // Poleepo answers an older status (a lagging read, or an event replayed): nothing moves back.
    w.setStatus(pid, 'PAYMENT_ACCEPTED');
    await w.webhook(pid, 'PAYMENT_ACCEPTED');
    await eventually(async () => (await w!.ctx.tasks.list({ kind: 'orders.import', status: 'done' })).total >= 2, 30_000, 'the second import run');
    const after = await w.waitFor(pid, ['confirmed']);
    expect(after).toMatchObject({ poleepo_status: 'SHIPPED', status_rank: 3, pushed_status: null });
    expect(w.saleOrders(pid)[0].x_poleepo_status).toBe('SHIPPED');
    expect(w.saleOrders(pid)).toHaveLength(1);
  });

  it('pushes the confirmation at import, and what Poleepo missed or what changed in Odoo later through Order Polling (write_date cursor)', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    await w.orders.enqueue(w.connectionId, pid, 'manual');
    expect(await w.waitFor(pid, ['confirmed'])).toMatchObject({ pushed_status: 'IN_PROCESS', poleepo_status: 'IN_PROCESS' });
    expect(w.sandbox.state.orders.order(pid).status).toBe('IN_PROCESS');

    // Poleepo refuses the push at import time: the order is imported all the same, and Order Polling pushes it later.
    const refusedPid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    w.sandbox.faults.add({ endpoint: 'orders.updateStatus', status: 422, count: 1 });
    await w.orders.enqueue(w.connectionId, refusedPid, 'manual');
    expect(await w.waitFor(refusedPid, ['confirmed'])).toMatchObject({ pushed_status: null, poleepo_status: 'PAYMENT_ACCEPTED' });
    expect(w.sandbox.state.orders.order(refusedPid).status).toBe('PAYMENT_ACCEPTED');
    w.clock.advance(60_000);
    const first = await w.orders.polling.run();
    expect(first.connections[0]).toMatchObject({ connection: 'shop', odooQueued: 1 });
    await eventually(async () => (await w!.binding(refusedPid))?.pushed_status === 'IN_PROCESS', 30_000, 'the confirmation to be pushed');
    expect(w.sandbox.state.orders.order(refusedPid).status).toBe('IN_PROCESS');
    expect(w.saleOrders(refusedPid)[0].x_poleepo_status).toBe('IN_PROCESS');

    // A cancellation made in Odoo.
    const soId = w.saleOrders(pid)[0].id as number;
    w.clock.advance(60_000);
    w.odoo.call('sale.order', 'action_cancel', [[soId]], { context: { disable_cancel_warning: true } });
    w.clock.advance(60_000);
    await w.orders.polling.run();
    const cancelled = await w.waitFor(pid, ['cancelled']);
    expect(cancelled).toMatchObject({ poleepo_status: 'CANCELED', pushed_status: 'CANCELED', odoo_state: 'cancel' });
    expect(w.sandbox.state.orders.order(pid).status).toBe('CANCELED');
    // A further poll finds nothing new to push.
    w.clock.advance(60_000);
    const quiet = await w.orders.polling.run();
    expect(quiet.connections[0].odooQueued).toBe(0);
  });
});

describe('order import across Odoo versions and companies (SQLite)', () => {
  const customer = { ...PRIVATE, firstname: 'Sara', lastname: 'Costa', email: 'sara.costa@example.it', address: 'Via Cavour 2', postcode: '20121', city: 'Milano', state_iso: 'MI', country_iso: 'IT' };

  it.each([17, 19] as const)('imports and cancels on Odoo %s (its line tax field, its cancel behaviour, JSON-2 on 19)', async (version) => {
    w = await ordersWorld({ dialect: 'sqlite', version });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 2, price: 300 }] });
    await w.orders.enqueue(w.connectionId, pid, 'manual');
    const b = await w.waitFor(pid, ['confirmed']);
    expect(b.flag).toBeNull();
    const [so] = w.saleOrders(pid);
    expect(so).toMatchObject({ state: 'sale', amount_total: 600 });
    const taxField = version === 19 ? 'tax_ids' : 'tax_id';
    const [line] = w.odoo.call('sale.order.line', 'read', [so.order_line], { fields: ['price_unit', taxField] }) as Record<string, unknown>[];
    // 17's demo product carries the 15 % tax (excluded): the connector found no included twin, so it priced the net.
    // Poleepo's 22 % wins over the product's own tax (17's demo product carries 15 %): the included 22 % tax, gross price.
    const vat22 = w.odoo.call('account.tax', 'search', [[['name', '=', 'IVA 22% incl.'], ['company_id', '=', 1]]]) as number[];
    expect(line).toMatchObject({ price_unit: 300, [taxField]: vat22 });
    w.setStatus(pid, 'CANCELED');
    await w.orders.enqueue(w.connectionId, pid, 'webhook');
    await w.waitFor(pid, ['cancelled']);
    expect(w.saleOrders(pid)[0].state).toBe('cancel');
  });

  it('keeps companies apart: the same Poleepo order id on two connections (two companies) gives one sale order in each', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    const other = await startPoleepoSandbox({ clock: w.clock });
    try {
      const key = other.clients[0];
      const chicago = await new ConnectionsService(w.ctx).create({
        name: 'chicago', odoo: { url: w.odoo.url, db: w.odoo.db, login: w.odoo.login, apiKey: w.odoo.apiKey, companyId: 2 },
        poleepo: { baseUrl: other.url, clientId: key.clientId, clientSecret: key.clientSecret },
      });
      const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
      const same = String(other.state.orders.create({ customer, lines: [{ sku: 'E-COM07', quantity: 3, price: 300 }] }, w.clock.now()).id);
      expect(same).toBe(pid);
      await w.orders.enqueue(w.connectionId, pid, 'manual');
      await w.waitFor(pid, ['confirmed']);
      await w.orders.enqueue(chicago.id, pid, 'manual');
      await w.waitFor(pid, ['confirmed'], 10_000, chicago.id);
      const both = w.saleOrders(pid);
      expect(both.map((o) => [(o.company_id as [number])[0], o.amount_total]).sort()).toEqual([[1, 300], [2, 900]]);
      // Each connection's look-up sees only its company: importing again changes nothing on either side.
      await w.orders.enqueue(chicago.id, pid, 'manual');
      await w.orders.enqueue(w.connectionId, pid, 'manual');
      await w.waitFor(pid, ['confirmed'], 10_000, chicago.id);
      await w.waitFor(pid, ['confirmed']);
      expect(w.saleOrders(pid)).toHaveLength(2);
      // Every Odoo call of the Chicago connection carried its company.
      await w.ctx.apiLog.flush();
      const calls = await w.ctx.apiLogRepo.list({ system: 'odoo', connectionId: chicago.id, limit: 500 });
      const objectCalls = calls.filter((c) => (c.request_body ?? '').includes('execute_kw'));
      expect(objectCalls.length).toBeGreaterThan(3);
      for (const c of objectCalls) expect(c.request_body).toContain('"allowed_company_ids":[2]');
    } finally {
      await other.stop();
    }
  });
});

describe('order import safety nets (SQLite)', () => {
  const customer = { ...PRIVATE, firstname: 'Paolo', lastname: 'Gallo', email: 'paolo.gallo@example.it', address: 'Viale dei Mille 12', postcode: '50123', city: 'Firenze', country_iso: 'IT' };

  it('Order Polling imports what no webhook brought, and a later status change, on a cursor with overlap (UTC, whole seconds)', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    const listedUpdatedAt = w.sandbox.state.orders.order(pid).updated_at;
    w.clock.advance(1_500);
    const first = await w.orders.polling.run();
    expect(first.connections[0]).toMatchObject({ seen: 1, queued: 1 });
    await w.waitFor(pid, ['confirmed']);
    const cursor = await w.orders.repo.cursor(w.connectionId, 'poleepo');
    expect(Number(cursor)).toBe(Math.floor(listedUpdatedAt / 1000) * 1000);
    expect((await w.binding(pid))?.pushed_status).toBe('IN_PROCESS'); // the import pushed the confirmation itself

    // Our own push changed the order on Poleepo: the next poll lists it, and finds nothing to do on either side.
    w.clock.advance(60_000);
    expect((await w.orders.polling.run()).connections[0]).toMatchObject({ seen: 1, queued: 0, odooQueued: 0 });

    w.setStatus(pid, 'SHIPPED'); // no webhook for it
    w.clock.advance(60_000);
    expect((await w.orders.polling.run()).connections[0].queued).toBe(1);
    expect((await w.waitFor(pid, ['confirmed'])).poleepo_status).toBe('SHIPPED');
    expect(w.saleOrders(pid)[0].x_poleepo_status).toBe('SHIPPED');
    await w.ctx.apiLog.flush();
    const lists = (await w.ctx.apiLogRepo.list({ system: 'poleepo', limit: 200 })).filter((c) => c.path.startsWith('/orders?'));
    expect(lists.length).toBeGreaterThanOrEqual(3);
    for (const c of lists) expect(decodeURIComponent(c.path)).toMatch(/updated_after=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z(&|$)/);
  });

  it('creates a new customer once when two of their orders are imported at the same moment', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    const a = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    const b = w.poleepoOrder({ customer, lines: [{ sku: 'FURN_0098', quantity: 1, price: 800.4 }] });
    await Promise.all([w.orders.enqueue(w.connectionId, a, 'webhook'), w.orders.enqueue(w.connectionId, b, 'webhook')]);
    await eventually(async () => {
      const both = await Promise.all([w!.binding(a), w!.binding(b)]);
      if (both.every((x) => x?.state === 'confirmed')) return true;
      w!.clock.advance(1_000); // the second waits for the first one's customer, on the clock
      return false;
    }, 30_000, 'both orders confirmed');
    const partners = w.saleOrders(a).concat(w.saleOrders(b)).map((so) => (so.partner_id as [number])[0]);
    expect(partners[0]).toBe(partners[1]);
    expect(w.odoo.call('res.partner', 'search_count', [[['email', '=ilike', customer.email], ['parent_id', '=', false]]])).toBe(1);
  });

  it('never re-creates a sale order a person deleted in Odoo: flags it instead', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    await w.orders.enqueue(w.connectionId, pid, 'manual');
    const imported = await w.waitFor(pid, ['confirmed']);
    w.odoo.call('sale.order', 'action_cancel', [[imported.sale_order_id]], { context: { disable_cancel_warning: true } });
    w.odoo.call('sale.order', 'unlink', [[imported.sale_order_id]]);
    await w.orders.enqueue(w.connectionId, pid, 'webhook');
    await eventually(async () => (await w!.binding(pid))?.flag?.includes('no longer exists in Odoo') ?? false, 30_000, 'the flag');
    expect(w.saleOrders(pid)).toHaveLength(0);
  });

  it('dead-letters a permanent Odoo refusal with its reason, on the orders page and the webhook queue', async () => {
    w = await ordersWorld({ dialect: 'sqlite' });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    w.odoo.knobs.faults.add({ kind: 'error', preset: 'access', model: 'sale.order', method: 'create' });
    const messageId = await w.webhook(pid);
    const failed = await w.waitFor(pid, ['error']);
    expect(failed.error).toMatch(/^Gave up: OdooAccessError: Odoo denied access \(sale.order.create\)/);
    const [task] = (await w.ctx.tasks.list({ kind: 'orders.import', status: 'dead' })).rows;
    expect(task.last_error).toMatch(/OdooAccessError/);
    const message = await eventually(async () => {
      const m = await w!.webhookQueue.get(messageId);
      return m?.status === 'failed' ? m : null;
    }, 30_000, 'the webhook message to show the failure');
    expect(message.last_error).toMatch(/Order import failed: OdooAccessError/);
    expect(w.saleOrders(pid)).toHaveLength(0);
  });
});
