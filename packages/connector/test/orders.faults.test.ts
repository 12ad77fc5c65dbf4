import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from './helpers/db.ts';
import { ordersWorld, type OrdersWorld } from './orders.fixture.ts';

/**
 * DESIGN §6 reliability: Poleepo answering 429 (with Retry-After), 5xx and dropped connections while orders are re-read,
 * and Odoo failing (HTML 500 pages, connections reset) while they are written → nothing lost: every order ends as
 * one confirmed sale order, Retry-After is honoured, no task is dead-lettered. The clock is the test's: backoffs and
 * Retry-After windows pass when the test moves it.
 */
const RETRY_AFTER_S = 20;

let w: OrdersWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe.each(dialects)('orders under Poleepo and Odoo failures (%s)', (dialect) => {
  it('imports every order once through 429s, 5xx, dropped connections and an Odoo outage; Retry-After is honoured', { timeout: 60_000 }, async () => {
    w = await ordersWorld({ dialect });
    const world = w;
    const fault = (body: Record<string, unknown>) => world.sandbox.faults.add(body);
    fault({ endpoint: 'orders.get', status: 429, retry_after: RETRY_AFTER_S, count: 2 });
    fault({ endpoint: 'orders.get', status: 503, count: 3 });
    fault({ endpoint: 'orders.get', drop: true, count: 1 });
    world.odoo.knobs.faults.add({ kind: 'http500', model: 'res.partner', count: 2 });
    world.odoo.knobs.faults.add({ kind: 'reset', model: 'sale.order', method: 'search_read', count: 2 });
    world.odoo.knobs.faults.add({ kind: 'error', preset: 'serialization', model: 'sale.order', method: 'create', count: 1 });

    const customers = ['Rossi', 'Bianchi', 'Verdi', 'Neri', 'Gallo'].map((lastname, i) => ({
      company: null, vat_number: null, firstname: 'Cliente', lastname, email: `${lastname.toLowerCase()}@example.it`,
      address: `Via Roma ${i + 1}`, postcode: '00184', city: 'Roma', country_iso: 'IT',
    }));
    const pids = customers.map((customer) => world.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 120 }] }));
    world.startWorker();
    for (const pid of pids) await world.webhook(pid);

    // Move the clock in small steps (backoffs, Retry-After) until every order is confirmed: the condition decides,
    // bounded by a generous minute of real time (a step count alone was a deadline a busy machine could miss).
    const confirmed = async () => (await Promise.all(pids.map((p) => world.binding(p)))).filter((b) => b?.state === 'confirmed').length;
    const giveUpAt = Date.now() + 60_000;
    while ((await confirmed()) < pids.length && Date.now() < giveUpAt) {
      world.clock.advance(2_000);
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(await confirmed()).toBe(pids.length);
    for (const pid of pids) {
      const orders = world.saleOrders(pid);
      expect(orders.map((o) => o.state), `order ${pid}`).toEqual(['sale']);
    }
    const tasks = world.ctx.db.kysely.selectFrom('tasks');
    expect(await tasks.select('id').where('status', '=', 'dead').execute()).toEqual([]);
    expect((await world.webhookQueue.list({ status: 'failed' })).total).toBe(0);
    // Every injected fault was met (the failures really happened) …
    expect(world.sandbox.faults.list()).toEqual([]);
    expect(world.odoo.knobs.faults.active()).toEqual([]);
    // … and after each 429 the next read of Poleepo's orders came no sooner than Retry-After.
    const reads = await world.ctx.db.kysely.selectFrom('api_log').select(['path', 'status', 'created_at'])
      .where('system', '=', 'poleepo').where('path', 'like', '/orders/%').orderBy('id').execute();
    const limited = reads.filter((r) => r.status === 429);
    expect(limited).toHaveLength(2);
    for (const hit of limited) {
      const next = reads.find((r) => r.created_at > hit.created_at && r.status !== 429 && r.path === hit.path)
        ?? reads.find((r) => r.created_at > hit.created_at);
      expect(next, 'a read after the 429').toBeDefined();
      expect(next!.created_at - hit.created_at, JSON.stringify(reads.map((r) => [r.path, r.status, r.created_at - reads[0]!.created_at]))).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
    }
  });
});
