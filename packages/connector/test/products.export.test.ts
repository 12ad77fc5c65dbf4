import { afterEach, describe, expect, it } from 'vitest';
import { NotConfiguredError } from '../src/shared/errors.ts';
import { productsKit, type KitOptions, type ProductsKit } from './fixtures/products-kit.ts';

/**
 * The product export end to end, on the Odoo emulator (17, 18, 19) and the Poleepo sandbox: what arrives on Poleepo is
 * compared with what Odoo itself answers (lst_price, qty_available, display_name, compute_all), not with our mapper.
 */

let kit: ProductsKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function open(options: KitOptions): Promise<ProductsKit> {
  kit = await productsKit(options);
  return kit;
}

/** Sync, let the sandbox process the batches, poll their results. */
async function syncAndSettle(k: ProductsKit, options: { full?: boolean } = {}) {
  const sync = await k.services.products.sync(k.connectionId, options);
  k.processBatches();
  const poll = await k.services.products.poll(k.connectionId);
  return { sync, poll };
}

function odooView(k: ProductsKit, ids: number[], companyId = 1) {
  return k.call<Record<string, unknown>[]>('product.product', 'read', [ids, ['display_name', 'default_code', 'lst_price', 'qty_available', 'product_template_attribute_value_ids', 'x_poleepo_ref', 'x_poleepo_needs_update', 'x_poleepo_last_error']], { context: { allowed_company_ids: [companyId] } });
}

function odooGross(k: ProductsKit, taxIds: number[], price: number): number {
  return (k.call<{ total_included: number }>('account.tax', 'compute_all', [taxIds, price], { quantity: 1 })).total_included;
}

