import { createHmac } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { control } from './fixtures/poleepo-kit.ts';
import { tail } from './helpers/scale-processes.ts';
import { processWorld, type ProcessWorld } from './helpers/process-world.ts';

/**
 * DESIGN §6 reliability bar: `kill -9` during a stream of 2,000 order webhooks, 20 % of them duplicates → after the
 * restart, exactly one confirmed sale order per Poleepo order, and every webhook that was acknowledged is stored.
 * The connector is a real `poleepo-odoo start` process on SQLite (the default deployment); the test plays Poleepo's
 * webhook sender — signed deliveries, several at once, each retried until acknowledged (as Poleepo retries) — against
 * the Poleepo sandbox (the orders to re-read) and the Odoo emulator (where the sale orders land).
 * Bounded: 2,000 deliveries, the whole run under ~2.5 minutes (a lease of the killed process expires after 30 s).
 */
const ORDERS = 1_600;
const DUPLICATES = 400;
const KILL_AFTER_ACKS = 500;
const SENDERS = 8;
const SKUS = ['E-COM07', 'E-COM08', 'FURN_0098'];

let world: ProcessWorld | undefined;
afterAll(async () => world?.close());

interface Delivery {
  orderId: number;
  body: string;
  signature: string;
}

describe('kill -9 during a stream of order webhooks (SQLite, one process)', () => {
  it('ends with exactly one confirmed sale order per Poleepo order and every acknowledged webhook stored', { timeout: 600_000 }, async () => {
    // Odoo's request time limit, which an import waits out before looking again after an unanswered create.
    world = await processWorld({ settings: { orders: { odooRequestTimeLimitMs: 1_000 } } });
    const { sandbox, odoo, webhook } = world;
    const secret = webhook.secret;
    const hookPath = webhook.path;

    // The orders on Poleepo (no subscription in the sandbox: the test delivers the webhooks itself).
    const deliveries: Delivery[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const lines = [{ sku: SKUS[i % SKUS.length], quantity: 1 + (i % 3), price: 10 + (i % 50) }];
      const { body: order } = await control<{ id: number }>(sandbox, 'POST', '/__sandbox/orders', { channel: 'Amazon', lines });
      const body = JSON.stringify({ event: 'STATUS_ORDER', event_id: `evt_${order.id}`, timestamp: '2026-11-27T10:00:00Z', data: { order_id: order.id, status: 'PAYMENT_ACCEPTED' } });
      deliveries.push({ orderId: order.id, body, signature: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` });
    }
    // 20 % of the stream are second deliveries of the same notification, spread through it.
    const stream = [...deliveries];
    for (let i = 0; i < DUPLICATES; i++) stream.splice(Math.min(stream.length, (i * 5) + 3), 0, deliveries[i]);
    expect(stream).toHaveLength(ORDERS + DUPLICATES);

    let connector = await world.start('start#1');
    let base = connector.url!;
    const acked: Delivery[] = [];
    let refusedWhileDown = 0;
    let restarted: Promise<void> | null = null;
    const deadline = Date.now() + 120_000;
    const send = async (d: Delivery): Promise<void> => {
      while (Date.now() < deadline) {
        try {
          const res = await fetch(`${base}${hookPath}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-poleepo-signature': d.signature }, body: d.body, signal: AbortSignal.timeout(5_000) });
          await res.arrayBuffer();
          if (res.status === 200) {
            acked.push(d);
            if (acked.length === KILL_AFTER_ACKS && !restarted) restarted = killAndRestart();
            return;
          }
          throw new Error(`HTTP ${res.status}`);
        } catch {
          // Connection refused or reset while the connector is down: Poleepo retries the delivery later.
          refusedWhileDown++;
          if (restarted) await restarted;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error(`delivery of order ${d.orderId} never acknowledged`);
    };
    const killAndRestart = async () => {
      connector.child.kill('SIGKILL');
      expect(await connector.exited).toBeNull(); // killed by the signal, no graceful anything
      connector = await world!.start('start#2');
      base = connector.url!;
    };
    let next = 0;
    await Promise.all(Array.from({ length: SENDERS }, async () => {
      while (next < stream.length) await send(stream[next++]);
    }));
    await restarted;
    expect(acked).toHaveLength(ORDERS + DUPLICATES);
    expect(refusedWhileDown).toBeGreaterThan(0); // the kill really happened mid-stream

    // Wait (bounded) until every order is imported: read the connector's database beside it (WAL: readers welcome).
    const db = new BetterSqlite3(world.dbPath, { readonly: true, fileMustExist: true });
    try {
      const confirmed = () => (db.prepare("select count(*) as n from order_bindings where state = 'confirmed'").get() as { n: number }).n;
      // No throughput deadline (a loaded machine is slower, not wrong): wait while imports progress, and fail only
      // when nothing moves for a minute.
      let last = -1;
      let lastMoved = Date.now();
      while (confirmed() < ORDERS && Date.now() - lastMoved < 60_000) {
        const now = confirmed();
        if (now !== last) {
          last = now;
          lastMoved = Date.now();
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(confirmed(), tail(connector.output())).toBe(ORDERS);

      // Every acknowledged delivery is in the webhook queue (a duplicate is the same stored message).
      const stored = new Set((db.prepare("select event_id from webhook_messages where event = 'STATUS_ORDER'").all() as { event_id: string }[]).map((r) => r.event_id));
      const lost = acked.filter((d) => !stored.has(`evt_${d.orderId}`));
      expect(lost).toEqual([]);
      expect(stored.size).toBe(ORDERS);
      const failed = db.prepare("select count(*) as n from webhook_messages where status = 'failed'").get() as { n: number };
      expect(failed.n).toBe(0);
    } finally {
      db.close();
    }

    // Odoo: exactly one sale order per Poleepo order, every one confirmed.
    const saleOrders = odoo.call('sale.order', 'search_read', [[['x_poleepo_order_id', '!=', false]]], { fields: ['x_poleepo_order_id', 'state'] }) as { x_poleepo_order_id: string; state: string }[];
    const perOrder = new Map<string, number>();
    for (const so of saleOrders) perOrder.set(so.x_poleepo_order_id, (perOrder.get(so.x_poleepo_order_id) ?? 0) + 1);
    expect([...perOrder.values()].filter((n) => n !== 1)).toEqual([]);
    expect(perOrder.size).toBe(ORDERS);
    expect(saleOrders.every((so) => so.state === 'sale')).toBe(true);
    expect(new Set(deliveries.map((d) => String(d.orderId)))).toEqual(new Set(perOrder.keys()));
  });
});
