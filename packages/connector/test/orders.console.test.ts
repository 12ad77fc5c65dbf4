import { afterEach, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './helpers/console.ts';
import { insertTestConnection } from './helpers/connections.ts';
import { OrdersRepo } from '../src/orders/orders.repo.ts';

describe('console orders page', () => {
  let f: ConsoleFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  async function setup() {
    f = await consoleFixture('sqlite');
    const connectionId = await insertTestConnection(f.db, 'shop', { settings: JSON.stringify({ orderUrlPattern: 'https://poleepo.example/o/{id}' }) });
    const repo = new OrdersRepo(f.db);
    const now = f.clock.now();
    const confirmed = await repo.ensure(connectionId, '1001', now);
    await repo.update(confirmed.id, { state: 'confirmed', sale_order_id: 25, sale_order_name: 'S00025', odoo_state: 'sale', poleepo_status: 'IN_PROCESS', status_rank: 2, reference: '402-1234567-1234567', channel: 'Amazon', currency: 'EUR', poleepo_total: 54.7, odoo_total: 54.7, import_ms: 6.5, external_ms: 140.2 });
    const parked = await repo.ensure(connectionId, '1002', now + 1);
    await repo.update(parked.id, { state: 'parked', parked_reason: 'Unknown SKU "NEW-1": no product in Odoo has it as Poleepo SKU, internal reference or barcode. Map the SKU to exactly one product in Odoo, then retry the order.', poleepo_status: 'PAYMENT_ACCEPTED', channel: 'eBay', updated_at: now + 1 });
    const flagged = await repo.ensure(connectionId, '1003', now + 2);
    await repo.update(flagged.id, { state: 'confirmed', sale_order_name: 'S00026', flag: 'Total differs: 59.99 in Odoo vs 59.97 on Poleepo (EUR)', updated_at: now + 2 });
    return { connectionId, confirmed, parked, flagged };
  }

  it('lists imported orders with Poleepo info, link, state and the reasons to act, in both languages', async () => {
    const { parked } = await setup();
    const operator = await f!.loggedIn('operator', 'clerk', 'en');
    const res = await operator.get('/orders');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Imported orders');
    expect(html).toContain('href="https://poleepo.example/o/1001"');
    expect(html).toContain('S00025');
    expect(html).toContain('In process');
    expect(html).toContain('Parked');
    expect(html).toContain('Unknown SKU &quot;NEW-1&quot;');
    expect(html).toContain('Total differs');
    expect(html).toContain(`action="/orders/retry"`);
    expect(html).toContain(`value="${parked.id}"`);

    const italian = await f!.loggedIn('operator', 'impiegata', 'it');
    const it = await (await italian.get('/orders')).text();
    expect(it).toContain('Ordini importati');
    expect(it).toContain('Sospeso');
    expect(it).toContain('In lavorazione');
    expect(it).toContain('Riprova');
    expect(it).not.toContain('⟦');

    const attention = await (await operator.get('/orders?attention=1')).text();
    expect(attention).toContain('1002');
    expect(attention).toContain('1003');
    expect(attention).not.toContain('>1001<');
    const search = await (await operator.get('/orders?q=S00025')).text();
    expect(search).toContain('>1001<');
    expect(search).not.toContain('>1002<');
  });

  it('shows one order (Poleepo Info, sale order, connector time) and retries it through the import task', async () => {
    const { confirmed, parked, connectionId } = await setup();
    const operator = await f!.loggedIn('operator');
    const detail = await (await operator.get(`/orders?id=${confirmed.id}`)).text();
    expect(detail).toContain('Poleepo order 1001');
    expect(detail).toContain('Poleepo Info');
    expect(detail).toContain('402-1234567-1234567');
    // The sale order opens in Odoo (its version unknown here: the hash form every version understands).
    expect(detail).toContain('href="http://127.0.0.1:1/web#id=25&amp;model=sale.order&amp;view_type=form"');
    expect(detail).toContain('S00025 ↗');
    expect(detail).toContain('6.5 ms');
    expect((await operator.get('/orders?id=999999')).status).toBe(404);

    const res = await operator.post('/orders/retry', { id: String(parked.id), back: `/orders?id=${parked.id}` });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`/orders?id=${parked.id}`);
    const tasks = await f!.ctx.tasks.list({ kind: 'orders.import' });
    expect(tasks.rows).toHaveLength(1);
    expect(JSON.parse(tasks.rows[0].payload)).toEqual({ connectionId, poleepoOrderId: '1002', trigger: 'manual' });
    expect(tasks.rows[0].dedupe_key).toBe(`order-import:${connectionId}:1002`);
    expect(await (await operator.get(`/orders?id=${parked.id}`)).text()).toContain('Order 1002 queued for import.');
    // Twice is still one pending import; an unknown order is refused plainly; the way back stays on the page.
    await operator.post('/orders/retry', { id: String(parked.id), back: 'https://evil.example/' });
    expect((await f!.ctx.tasks.list({ kind: 'orders.import' })).total).toBe(1);
    const missing = await operator.post('/orders/retry', { id: '424242', back: '/orders' });
    expect(missing.headers.get('Location')).toBe('/orders');
    expect(await (await operator.get('/orders')).text()).toContain('Order #424242 cannot be retried.');
  });
});
