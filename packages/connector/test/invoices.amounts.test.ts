/**
 * Invoices of orders that are complete to the cent (issue 14, items 3 and 6), on the Odoo emulator (17, 18, 19) and
 * the Poleepo sandbox through the real clients and worker: an order with a line promotion, a voucher, shipping and cash
 * on delivery, and an order in a second currency, each imported, delivered, invoiced by the connector and sent — the
 * invoice's total in Odoo and the amounts sent to Poleepo are Poleepo's order total, to the cent, in its currency.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invoicesWorld, type InvoicesWorld } from './invoices.fixture.ts';

let w: InvoicesWorld | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

const BUYER = { company: null, vat_number: null, sdi_code: null, pec: null, fiscal_code: null, firstname: 'Anna', lastname: 'Neri', email: 'anna.neri@example.it', address: 'Via Po 1', postcode: '10124', city: 'Torino', state_iso: 'TO', country_iso: 'IT' };

function poleepoTotal(world: InvoicesWorld, pid: string): number {
  const o = world.sandbox.state.orders.order(pid);
  const lines = o.lines.reduce((s, l) => s + l.price * l.quantity - l.discount, 0);
  return Math.round((lines + o.shipping_cost - o.vouchers.reduce((s, v) => s + v.amount, 0)) * 100) / 100;
}

/** What the connector POSTed to Poleepo's documents endpoint for the order (the sandbox keeps the file, not the amounts). */
async function uploaded(world: InvoicesWorld, pid: string): Promise<{ amount_total: number; amount_untaxed: number; amount_tax: number; currency: string }> {
  await world.ctx.apiLog.flush();
  const rows = await world.db.kysely.selectFrom('api_log').select(['request_body', 'path']).where('system', '=', 'poleepo').where('method', '=', 'POST').orderBy('id').execute();
  const body = String(rows.find((r) => (r.path ?? '').endsWith(`/orders/${pid}/documents`))?.request_body);
  // The log keeps the first KB of a body (the file cut short): the amounts come after it, so they are read by name.
  const field = (name: string) => new RegExp(`"${name}":(-?[\\d.]+|"[^"]*")`).exec(body)?.[1];
  const parse = (name: string) => JSON.parse(field(name) ?? 'null') as unknown;
  return { amount_total: Number(parse('amount_total')), amount_untaxed: Number(parse('amount_untaxed')), amount_tax: Number(parse('amount_tax')), currency: String(parse('currency')) };
}

describe.each([17, 18, 19] as const)('invoice amounts on Odoo %i', (version) => {
  // As in orders.amounts.test.ts: 19 rounds taxes globally and the emulator keeps per-line bases, so 19's amounts have
  // bases in whole cents at 22 %.
  const a = version === 19
    ? { price: 24.4, discount: 4.88, other: 18.3, shipping: 6.1, voucher: 6.1 }
    : { price: 24.4, discount: 4.88, other: 19.99, shipping: 6.9, voucher: 10 };

  it('a promotion, a voucher, shipping and cash on delivery; and an order in GBP: the invoice is Poleepo\'s total to the cent, in the order\'s currency', async () => {
    w = await invoicesWorld({ dialect: 'sqlite', version, policy: 'manual' });
    w.startWorker();
    const [gbp] = w.odoo.call('res.currency', 'search', [[['name', '=', 'GBP']]], { context: { active_test: false } }) as number[];
    w.odoo.call('res.currency', 'write', [[gbp], { active: true }]);
    w.odoo.call('product.pricelist', 'create', [{ name: 'Amazon UK (GBP)', currency_id: gbp, company_id: 1 }]);

    const orders = [
      w.poleepoOrder({
        customer: BUYER, channel: 'SHOPIFY', payment_method: 'CASH_ON_DELIVERY', shipping_cost: a.shipping,
        lines: [{ sku: 'E-COM07', quantity: 2, price: a.price, discount: a.discount }, { sku: 'FURN_0098', quantity: 1, price: a.other }],
        vouchers: [{ code: 'SCONTO10', name: 'Codice sconto', amount: a.voucher }],
      }),
      w.poleepoOrder({ customer: BUYER, channel: 'AMAZON', currency: 'GBP', shipping_cost: 4.27, lines: [{ sku: 'E-COM07', quantity: 2, price: 20.74, discount: 2.07 }], vouchers: [{ code: 'UK5', amount: 4.27 }] }),
    ];
    for (const [pid, currency] of [[orders[0]!, 'EUR'], [orders[1]!, 'GBP']] as const) {
      await w.orders.enqueue(w.connectionId, pid, 'manual');
      const binding = await w.waitFor(pid, ['confirmed']);
      await w.validateDelivery(binding.sale_order_id!);
      await w.invoices.send(w.connectionId, pid, 'test');
      await w.settled(pid);
      const total = poleepoTotal(w, pid);
      const [row] = await w.rows(pid);
      expect(row).toMatchObject({ kind: 'INVOICE', step: 'sent', currency, amount_total: total });
      const moves = w.moves(binding.sale_order_id!);
      expect(moves).toEqual([expect.objectContaining({ id: row!.move_id, state: 'posted', amount_total: total })]);
      const sent = await uploaded(w, pid);
      expect(sent).toMatchObject({ amount_total: total, currency });
      expect(Math.round(sent.amount_untaxed * 100) + Math.round(sent.amount_tax * 100)).toBe(Math.round(total * 100));
      expect(w.poleepoDocuments(pid)).toEqual([expect.objectContaining({ type: 'INVOICE', number: row!.move_name })]);
    }
  });
});
