import { afterEach, describe, expect, it } from 'vitest';
import { productsKit, type ProductsKit } from './fixtures/products-kit.ts';

/**
 * Change detection (DESIGN §4.2): every trigger of a resend, on Odoo 17, 18 and 19 — and what must not trigger one
 * (the connector's own x_poleepo_* writes, unchanged payloads). Time moves on the shared ManualClock, so Odoo stamps
 * write_date as a real server would.
 */

let kit: ProductsKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const MINUTE = 60_000;

async function settle(k: ProductsKit) {
  k.processBatches();
  return k.services.products.poll(k.connectionId);
}

/** A few minutes later, the scheduled generation runs. */
async function tick(k: ProductsKit, minutes = 3) {
  k.clock.advance(minutes * MINUTE);
  return k.services.products.sync(k.connectionId);
}

function skuOf(k: ProductsKit, id: number): string {
  return (k.call<{ default_code: string }[]>('product.product', 'read', [[id], ['default_code']]))[0].default_code;
}

function odoo(k: ProductsKit, id: number) {
  return k.call<Record<string, unknown>[]>('product.product', 'read', [[id], ['x_poleepo_ref', 'x_poleepo_needs_update', 'x_poleepo_last_error', 'write_date']], { context: { active_test: false } })[0];
}

/** Desk family and the cabinet published, exported and settled. */
async function exported(version: 17 | 18 | 19) {
  const k = await productsKit({ version });
  kit = k;
  const desk = k.variantsOf('Customizable Desk');
  const [cabinet] = k.variantsOf('Large Cabinet');
  k.publish([...desk, cabinet]);
  await k.services.products.sync(k.connectionId);
  await settle(k);
  return { k, desk, cabinet };
}

function queuedIds(result: Awaited<ReturnType<typeof tick>>): number {
  return result.detect.decisions.queued;
}

