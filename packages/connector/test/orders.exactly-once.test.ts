import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from './helpers/db.ts';
import { eventually } from './helpers/wait.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { ordersWorld, type OrdersWorld } from './orders.fixture.ts';
import type { OrderBinding } from '../src/orders/orders.repo.ts';

/**
 * DESIGN §4.6 "exactly once": whatever fails in between — a lost reply after Odoo committed, a create that commits
 * seconds later, a worker killed while its create is still running in Odoo, duplicate and reordered webhooks, a webhook racing Order
 * Polling — each order ends as ONE confirmed sale order. Odoo's request time limit is 120 s (connection setting);
 * the import waits 130 s (on the injected clock) before looking again after an ambiguous failure.
 */
const customer = { company: null, vat_number: null, sdi_code: null, pec: null, fiscal_code: null, firstname: 'Anna', lastname: 'Conti', email: 'anna.conti@example.it', address: 'Via Mazzini 7', postcode: '10121', city: 'Torino', state_iso: 'TO', country_iso: 'IT' };
const WAIT_MS = 130_000;

let w: OrdersWorld | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await w?.close();
  w = undefined;
});

/** The binding is waiting (uncertain) and its task is rescheduled for after Odoo's time limit. */
async function waitUncertain(world: OrdersWorld, pid: string): Promise<OrderBinding> {
  return eventually(async () => {
    const b = await world.binding(pid);
    if (b?.state !== 'uncertain') return null;
    const { rows } = await world.ctx.tasks.list({ kind: 'orders.import', status: 'pending' });
    return rows.some((t) => t.run_at > world.clock.now()) ? b : null;
  }, 10_000, `order ${pid} to wait after an ambiguous failure`);
}

function expectOneConfirmed(world: OrdersWorld, pid: string): void {
  const orders = world.saleOrders(pid);
  expect(orders).toHaveLength(1);
  expect(orders[0].state).toBe('sale');
}