describe.each([17, 18, 19] as const)('product export on Odoo %s', (version) => {
  it('sends a published family (parent first) and a single product exactly as Odoo shows them; the Poleepo ids come back to Odoo', async () => {
    const k = await open({ version });
    const desk = k.variantsOf('Customizable Desk');
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.publish([...desk, cabinet]);
    const { sync, poll } = await syncAndSettle(k);
    expect(sync.detect).toMatchObject({ mode: 'full', variantsRead: 6, problemCount: 0 });
    expect(sync.detect.decisions.queued).toBe(6);
    expect(sync.detect.parents.queued).toBe(1);
    expect(sync.batches).toMatchObject({ batches: 1, items: 7, held: 0 });
    expect(poll).toMatchObject({ polled: 1, completed: 1, items: { completed: 7, error: 0 } });

    const parent = k.poleepoBySku('9')!;
    expect(parent).toMatchObject({ title: 'Customizable Desk', type: 'PARENT', price: 750 });
    const deskTemplate = k.call<Record<string, unknown>[]>('product.template', 'read', [[k.templateId('Customizable Desk')], ['taxes_id', 'categ_id']])[0];
    const taxIds = deskTemplate.taxes_id as number[];
    for (const odoo of odooView(k, [...desk, cabinet])) {
      const p = k.poleepoBySku(odoo.default_code as string)!;
      expect(p, String(odoo.default_code)).toBeDefined();
      const single = odoo.id === cabinet;
      const code = odoo.default_code as string;
      expect(p.title).toBe((odoo.display_name as string).replace(`[${code}] `, ''));
      expect(p.parent_sku ?? null).toBe(single ? null : '9');
      expect(p.type).toBe(single ? 'SIMPLE' : 'VARIANT');
      expect(p.price).toBe(odoo.lst_price);
      expect(p.quantity).toBe(Math.max(0, Math.floor(odoo.qty_available as number)));
      const gross = taxIds.length ? odooGross(k, taxIds, odoo.lst_price as number) : odoo.lst_price;
      if (!single) expect(p.price_with_tax).toBe(gross);
      expect(p.vat_rate).toBe(version === 17 ? 15 : 0);
      const ptavs = k.call<{ name: string; attribute_id: [number, string] }[]>('product.template.attribute.value', 'read', [odoo.product_template_attribute_value_ids, ['name', 'attribute_id']]);
      expect(p.attributes).toEqual(ptavs.map((v) => ({ name: v.attribute_id[1], value: v.name })));
      // Written back: the binding and Odoo's x_poleepo_ref; nothing is waiting any more.
      expect(odoo.x_poleepo_ref).toBe(String(p.id));
      expect(odoo.x_poleepo_needs_update).toBe(false);
    }
    // A variant with a price extra is sent at its own price, not the template's.
    const prices = odooView(k, desk).map((o) => o.lst_price);
    if (new Set(prices).size > 1) expect(prices).toContain(800.4);
    const batch = (await k.services.products.batches.list({ connectionId: k.connectionId }, { limit: 5, offset: 0 })).rows[0];
    const items = await k.services.products.batches.items(batch.id);
    expect(items[0]).toMatchObject({ kind: 'parent', sku: '9', operation: 'create', status: 'completed' });
    expect(items.slice(1).every((i) => i.status === 'completed' && i.operation === 'create')).toBe(true);

    // Nothing changed: nothing is sent again.
    const again = await k.services.products.sync(k.connectionId);
    expect(again.batches).toMatchObject({ batches: 0, items: 0 });
    expect(again.detect.decisions.queued).toBe(0);
    const full = await k.services.products.sync(k.connectionId, { full: true });
    expect(full.detect.decisions).toMatchObject({ queued: 0, unchanged: 6 });
    expect(full.batches).toMatchObject({ batches: 0 });
    expect(k.poleepoProducts()).toHaveLength(7);
  });

  it('a price-included tax: the price sent is the gross price and equals price_with_tax', async () => {
    const k = await open({ version });
    const includedFlag = version === 17 ? { price_include: true } : { price_include_override: 'tax_included' };
    const tax = k.call<number>('account.tax', 'create', [{ name: 'IVA 22% incl', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, ...includedFlag }]);
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { taxes_id: [[6, 0, [tax]]], list_price: 122 }]);
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.publish([cabinet]);
    await syncAndSettle(k);
    const code = odooView(k, [cabinet])[0].default_code as string;
    expect(k.poleepoBySku(code)).toMatchObject({ price: 122, price_with_tax: 122, vat_rate: 22 });
    expect(odooGross(k, [tax], 122)).toBe(122);
  });

  it('a tax set whose price Odoo computes differently is reported and not sent', async () => {
    const k = await open({ version });
    // A currency rounding of 0.05 (as CHF): the connector's engine uses it; Odoo's answer decides.
    const [company] = k.call<{ currency_id: [number, string] }[]>('res.company', 'read', [[1], ['currency_id']]);
    k.call('res.currency', 'write', [[company.currency_id[0]], { rounding: 0.05 }]);
    const tax = k.call<number>('account.tax', 'create', [{ name: 'IVA 22%', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1 }]);
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { taxes_id: [[6, 0, [tax]]], list_price: 9.99 }]);
    const [cabinet] = k.variantsOf('Large Cabinet');
    const desk = k.variantsOf('Customizable Desk');
    k.call('product.template', 'write', [[k.templateId('Customizable Desk')], { taxes_id: [[6, 0, []]] }]);
    k.publish([cabinet, desk[0]]);
    const result = await k.services.products.sync(k.connectionId);
    expect(result.detect.problems).toEqual([expect.objectContaining({ odooId: cabinet, code: 'TAX_MISMATCH', message: expect.stringContaining('Odoo computes 12.19') })]);
    expect(result.detect.warnings.join('\n')).toContain('connector 12.2');
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    const code = odooView(k, [cabinet])[0].default_code as string;
    expect(k.poleepoBySku(code)).toBeUndefined();
    expect(odooView(k, [cabinet])[0].x_poleepo_last_error).toMatch(/^Taxes "IVA 22%": for a price of 9.99 Odoo computes 12.19/);
    // The other product (no tax) went through.
    expect(k.poleepoBySku(odooView(k, [desk[0]])[0].default_code as string)).toBeDefined();
  });
});

