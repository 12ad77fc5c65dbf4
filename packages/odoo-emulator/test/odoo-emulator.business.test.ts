/**
 * Business behaviour of the emulator over real HTTP: variants from attribute lines, price extras, barcode
 * uniqueness, stock per company / warehouse / location (each version's context key), sale orders (amounts held to
 * the golden orders of recordings/odoo-taxes-golden.json, confirmation, cancellation per version, locking), and
 * `account.tax.compute_all` over RPC returning the golden answers (a sample; every case belongs to the tax engine's
 * own tests).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@poleepo-odoo/clock';
import { startOdooEmulator, type OdooEmulator } from '../src/emulator.ts';
import { json2, jsonrpc, kw, kwError } from './helpers/odoo-emulator-client.ts';

const GOLDEN = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'recordings', 'odoo-taxes-golden.json'), 'utf8')) as Record<string, GoldenVersion>;

interface GoldenVersion {
  taxes: Record<string, { amount: number; amount_type: string; price_include: boolean; children_tax_labels: string[] }>;
  compute_all: { taxes: string[]; price: number; quantity: number; rounding_method: string; result: { total_excluded: number; total_included: number; total_void: number; taxes: { tax: string; amount: number; base: number; group?: string }[] } }[];
  orders: { rounding_method: string; input_lines: { price_unit: number; quantity: number; tax: string }[]; amount_untaxed: number; amount_tax: number; amount_total: number; lines: { price_unit: number; price_subtotal: number; price_tax: number; price_total: number }[] }[];
}

let emu: OdooEmulator | null = null;
afterEach(async () => {
  await emu?.stop();
  emu = null;
});

/** Creates the golden taxes (children before groups) and returns label → id. */
async function createGoldenTaxes(odoo: OdooEmulator, version: 17 | 18 | 19): Promise<Record<string, number>> {
  const g = GOLDEN[String(version)];
  const ids: Record<string, number> = {};
  const labels = Object.keys(g.taxes).sort((a, b) => Number(g.taxes[a].amount_type === 'group') - Number(g.taxes[b].amount_type === 'group'));
  for (const label of labels) {
    const t = g.taxes[label];
    const vals: Record<string, unknown> = { name: `golden ${label}`, amount: t.amount, amount_type: t.amount_type, type_tax_use: 'sale', company_id: 1 };
    if (t.price_include) Object.assign(vals, version === 17 ? { price_include: true } : { price_include_override: 'tax_included' });
    if (t.amount_type === 'group') vals.children_tax_ids = [[6, 0, t.children_tax_labels.map((c) => ids[c])]];
    ids[label] = await kw<number>(odoo, 'account.tax', 'create', [vals]);
  }
  return ids;
}