describe.each([17, 18, 19] as const)('change triggers on Odoo %s', (version) => {
  it('nothing changed, only the connector wrote x_poleepo_*: nothing is sent, and few Odoo calls are made', async () => {
    const { k, cabinet } = await exported(version);
    expect(odoo(k, cabinet).x_poleepo_ref).toBeTruthy();
    const before = k.odoo.stats().objectCalls;
    const r = await tick(k);
    expect(r.detect.mode).toBe('incremental');
    expect(queuedIds(r)).toBe(0);
    expect(r.batches).toMatchObject({ batches: 0 });
    expect(k.odoo.stats().objectCalls - before).toBeLessThanOrEqual(6);
  });

  it('a quantity change (stock.quant, which does not touch the product) is sent for that variant only', async () => {
    const { k, desk } = await exported(version);
    const [quant] = k.call<{ id: number; quantity: number }[]>('stock.quant', 'search_read', [[['product_id', '=', desk[1]], ['location_id.usage', '=', 'internal']]], { fields: ['quantity'] });
    k.clock.advance(3 * MINUTE);
    k.call('stock.quant', 'write', [[quant.id], { quantity: quant.quantity + 10.9 }]);
    const r = await tick(k, 0);
    expect(queuedIds(r)).toBe(1);
    expect(r.batches).toMatchObject({ batches: 1, items: 1 });
    await settle(k);
    expect(k.poleepoBySku(skuOf(k, desk[1]))!.quantity).toBe(Math.floor(quant.quantity + 10.9));
    expect(odoo(k, desk[1]).x_poleepo_needs_update).toBe(false);
  });

  it('the template name and the template price: every variant of the family (and the parent) is sent', async () => {
    const { k, desk } = await exported(version);
    k.clock.advance(3 * MINUTE);
    k.call('product.template', 'write', [[k.templateId('Customizable Desk')], { name: 'Desk Pro', list_price: 800 }]);
    const r = await tick(k, 0);
    expect(queuedIds(r)).toBe(desk.length);
    expect(r.detect.parents.queued).toBe(1);
    await settle(k);
    expect(k.poleepoBySku('9')).toMatchObject({ title: 'Desk Pro', price: 800 });
    expect(k.poleepoBySku(skuOf(k, desk[0]))!.title).toMatch(/^Desk Pro/);
  });

  it('a price extra (product.template.attribute.value) is sent for the variants that carry it', async () => {
    const { k, desk } = await exported(version);
    const carriers = k.call<{ product_template_attribute_value_ids: number[] }[]>('product.product', 'read', [[desk[0]], ['product_template_attribute_value_ids']])[0].product_template_attribute_value_ids;
    const ptav = carriers[carriers.length - 1];
    const affected = desk.filter((id) => (k.call<{ product_template_attribute_value_ids: number[] }[]>('product.product', 'read', [[id], ['product_template_attribute_value_ids']])[0].product_template_attribute_value_ids).includes(ptav));
    k.clock.advance(3 * MINUTE);
    k.call('product.template.attribute.value', 'write', [[ptav], { price_extra: 33.3 }]);
    const r = await tick(k, 0);
    expect(queuedIds(r)).toBe(affected.length);
    await settle(k);
    const lst = k.call<{ lst_price: number }[]>('product.product', 'read', [[affected[0]], ['lst_price']])[0].lst_price;
    expect(k.poleepoBySku(skuOf(k, affected[0]))!.price).toBe(lst);
  });

  it('a change of a tax: the products that carry it are sent with the new price with tax', async () => {
    const { k, cabinet } = await exported(version);
    const tax = k.call<number>('account.tax', 'create', [{ name: 'IVA 22%', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1 }]);
    k.clock.advance(3 * MINUTE);
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { taxes_id: [[6, 0, [tax]]] }]);
    await tick(k, 0);
    await settle(k);
    expect(k.poleepoBySku(skuOf(k, cabinet))).toMatchObject({ vat_rate: 22 });
    k.clock.advance(3 * MINUTE);
    k.call('account.tax', 'write', [[tax], { amount: 10 }]);
    const r = await tick(k, 0);
    expect(queuedIds(r)).toBe(1);
    await settle(k);
    expect(k.poleepoBySku(skuOf(k, cabinet))).toMatchObject({ vat_rate: 10, price_with_tax: 352 });
  });

  it('a person ticks Needs Update: sent again although nothing changed; cleared when Poleepo confirms', async () => {
    const { k, cabinet } = await exported(version);
    k.clock.advance(3 * MINUTE);
    k.call('product.product', 'write', [[cabinet], { x_poleepo_needs_update: true }]);
    const r = await tick(k, 0);
    expect(queuedIds(r)).toBe(1);
    expect(r.batches).toMatchObject({ items: 1 });
    expect(odoo(k, cabinet).x_poleepo_needs_update).toBe(true);
    await settle(k);
    expect(odoo(k, cabinet).x_poleepo_needs_update).toBe(false);
    expect(queuedIds(await tick(k))).toBe(0);
  });
});

