/**
 * product.pricelist, the currencies beside USD and EUR, a sale order in its pricelist's currency, and Odoo 18/19's
 * global rounding that keeps a price-included total exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@poleepo-odoo/clock';
import { startOdooEmulator, type OdooEmulator } from '../src/emulator.ts';

let odoo: OdooEmulator | undefined;
afterEach(async () => {
  await odoo?.stop();
  odoo = undefined;
});
async function start(version: 17 | 18 | 19): Promise<OdooEmulator> {
  odoo = await startOdooEmulator({ version, clock: new ManualClock('2026-11-27T10:00:00Z') });
  return odoo;
}

type Row = Record<string, unknown>;

describe.each([17, 18, 19] as const)('pricelists and currencies on Odoo %s', (version) => {
  it('GBP and CHF are there inactive, activatable; a pricelist in GBP is creatable, searchable and gives an order its currency', async () => {
    const odoo = await start(version);
    expect(odoo.call('product.pricelist', 'search', [[]])).toEqual([]);
    expect(odoo.call('res.currency', 'search', [[['name', '=', 'GBP']]])).toEqual([]);
    const [gbp] = odoo.call('res.currency', 'search', [[['name', '=', 'GBP']]], { context: { active_test: false } }) as number[];
    const [chf] = odoo.call('res.currency', 'search_read', [[['name', '=', 'CHF']]], { fields: ['active', 'rounding'], context: { active_test: false } }) as Row[];
    expect(chf).toMatchObject({ active: false, rounding: 0.01 });
    odoo.call('res.currency', 'write', [[gbp], { active: true }]);
    expect(odoo.call('res.currency', 'search', [[['name', '=', 'GBP']]])).toEqual([gbp]);

    const pricelist = odoo.call('product.pricelist', 'create', [{ name: 'Amazon UK', currency_id: gbp, company_id: 1 }]) as number;
    const [read] = odoo.call('product.pricelist', 'read', [[pricelist], ['name', 'currency_id', 'company_id', 'active', 'sequence', 'display_name', 'item_ids']]) as Row[];
    expect(read).toMatchObject({ name: 'Amazon UK', currency_id: [gbp, 'GBP'], company_id: [1, expect.any(String)], active: true, display_name: 'Amazon UK (GBP)', item_ids: [] });
    expect(odoo.call('product.pricelist', 'search', [[['currency_id', '=', gbp], ['company_id', 'in', [1, false]]]])).toEqual([pricelist]);

    const order = odoo.call('sale.order', 'create', [{ partner_id: 1, pricelist_id: pricelist, order_line: [[0, 0, { product_id: 20, price_unit: 20.74, product_uom_qty: 2, [version === 19 ? 'tax_ids' : 'tax_id']: [] }]] }]) as number;
    const [so] = odoo.call('sale.order', 'read', [[order], ['pricelist_id', 'currency_id', 'amount_total']]) as Row[];
    expect(so).toMatchObject({ pricelist_id: [pricelist, 'Amazon UK (GBP)'], currency_id: [gbp, 'GBP'], amount_total: 41.48 });
    const [line] = odoo.call('sale.order.line', 'search_read', [[['order_id', '=', order]]], { fields: ['currency_id'] }) as Row[];
    expect(line!.currency_id).toEqual([gbp, 'GBP']);
    // Without a pricelist, the company's currency.
    const plain = odoo.call('sale.order', 'create', [{ partner_id: 1 }]) as number;
    expect((odoo.call('sale.order', 'read', [[plain], ['currency_id', 'pricelist_id']]) as Row[])[0]).toMatchObject({ currency_id: [1, 'USD'], pricelist_id: false });
  });

  it(`a 22 % price-included order of 48.80, −4.88, 19.99, 6.90, −10.00: ${version === 17 ? 'rounded per line' : 'exact when rounding globally'}`, async () => {
    const odoo = await start(version);
    const included = version === 17 ? { price_include: true } : { price_include_override: 'tax_included' };
    const tax = odoo.call('account.tax', 'create', [{ name: 'IVA 22% incl.', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, ...included }]) as number;
    odoo.call('res.company', 'write', [[1], { tax_calculation_rounding_method: 'round_globally' }]);
    const taxField = version === 19 ? 'tax_ids' : 'tax_id';
    const lines = [48.8, -4.88, 19.99, 6.9, -10].map((price) => [0, 0, { product_id: 20, price_unit: price, product_uom_qty: 1, [taxField]: [[6, 0, [tax]]] }]);
    const order = odoo.call('sale.order', 'create', [{ partner_id: 1, order_line: lines }]) as number;
    const [so] = odoo.call('sale.order', 'read', [[order], ['amount_untaxed', 'amount_tax', 'amount_total']]) as Row[];
    // 18/19 (`_round_tax_details_base_lines`): tax 10.97 (its rounded raw sum), untaxed 49.84 so that the total is
    // 60.81, what the customer paid. 17 adds the rounded line subtotals (49.85) to the globally rounded tax.
    expect(so).toEqual(version === 17
      ? { id: order, amount_untaxed: 49.85, amount_tax: 10.97, amount_total: 60.82 }
      : { id: order, amount_untaxed: 49.84, amount_tax: 10.97, amount_total: 60.81 });
    // Per line, the same as ever.
    odoo.call('res.company', 'write', [[1], { tax_calculation_rounding_method: 'round_per_line' }]);
    expect((odoo.call('sale.order', 'read', [[order], ['amount_total']]) as Row[])[0]!.amount_total).toBe(60.81);
  });
});