describe('product export: company, rounding and settings', () => {
  it.each([[18, 2, 2], [19, 3, 2]] as const)('Odoo %s, company %s: quantities and taxes of the connection\'s company only', async (version, companyId, warehouseId) => {
    const k = await open({ version, companyId });
    const [cabinet] = k.variantsOf('Large Cabinet');
    const [warehouse] = k.call<{ lot_stock_id: [number, string] }[]>('stock.warehouse', 'read', [[warehouseId], ['lot_stock_id']]);
    k.call('stock.quant', 'create', [{ product_id: cabinet, location_id: warehouse.lot_stock_id[0], quantity: 7.6, company_id: companyId }]);
    const own = k.call<number>('account.tax', 'create', [{ name: 'Sales 10%', amount: 10, amount_type: 'percent', type_tax_use: 'sale', company_id: companyId }]);
    const other = k.call<number>('account.tax', 'create', [{ name: 'Sales 22%', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1 }]);
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { taxes_id: [[6, 0, [other, own]]], list_price: 200 }]);
    k.publish([cabinet]);
    await syncAndSettle(k);
    const view = odooView(k, [cabinet], companyId)[0];
    expect(view.qty_available).toBe(7.6);
    expect(k.poleepoBySku(view.default_code as string)).toMatchObject({ quantity: 7, price: 200, price_with_tax: 220, vat_rate: 10 });
  });

  it('the company\'s rounding method: round globally and round per line give Odoo\'s own figures (Odoo 18)', async () => {
    const k = await open({ version: 18 });
    const tax = k.call<number>('account.tax', 'create', [{ name: 'IVA 22%', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1 }]);
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { taxes_id: [[6, 0, [tax]]], list_price: 1234.567 }]);
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.publish([cabinet]);
    const code = odooView(k, [cabinet])[0].default_code as string;
    k.call('res.company', 'write', [[1], { tax_calculation_rounding_method: 'round_globally' }]);
    const globally = await syncAndSettle(k, { full: true });
    expect(globally.sync.detect.problemCount).toBe(0);
    expect(k.poleepoBySku(code)!.price_with_tax).toBe(1506.17);
    k.call('res.company', 'write', [[1], { tax_calculation_rounding_method: 'round_per_line' }]);
    const perLine = await syncAndSettle(k, { full: true });
    expect(perLine.sync.detect.problemCount).toBe(0);
    expect(k.poleepoBySku(code)!.price_with_tax).toBe(1506.18);
  });

  it('settings: the category\'s full path and a parent SKU prefix', async () => {
    const k = await open({ version: 18, settings: { categoryMode: 'complete_name', parentSkuPrefix: 'TMPL-' } });
    k.publish(k.variantsOf('Customizable Desk'));
    await syncAndSettle(k);
    const parent = k.poleepoBySku('TMPL-9')!;
    expect(parent).toMatchObject({ type: 'PARENT' });
    const categories = [...k.sandbox.state.catalog.categories.values()] as unknown as { id: number; path: string }[];
    expect(categories.find((c) => c.id === parent.main_category_id)?.path).toBe('All / Saleable / Office Furniture');
    expect(k.poleepoProducts().filter((p) => p.parent_sku === 'TMPL-9')).toHaveLength(5);
  });

  it('refuses to run before the connector\'s fields exist in Odoo, saying how to create them', async () => {
    const k = await open({ version: 18, withoutFields: true });
    await expect(k.services.products.sync(k.connectionId)).rejects.toThrow(NotConfiguredError);
    await expect(k.services.products.sync(k.connectionId)).rejects.toThrow(/x_poleepo_published does not exist on product.product: run "poleepo-odoo odoo provision"/);
  });
});