describe('change detection on Odoo 18', () => {
  it('unpublished or archived: sent once as inactive with no stock, then left alone; republished: active again', async () => {
    const { k, desk, cabinet } = await exported(18);
    const id = k.poleepoBySku(skuOf(k, cabinet))!.id;
    k.clock.advance(3 * MINUTE);
    k.publish([cabinet], false);
    k.call('product.product', 'write', [[desk[2]], { active: false }]);
    const r = await tick(k, 0);
    expect(r.detect.decisions.inactive).toBe(2);
    const batch = (await k.services.products.batches.list({ connectionId: k.connectionId }, { limit: 1, offset: 0 })).rows[0];
    const items = await k.services.products.batches.items(batch.id);
    expect(items.map((i) => [i.operation, JSON.parse(i.payload)])).toEqual(expect.arrayContaining([
      ['deactivate', { product_id: id, sku: skuOf(k, cabinet), active: false, quantity: 0 }],
    ]));
    await settle(k);
    expect(k.poleepoBySku(skuOf(k, cabinet))).toMatchObject({ active: false, quantity: 0 });
    expect(k.poleepoBySku(skuOf(k, desk[2]))).toMatchObject({ active: false, quantity: 0 });
    // Left alone afterwards, even when it changes.
    k.clock.advance(3 * MINUTE);
    k.call('product.product', 'write', [[cabinet], { barcode: '4006381333931' }]);
    const later = await tick(k, 0);
    expect(later.detect.decisions.queued + later.detect.decisions.inactive).toBe(0);
    expect(await k.services.products.sync(k.connectionId, { full: true })).toMatchObject({ batches: { batches: 0 } });
    // Published again: an update of the same Poleepo product, active.
    k.clock.advance(3 * MINUTE);
    k.publish([cabinet]);
    expect(queuedIds(await tick(k, 0))).toBe(1);
    await settle(k);
    expect(k.poleepoBySku(skuOf(k, cabinet))).toMatchObject({ id, active: true, ean: '4006381333931' });
    expect(k.poleepoProducts()).toHaveLength(7);
  });

  it('a SKU change updates the bound Poleepo product; no second product is created', async () => {
    const { k, cabinet } = await exported(18);
    const oldSku = skuOf(k, cabinet);
    const before = { ...k.poleepoBySku(oldSku)! };
    k.clock.advance(3 * MINUTE);
    k.call('product.product', 'write', [[cabinet], { x_poleepo_sku: 'CAB-NEW' }]);
    const r = await tick(k, 0);
    expect(queuedIds(r)).toBe(1);
    await settle(k);
    expect(k.poleepoBySku('CAB-NEW')).toMatchObject({ id: before.id });
    expect(k.poleepoBySku(oldSku)).toBeUndefined();
    const items = await k.services.products.batches.items((await k.services.products.batches.list({ connectionId: k.connectionId }, { limit: 1, offset: 0 })).rows[0].id);
    expect(items).toEqual([expect.objectContaining({ operation: 'update', sku: 'CAB-NEW', status: 'completed', poleepo_product_id: String(before.id) })]);
    expect(k.poleepoProducts()).toHaveLength(7);
  });

  it('a family going from several variants to one re-parents the last one (parent sent inactive), and back', async () => {
    const { k, desk } = await exported(18);
    const keep = desk[0];
    k.clock.advance(3 * MINUTE);
    k.call('product.product', 'write', [desk.slice(1), { active: false }]);
    const r = await tick(k, 0);
    expect(r.detect.decisions.inactive).toBe(desk.length - 1);
    expect(r.detect.decisions.queued).toBe(1);
    expect(r.detect.parents.inactive).toBe(1);
    await settle(k);
    expect(k.poleepoBySku(skuOf(k, keep))).toMatchObject({ parent_sku: null, type: 'SIMPLE', active: true });
    expect(k.poleepoBySku('9')).toMatchObject({ active: false });
    k.clock.advance(3 * MINUTE);
    k.call('product.product', 'write', [desk.slice(1), { active: true }]);
    const back = await tick(k, 0);
    expect(back.detect.decisions.queued).toBe(desk.length);
    expect(back.detect.parents.queued).toBe(1);
    const batch = (await k.services.products.batches.list({ connectionId: k.connectionId }, { limit: 1, offset: 0 })).rows[0];
    expect((await k.services.products.batches.items(batch.id))[0]).toMatchObject({ kind: 'parent', operation: 'update' });
    await settle(k);
    expect(k.poleepoBySku('9')).toMatchObject({ active: true, type: 'PARENT' });
    expect(k.poleepoBySku(skuOf(k, keep))).toMatchObject({ parent_sku: '9' });
  });

  it('a variant without SKU, and two published variants sharing one, are reported and not sent until fixed', async () => {
    const { k, desk, cabinet } = await exported(18);
    k.clock.advance(3 * MINUTE);
    k.call('product.product', 'write', [[desk[0]], { default_code: false }]);
    k.call('product.product', 'write', [[desk[1]], { x_poleepo_sku: skuOf(k, cabinet) }]);
    const r = await tick(k, 0);
    const problems = Object.fromEntries(r.detect.problems.map((p) => [p.odooId, p.code]));
    expect(problems).toEqual({ [desk[0]]: 'MISSING_SKU', [desk[1]]: 'SKU_SHARED', [cabinet]: 'SKU_SHARED' });
    expect(r.batches).toMatchObject({ batches: 0 });
    expect(odoo(k, desk[1]).x_poleepo_last_error).toMatch(/^SKU ".+" is also used by variant \d+/);
    expect(odoo(k, cabinet).x_poleepo_last_error).toMatch(/is also used by/);
    // Fixed: the duplicate leaves; the other holder is read again and is fine.
    k.clock.advance(3 * MINUTE);
    k.call('product.product', 'write', [[desk[1]], { x_poleepo_sku: false }]);
    k.call('product.product', 'write', [[desk[0]], { default_code: 'DESK-A' }]);
    await tick(k, 0);
    await tick(k, 1);
    expect(odoo(k, cabinet).x_poleepo_last_error).toBe(false);
    expect(odoo(k, desk[1]).x_poleepo_last_error).toBe(false);
    await settle(k);
    expect(k.poleepoBySku('DESK-A')).toBeDefined();
  });

  it('a change Odoo stamped before the last run (a long transaction) is still found: the cursor lags by the overlap', async () => {
    const { k, cabinet } = await exported(18);
    k.clock.advance(3 * MINUTE);
    await tick(k, 0);
    // A transaction that began 90 s before that run and commits only now: its write_date is in the past.
    const now = k.clock.now();
    k.clock.set(now - 90_000);
    k.call('product.product', 'write', [[cabinet], { barcode: '4006381333931' }]);
    k.clock.set(now + 60_000);
    const r = await tick(k, 0);
    expect(queuedIds(r)).toBe(1);
    await settle(k);
    expect(k.poleepoBySku(skuOf(k, cabinet))!.ean).toBe('4006381333931');
  });

  it('a change while the product is in flight waits for the result, then goes in the next batch', async () => {
    const k = await productsKit({ version: 18 });
    kit = k;
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.publish([cabinet]);
    await k.services.products.sync(k.connectionId);
    const [quant] = k.call<{ id: number; quantity: number }[]>('stock.quant', 'search_read', [[['product_id', '=', cabinet], ['location_id.usage', '=', 'internal']]], { fields: ['quantity'] });
    k.clock.advance(3 * MINUTE);
    k.call('stock.quant', 'write', [[quant.id], { quantity: 3 }]);
    const during = await tick(k, 0);
    expect(during.detect.decisions.coalesced).toBe(1);
    expect(during.batches).toMatchObject({ batches: 0 });
    await settle(k);
    expect(k.poleepoBySku(skuOf(k, cabinet))!.quantity).not.toBe(3);
    const after = await tick(k, 0);
    expect(after.batches).toMatchObject({ batches: 1, items: 1 });
    await settle(k);
    expect(k.poleepoBySku(skuOf(k, cabinet))).toMatchObject({ quantity: 3 });
    expect(k.sandbox.state.batches.batches.size).toBe(2);
  });

  it('nightly reconciliation: a category renamed (invisible to the cursors) and a variant deleted in Odoo', async () => {
    const { k, cabinet } = await exported(18);
    const categ = k.call<{ categ_id: [number, string] }[]>('product.template', 'read', [[k.templateId('Large Cabinet')], ['categ_id']])[0].categ_id[0];
    const [line] = k.call<{ id: number }[]>('sale.order.line', 'search_read', [[['product_id', '=', cabinet]]], { fields: ['id'] });
    expect(line).toBeUndefined();
    k.clock.advance(3 * MINUTE);
    k.call('product.category', 'write', [[categ], { name: 'Cabinets' }]);
    const deskOther = k.variantsOf('Customizable Desk')[4];
    const deletedSku = skuOf(k, deskOther);
    k.call('product.product', 'unlink', [[deskOther]]);
    const incremental = await tick(k, 0);
    expect(incremental.detect.decisions.queued + incremental.detect.decisions.inactive).toBe(0);
    const reconcile = await k.services.products.sync(k.connectionId, { full: true });
    expect(reconcile.detect.decisions.queued).toBeGreaterThanOrEqual(1);
    expect(reconcile.detect.decisions.inactive).toBe(1);
    await settle(k);
    const categories = [...k.sandbox.state.catalog.categories.values()] as unknown as { id: number; name: string }[];
    expect(categories.find((c) => c.id === k.poleepoBySku(skuOf(k, cabinet))!.main_category_id)?.name).toBe('Cabinets');
    expect(k.poleepoBySku(deletedSku)).toMatchObject({ active: false, quantity: 0 });
  });
});