describe.each(dialects)('exactly one confirmed sale order per Poleepo order, on %s', (dialect) => {
  it('a lost reply after a successful create: waits past Odoo\'s time limit, finds the draft, confirms it (no second create)', async () => {
    w = await ordersWorld({ dialect });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    w.odoo.knobs.faults.add({ kind: 'drop-after-commit', model: 'sale.order', method: 'create' });
    const failedAt = w.clock.now();
    await w.webhook(pid);
    const uncertain = await waitUncertain(w, pid);
    expect(uncertain).toMatchObject({ uncertain_step: 'create', recheck_at: failedAt + WAIT_MS });
    expect(w.saleOrders(pid).map((o) => o.state)).toEqual(['draft']); // Odoo committed; the reply was lost

    // Meanwhile, a duplicate webhook and a poll change nothing: the pending run holds the order's keys.
    await w.webhook(pid, undefined, 'evt_again');
    await w.orders.polling.run();
    w.clock.advance(WAIT_MS - 1_000);
    expect((await w.binding(pid))?.state).toBe('uncertain');
    expect(w.saleOrders(pid)).toHaveLength(1);

    w.clock.advance(1_000);
    const confirmed = await w.waitFor(pid, ['confirmed']);
    expect(confirmed).toMatchObject({ uncertain_step: null, recheck_at: null });
    expectOneConfirmed(w, pid);
  });

  it('a create that commits seconds after the client gave up: not seen at once, found after the wait, confirmed once', async () => {
    // The held create answers only when the test's clock moves, so the client gives up on it whatever the limit; the
    // limit is only short enough to keep the test quick, and long enough for every other call on a loaded machine.
    w = await ordersWorld({ dialect, clients: { odoo: { timeoutMs: 4_000 } } });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    w.odoo.knobs.faults.add({ kind: 'delay-commit', model: 'sale.order', method: 'create', delayMs: 5_000 });
    await w.orders.enqueue(w.connectionId, pid, 'webhook');
    await waitUncertain(w, pid);
    expect(w.saleOrders(pid)).toHaveLength(0); // not committed yet: looking now would create a duplicate
    w.clock.advance(5_000);
    await eventually(async () => w!.saleOrders(pid).length === 1, 30_000, 'the delayed create to commit');
    w.clock.advance(WAIT_MS - 5_000);
    await w.waitFor(pid, ['confirmed']);
    expectOneConfirmed(w, pid);
  });

  it('a lost reply to action_confirm: the order found after the wait is already confirmed; only the date is written back', async () => {
    w = await ordersWorld({ dialect });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    w.odoo.knobs.faults.add({ kind: 'drop-after-commit', model: 'sale.order', method: 'action_confirm' });
    await w.orders.enqueue(w.connectionId, pid, 'webhook');
    expect((await waitUncertain(w, pid)).uncertain_step).toBe('confirm');
    expect(w.saleOrders(pid).map((o) => o.state)).toEqual(['sale']);
    w.clock.advance(WAIT_MS);
    await w.waitFor(pid, ['confirmed']);
    expectOneConfirmed(w, pid);
    const order = w.sandbox.state.orders.order(pid);
    expect(w.saleOrders(pid)[0].date_order).toBe(new Date(order.order_date).toISOString().slice(0, 19).replace('T', ' '));
  });

  it('a lost reply to the customer create: the customer is found after the wait, not created twice', async () => {
    w = await ordersWorld({ dialect });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    w.odoo.knobs.faults.add({ kind: 'drop-after-commit', model: 'res.partner', method: 'create' });
    await w.orders.enqueue(w.connectionId, pid, 'webhook');
    expect((await waitUncertain(w, pid)).uncertain_step).toBe('customer');
    w.clock.advance(WAIT_MS);
    await w.waitFor(pid, ['confirmed']);
    expectOneConfirmed(w, pid);
    const [commercial] = w.odoo.call('res.partner', 'search', [[['email', '=ilike', customer.email], ['parent_id', '=', false]]]) as number[];
    expect(w.odoo.call('res.partner', 'search_count', [[['email', '=ilike', customer.email], ['parent_id', '=', false]]])).toBe(1);
    expect(w.odoo.call('res.partner', 'search_count', [[['parent_id', '=', commercial]]])).toBe(2);
    expect((w.saleOrders(pid)[0].partner_id as [number])[0]).toBe(commercial);
  });

  it('a concurrency error on create (nothing committed) is retried with backoff and imports once', async () => {
    w = await ordersWorld({ dialect });
    w.startWorker();
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    w.odoo.knobs.faults.add({ kind: 'error', preset: 'concurrency', model: 'sale.order', method: 'create' });
    await w.orders.enqueue(w.connectionId, pid, 'webhook');
    const failed = await eventually(async () => {
      const b = await w!.binding(pid);
      return b?.state === 'error' ? b : null;
    }, 30_000, 'the first attempt to fail');
    expect(failed.error).toMatch(/OdooConcurrencyError|concurrent update/);
    w.clock.advance(15_000); // the task's first backoff (10 s ± 25 %)
    await w.waitFor(pid, ['confirmed']);
    expectOneConfirmed(w, pid);
  });

  it('a worker killed -9 while Odoo still works on its create: the next run waits out Odoo\'s time limit, finds the draft, confirms it once', async () => {
    w = await ordersWorld({ dialect, start: Date.now() });
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    // The create is held inside Odoo (on the test's clock) while the worker that sent it is killed.
    w.odoo.knobs.faults.add({ kind: 'latency', model: 'sale.order', method: 'create', delayMs: 60_000, count: 1 });
    child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'orders.crash-worker.ts')], {
      env: { ...process.env, ORDERS_DB_URL: w.db.url, ORDERS_DB_SCHEMA: w.db.schema ?? '', ORDERS_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ORDERS_LEASE_MS: '3000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
      child!.once('exit', (code) => reject(new Error(`crash worker exited early (${code})`)));
    });
    await w.orders.enqueue(w.connectionId, pid, 'webhook');
    await eventually(async () => w!.odoo.knobs.faults.active().length === 0, 20_000, 'the create to reach Odoo');
    const sentAt = w.clock.now();
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    child = undefined;
    const [task] = (await w.ctx.tasks.list({ kind: 'orders.import', status: 'running' })).rows;
    expect(task).toBeDefined();
    // Marked before the create was sent (on the dead worker's own clock, a little ahead of the test's).
    const marked = (await w.binding(pid))!;
    expect(marked).toMatchObject({ sale_order_id: null, uncertain_step: 'create' });
    expect(marked.recheck_at).toBeGreaterThanOrEqual(sentAt + WAIT_MS);
    const recheckAt = marked.recheck_at!;

    // The dead worker's lease runs out while Odoo is still busy with the create: the next run must not create again.
    w.clock.set(task.locked_until! + 1);
    w.startWorker();
    await eventually(async () => {
      const { rows } = await w!.ctx.tasks.list({ kind: 'orders.import', status: 'pending' });
      return rows.some((t) => t.id === task.id && t.run_at >= recheckAt);
    }, 30_000, 'the next run to wait for Odoo\'s time limit');
    expect(w.saleOrders(pid)).toHaveLength(0);
    w.clock.advance(60_000); // Odoo finishes the create: committed, nobody hears the answer
    await eventually(async () => w!.saleOrders(pid).length === 1, 30_000, 'the held create to commit');
    w.clock.set(recheckAt + 1);
    await w.waitFor(pid, ['confirmed']);
    expectOneConfirmed(w, pid);
  });

  it('duplicate and reordered webhooks, and a webhook racing Order Polling: one import at a time, one sale order, newest status', async () => {
    w = await ordersWorld({ dialect });
    const pid = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    w.setStatus(pid, 'IN_PROCESS');
    // Newest first, then the older event, the same one twice, and Order Polling — all before any worker runs.
    await w.webhook(pid, 'IN_PROCESS', 'evt_2');
    await w.webhook(pid, 'PAYMENT_ACCEPTED', 'evt_1');
    await w.webhook(pid, 'PAYMENT_ACCEPTED', 'evt_1');
    await w.orders.polling.run();
    w.startWorker();
    await eventually(async () => (await w!.webhookQueue.list({ status: 'pending' })).total === 0, 30_000, 'the webhook queue to drain');
    await w.waitFor(pid, ['confirmed']);
    expectOneConfirmed(w, pid);
    expect(w.saleOrders(pid)[0].x_poleepo_status).toBe('IN_PROCESS');
    const runs = await w.ctx.tasks.list({ kind: 'orders.import' });
    expect(runs.rows.every((t) => t.status === 'done')).toBe(true);

    // A run in the middle of its create while another trigger arrives: the second waits for the first, then finds the order.
    const second = w.poleepoOrder({ customer, lines: [{ sku: 'E-COM07', quantity: 2, price: 300 }] });
    w.odoo.knobs.faults.add({ kind: 'latency', model: 'sale.order', method: 'create', delayMs: 10_000, count: 1 });
    await w.webhook(second);
    await eventually(async () => w!.odoo.knobs.faults.active().length === 0, 30_000, 'the first run to be inside its create');
    await w.orders.enqueue(w.connectionId, second, 'polling');
    await w.webhook(second, 'PAYMENT_ACCEPTED', 'evt_other');
    expect((await w.ctx.tasks.list({ kind: 'orders.import', status: 'running' })).total).toBe(1);
    w.clock.advance(10_000);
    await w.waitFor(second, ['confirmed']);
    expectOneConfirmed(w, second);
  });
});
