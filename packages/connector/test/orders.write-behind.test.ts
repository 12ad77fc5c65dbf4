import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { dialects } from './helpers/db.ts';
import { ordersWorld, type OrdersWorld } from './orders.fixture.ts';
import { eventually } from './helpers/wait.ts';

/**
 * The importer writes its bookkeeping behind (each write queued in order, overlapping the next Odoo or Poleepo call),
 * and drains the queue before anything it may create in Odoo and before the mark it must hold before the create. A
 * bookkeeping write that fails must therefore stop the run there: no customer and no sale order are created for a
 * binding the database refused, and once the database takes the writes again the order is imported exactly once.
 */
const customer = { company: null, vat_number: null, sdi_code: null, pec: null, fiscal_code: null, firstname: 'Anna', lastname: 'Neri', email: 'anna.neri@example.it', address: 'Via Po 2', postcode: '10123', city: 'Torino', state_iso: 'TO', country_iso: 'IT' };

let w: OrdersWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe.each(dialects)('order bookkeeping written behind on %s', (dialect) => {
  it('creates nothing in Odoo when a binding write written behind fails, and imports once after', { timeout: 60_000 }, async () => {
    w = await ordersWorld({ dialect });
    // The first write of a run (the order's facts from Poleepo) is refused by the database.
    if (dialect === 'sqlite') {
      await sql.raw(`CREATE TRIGGER refuse_facts BEFORE UPDATE OF reference ON order_bindings WHEN NEW.reference IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'storage fault (test)'); END`).execute(w.db.kysely);
    } else {
      await sql.raw(`CREATE FUNCTION refuse_facts() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.reference IS NOT NULL THEN RAISE EXCEPTION 'storage fault (test)'; END IF; RETURN NEW; END $$`).execute(w.db.kysely);
      await sql.raw('CREATE TRIGGER refuse_facts BEFORE UPDATE OF reference ON order_bindings FOR EACH ROW EXECUTE FUNCTION refuse_facts()').execute(w.db.kysely);
    }
    const pid = w.poleepoOrder({ channel: 'EBAY', customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] });
    const { id: taskId } = await w.orders.enqueue(w.connectionId, pid, 'manual');
    w.startWorker();
    const failed = await eventually(async () => {
      const task = await w!.ctx.tasks.get(taskId);
      return task && task.attempts >= 1 && task.status !== 'running' && task.last_error ? task : null;
    }, 30_000, 'the first run to fail');
    expect(failed.last_error).toContain('storage fault (test)');
    expect(w.saleOrders(pid)).toEqual([]);
    expect(w.odoo.call('res.partner', 'search_count', [[['email', '=', customer.email]]])).toBe(0);
    expect((await w.binding(pid))?.state).toBe('pending');

    // The database takes writes again; the retry comes after its backoff.
    await sql.raw('DROP TRIGGER refuse_facts' + (dialect === 'postgres' ? ' ON order_bindings' : '')).execute(w.db.kysely);
    w.clock.advance(3_600_000);
    const confirmed = await w.waitFor(pid, ['confirmed']);
    expect(confirmed.reference).not.toBeNull();
    expect(w.saleOrders(pid)).toHaveLength(1);
  });
});