describe('products, variants and stock', () => {
  it('generates the cartesian product of attribute lines, with price extras and value names', async () => {
    emu = await startOdooEmulator({ version: 18 });
    const size = await kw<number>(emu, 'product.attribute', 'create', [{ name: 'Size', create_variant: 'always', value_ids: [[0, 0, { name: 'S' }], [0, 0, { name: 'M' }], [0, 0, { name: 'L' }]] }]);
    const color = await kw<number>(emu, 'product.attribute', 'create', [{ name: 'Tint', create_variant: 'always', value_ids: [[0, 0, { name: 'Red' }], [0, 0, { name: 'Blue' }]] }]);
    const values = async (attr: number) => (await kw<{ id: number; name: string }[]>(emu!, 'product.attribute.value', 'search_read', [[['attribute_id', '=', attr]]], { fields: ['name'] }));
    const [s, m, l] = await values(size);
    const [red, blue] = await values(color);
    const tmpl = await kw<number>(emu, 'product.template', 'create', [{
      name: 'Poleepo Tee', list_price: 20, is_storable: true,
      attribute_line_ids: [[0, 0, { attribute_id: size, value_ids: [[6, 0, [s.id, m.id, l.id]]] }], [0, 0, { attribute_id: color, value_ids: [[6, 0, [red.id, blue.id]]] }]],
    }]);
    const variants = await kw<{ display_name: string; lst_price: number }[]>(emu, 'product.product', 'search_read', [[['product_tmpl_id', '=', tmpl]]], { fields: ['display_name', 'lst_price'], order: 'id asc' });
    expect(variants.map((v) => v.display_name)).toEqual([
      'Poleepo Tee (S, Red)', 'Poleepo Tee (S, Blue)', 'Poleepo Tee (M, Red)', 'Poleepo Tee (M, Blue)', 'Poleepo Tee (L, Red)', 'Poleepo Tee (L, Blue)',
    ]);
    expect(await kw(emu, 'product.template', 'read', [[tmpl]], { fields: ['product_variant_count'] })).toEqual([{ id: tmpl, product_variant_count: 6 }]);
    const [lPtav] = await kw<{ id: number }[]>(emu, 'product.template.attribute.value', 'search_read', [[['product_tmpl_id', '=', tmpl], ['product_attribute_value_id', '=', l.id]]], { fields: ['id'] });
    await kw(emu, 'product.template.attribute.value', 'write', [[lPtav.id], { price_extra: 2.5 }]);
    const large = await kw<{ lst_price: number; price_extra: number }[]>(emu, 'product.product', 'search_read', [[['product_tmpl_id', '=', tmpl], ['product_template_attribute_value_ids', 'in', [lPtav.id]]]], { fields: ['lst_price', 'price_extra'] });
    expect(large).toEqual([expect.objectContaining({ lst_price: 22.5, price_extra: 2.5 }), expect.objectContaining({ lst_price: 22.5, price_extra: 2.5 })]);
    // Removing a value removes its variants (unused ones are deleted).
    const [sizeLine] = await kw<{ id: number }[]>(emu, 'product.template.attribute.line', 'search_read', [[['product_tmpl_id', '=', tmpl], ['attribute_id', '=', size]]], { fields: ['id'] });
    await kw(emu, 'product.template.attribute.line', 'write', [[sizeLine.id], { value_ids: [[6, 0, [s.id, m.id]]] }]);
    expect(await kw(emu, 'product.product', 'search_count', [[['product_tmpl_id', '=', tmpl]]])).toBe(4);
  });

  it('refuses a second product with the same barcode, with the version\'s wording', async () => {
    for (const [version, join] of [[17, ', '], [18, ' and ']] as const) {
      const odoo = await startOdooEmulator({ version });
      try {
        await kw(odoo, 'product.product', 'create', [{ name: 'Barcode A', barcode: '2000000000015' }]);
        const error = await kwError(odoo, 'product.product', 'create', [{ name: 'Barcode B', barcode: '2000000000015' }]);
        expect(error.name).toBe('odoo.exceptions.ValidationError');
        expect(error.message).toBe(`Barcode(s) already assigned:\n\n- Barcode "2000000000015" already assigned to product(s): Barcode A${join}Barcode B\n\nNote: products that you don't have access to will not be shown above.`);
        expect(await kw(odoo, 'product.product', 'search_count', [[['barcode', '=', '2000000000015']]])).toBe(1);
      } finally {
        await odoo.stop();
      }
    }
  });

  it('17: stock per company, the `warehouse` context key, and the record rule on a warehouse of another company', async () => {
    emu = await startOdooEmulator({ version: 17 });
    const qty = async (context: Record<string, unknown>) => (await kw<{ qty_available: number; free_qty: number; outgoing_qty: number }[]>(emu!, 'product.product', 'read', [[17]], { fields: ['qty_available', 'free_qty', 'outgoing_qty'], context }))[0];
    expect(await qty({})).toMatchObject({ qty_available: 700, free_qty: 447, outgoing_qty: 413 });
    expect(await qty({ allowed_company_ids: [1] })).toMatchObject({ qty_available: 500, free_qty: 347 });
    expect(await qty({ allowed_company_ids: [2] })).toMatchObject({ qty_available: 200, free_qty: 100 });
    expect(await qty({ warehouse: 2, allowed_company_ids: [1, 2] })).toMatchObject({ qty_available: 200 });
    expect(await qty({ warehouse_id: 2, allowed_company_ids: [1, 2] })).toMatchObject({ qty_available: 700 });
    const refused = await kwError(emu, 'product.product', 'read', [[17]], { fields: ['qty_available'], context: { warehouse: 2, allowed_company_ids: [1] } });
    expect(refused.name).toBe('odoo.exceptions.AccessError');
    expect(refused.context).toEqual({});
  });

  it('18: `warehouse_id` and `location` contexts; the multi-company refusal suggests the company', async () => {
    emu = await startOdooEmulator({ version: 18 });
    const qty = async (context: Record<string, unknown>) => (await kw<{ qty_available: number }[]>(emu!, 'product.product', 'read', [[14]], { fields: ['qty_available'], context }))[0].qty_available;
    expect(await qty({ warehouse_id: 1 })).toBe(55);
    expect(await qty({ warehouse_id: 2, allowed_company_ids: [1, 2] })).toBe(0);
    expect(await qty({ location: 8 })).toBe(55);
    const refused = await kwError(emu, 'product.product', 'read', [[14]], { fields: ['qty_available'], context: { warehouse_id: 2, allowed_company_ids: [1] } });
    expect(refused.context).toEqual({ suggested_company: { id: 2, display_name: 'My Company (Chicago)' } });
    expect(refused.message).toContain('switching to the company: My Company (Chicago).');
  });

  it('builds a generated catalog: templates, variants with unique SKUs, stock per company', async () => {
    emu = await startOdooEmulator({ version: 18, seed: 'empty' });
    const result = emu.generateCatalog({ templates: 2_000, variants: 10_000 });
    expect(emu.inspect().records['product.template']).toBe(2_000);
    expect(emu.inspect().records['product.product']).toBe(10_000);
    const sample = await kw<{ default_code: string; qty_available: number }[]>(emu, 'product.product', 'search_read', [[]], { fields: ['default_code', 'qty_available'], limit: 0 });
    expect(new Set(sample.map((r) => r.default_code)).size).toBe(10_000);
    expect(sample.filter((r) => r.qty_available > 0).length).toBeGreaterThan(8_000);
    const twenty = await kw<{ product_variant_count: number }[]>(emu, 'product.template', 'search_read', [[['product_variant_count', '=', 20]]], { fields: ['product_variant_count'] });
    expect(twenty.length).toBeGreaterThan(0);
    expect(result.variantIds[1] - result.variantIds[0] + 1).toBe(10_000);
  });
});

describe('sale orders', () => {
  for (const version of [17, 18, 19] as const) {
    it(`${version}: amounts of the golden orders, per line and globally rounded`, async () => {
      emu = await startOdooEmulator({ version });
      const taxes = await createGoldenTaxes(emu, version);
      const service = await kw<number>(emu, 'product.product', 'create', [{ name: 'Golden service', type: 'service', taxes_id: [[6, 0, []]] }]);
      const taxField = version === 19 ? 'tax_ids' : 'tax_id';
      for (const order of GOLDEN[String(version)].orders) {
        await kw(emu, 'res.company', 'write', [[1], { tax_calculation_rounding_method: order.rounding_method }]);
        const id = await kw<number>(emu, 'sale.order', 'create', [{
          partner_id: 9,
          order_line: order.input_lines.map((l) => [0, 0, { product_id: service, price_unit: l.price_unit, product_uom_qty: l.quantity, [taxField]: [[6, 0, [taxes[l.tax]]]] }]),
        }]);
        const [read] = await kw<Record<string, unknown>[]>(emu, 'sale.order', 'read', [[id]], { fields: ['amount_untaxed', 'amount_tax', 'amount_total', 'order_line'] });
        expect([read.amount_untaxed, read.amount_tax, read.amount_total]).toEqual([order.amount_untaxed, order.amount_tax, order.amount_total]);
        const lines = await kw<Record<string, number>[]>(emu, 'sale.order.line', 'read', [read.order_line], { fields: ['price_unit', 'price_subtotal', 'price_tax', 'price_total'] });
        expect(lines.map(({ price_unit, price_subtotal, price_tax, price_total }) => ({ price_unit, price_subtotal, price_tax, price_total }))).toEqual(order.lines.map(({ price_unit, price_subtotal, price_tax, price_total }) => ({ price_unit, price_subtotal, price_tax, price_total })));
      }
    });
  }

  it('18: confirmation overwrites date_order, reserves stock in a delivery; the cancel wizard; lock answers without result', async () => {
    const clock = new ManualClock('2026-12-24T08:00:00Z');
    emu = await startOdooEmulator({ version: 18, clock });
    const before = (await kw<{ free_qty: number }[]>(emu, 'product.product', 'read', [[14]], { fields: ['free_qty'] }))[0].free_qty;
    const order = await kw<number>(emu, 'sale.order', 'create', [{ partner_id: 9, client_order_ref: 'AMZ-1', date_order: '2026-12-20 10:00:00', order_line: [[0, 0, { product_id: 14, product_uom_qty: 3 }]] }]);
    clock.advance(90_000);
    expect(await kw(emu, 'sale.order', 'action_confirm', [[order]])).toBe(true);
    const [confirmed] = await kw<Record<string, unknown>[]>(emu, 'sale.order', 'read', [[order]], { fields: ['state', 'date_order', 'picking_ids', 'delivery_status', 'name'] });
    expect(confirmed).toMatchObject({ state: 'sale', date_order: '2026-12-24 08:01:30', delivery_status: 'pending' });
    const [picking] = await kw<Record<string, unknown>[]>(emu, 'stock.picking', 'read', [confirmed.picking_ids], { fields: ['name', 'state', 'origin', 'partner_id'] });
    expect(picking).toMatchObject({ name: 'WH/OUT/00015', state: 'assigned', origin: `${confirmed.name} - AMZ-1` });
    expect((await kw<{ free_qty: number }[]>(emu, 'product.product', 'read', [[14]], { fields: ['free_qty'] }))[0].free_qty).toBe(before - 3);
    expect((await kwError(emu, 'sale.order', 'action_confirm', [[order]])).message).toBe('Some orders are not in a state requiring confirmation.');
    expect((await kwError(emu, 'sale.order', 'unlink', [[order]])).message).toBe('You can not delete a sent quotation or a confirmed sales order. You must first cancel it.');
    const lock = await jsonrpc(emu, 'object', 'execute_kw', [emu.db, 2, emu.apiKey, 'sale.order', 'action_lock', [[order]]], 7);
    expect(lock.text).toBe('{"jsonrpc": "2.0", "id": 7}');
    const wizard = await kw<Record<string, unknown>>(emu, 'sale.order', 'action_cancel', [[order]]);
    expect(wizard).toMatchObject({ res_model: 'sale.order.cancel', type: 'ir.actions.act_window' });
    expect(await kw(emu, 'sale.order', 'action_cancel', [[order]], { context: { disable_cancel_warning: true } })).toBe(true);
    expect(await kw(emu, 'stock.picking', 'read', [confirmed.picking_ids], { fields: ['state'] })).toEqual([{ id: (confirmed.picking_ids as number[])[0], state: 'cancel' }]);
    expect((await kw<{ free_qty: number }[]>(emu, 'product.product', 'read', [[14]], { fields: ['free_qty'] }))[0].free_qty).toBe(before);
    expect(await kw(emu, 'sale.order', 'action_draft', [[order]])).toBe(true);
    expect(await kw(emu, 'sale.order', 'read', [[order]], { fields: ['state'] })).toEqual([{ id: order, state: 'draft' }]);
  });

  it('19: action_cancel cancels at once; action_lock answers null over JSON-2; confirming twice is 422', async () => {
    emu = await startOdooEmulator({ version: 19 });
    const created = await json2(emu, 'sale.order', 'create', { vals_list: [{ partner_id: 8, order_line: [[0, 0, { product_id: 20, product_uom_qty: 1 }]] }] });
    const [order] = created.body as number[];
    expect((await json2(emu, 'sale.order', 'action_confirm', { ids: [order] })).body).toBe(true);
    expect(await json2(emu, 'sale.order', 'action_confirm', { ids: [order] })).toMatchObject({ status: 422, body: { name: 'odoo.exceptions.UserError' } });
    expect(await json2(emu, 'sale.order', 'action_lock', { ids: [order] })).toMatchObject({ status: 200, body: null });
    expect((await json2(emu, 'sale.order', 'action_cancel', { ids: [order] })).body).toBe(true);
    expect((await json2(emu, 'sale.order', 'read', { ids: [order], fields: ['state'] })).body).toEqual([{ id: order, state: 'cancel' }]);
    expect(await json2(emu, 'sale.order', 'action_confirm', { ids: [999999] })).toMatchObject({ status: 404, body: { name: 'odoo.exceptions.MissingError' } });
  });
});

describe('account.tax compute_all over RPC', () => {
  for (const version of [17, 18, 19] as const) {
    it(`${version}: answers the golden rows (a sample) in the version's shape`, async () => {
      emu = await startOdooEmulator({ version });
      const taxes = await createGoldenTaxes(emu, version);
      const label = Object.fromEntries(Object.entries(taxes).map(([k, v]) => [v, k]));
      const cases = GOLDEN[String(version)].compute_all.filter((_, i) => i % 23 === 0);
      expect(cases.length).toBeGreaterThan(30);
      let method = '';
      for (const c of cases) {
        if (c.rounding_method !== method) {
          await kw(emu, 'res.company', 'write', [[1], { tax_calculation_rounding_method: c.rounding_method }]);
          method = c.rounding_method;
        }
        const answer = await kw<{ base_tags: unknown[]; taxes: Record<string, unknown>[]; total_excluded: number; total_included: number; total_void: number }>(emu, 'account.tax', 'compute_all', [c.taxes.map((t) => taxes[t]), c.price], { quantity: c.quantity });
        expect(Object.keys(answer)).toEqual(['base_tags', 'taxes', 'total_excluded', 'total_included', 'total_void']);
        expect({ total_excluded: answer.total_excluded, total_included: answer.total_included, total_void: answer.total_void }).toEqual({ total_excluded: c.result.total_excluded, total_included: c.result.total_included, total_void: c.result.total_void });
        expect(answer.taxes.map((t) => ({ tax: label[t.id as number], amount: t.amount, base: t.base }))).toEqual(c.result.taxes.map((t) => ({ tax: t.tax, amount: t.amount, base: t.base })));
        for (const [i, t] of answer.taxes.entries()) {
          const group = c.result.taxes[i].group;
          expect(t.group).toBe(group ? `account.tax(${taxes[group]},)` : version === 17 ? null : 'account.tax()');
          expect('is_reverse_charge' in t).toBe(version !== 17);
        }
      }
    });
  }
});
