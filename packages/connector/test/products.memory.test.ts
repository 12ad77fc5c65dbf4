import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { productsKit, type ProductsKit } from './fixtures/products-kit.ts';

/**
 * The product export's memory, as behaviour: detection handles a page of variants before it asks for the last one on
 * both paths (a change to a shared tax touches the whole catalog: the incremental path must not hold every changed
 * row), and it never forces a garbage collection (the process also serves webhooks: a forced full GC stops it).
 * Peak RSS of a 100,000-variant export is measured by `npm run bench products`.
 */

let kit: ProductsKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const MINUTE = 60_000;

/** 400 templates / 2,100 variants generated in an empty Odoo, all published; pages of 500. */
async function catalog(): Promise<ProductsKit> {
  kit = await productsKit({ version: 18, seed: 'empty', catalog: { templates: 400, variants: 2_100 }, settings: { odoo: { pageSize: 500 } } });
  const ids = kit.call<number[]>('product.product', 'search', [[]]);
  kit.publish(ids);
  return kit;
}

/** The Odoo calls of the product export since `afterId`, in the order they were made, from the API log. */
async function odooCalls(k: ProductsKit, afterId: number): Promise<string[]> {
  await k.ctx.apiLog.flush();
  const rows = await k.db.kysely.selectFrom('api_log').select(['id', 'path']).where('system', '=', 'odoo').where('id', '>', afterId).orderBy('id').execute();
  return rows.map((r) => r.path.replace('/jsonrpc ', ''));
}

async function lastLogId(k: ProductsKit): Promise<number> {
  await k.ctx.apiLog.flush();
  const row = await k.db.kysely.selectFrom('api_log').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  return Number(row?.id ?? 0);
}

describe('product export memory', () => {
  it('a change to a shared tax touches every product: the incremental run maps and stores each page before it reads the last', async () => {
    const k = await catalog();
    const full = await k.services.products.sync(k.connectionId, { full: true, send: false, mirror: false });
    expect(full.detect.variantsRead).toBe(2_100);
    // The tax every generated template carries changes: every variant's price with tax changes.
    const [company] = k.call<{ account_sale_tax_id: [number, string] }[]>('res.company', 'read', [[1], ['account_sale_tax_id']]);
    k.clock.advance(3 * MINUTE);
    k.call('account.tax', 'write', [[company.account_sale_tax_id[0]], { amount: 10 }]);
    const before = await lastLogId(k);
    const tick = await k.services.products.sync(k.connectionId, { send: false, mirror: false });
    expect(tick.detect).toMatchObject({ mode: 'incremental', variantsRead: 2_100 });
    expect(tick.detect.decisions.queued).toBe(2_100);
    const calls = await odooCalls(k, before);
    const pageReads = calls.map((c, i) => (c === 'product.product/search_read' ? i : -1)).filter((i) => i >= 0);
    expect(pageReads.length).toBeGreaterThanOrEqual(5);
    // The templates of the first page are read (and that page mapped and stored) before the last pages are asked for.
    expect(calls.indexOf('product.template/read')).toBeLessThan(pageReads[2]);
    const bindings = await k.services.products.bindings.counts(k.connectionId);
    expect(bindings).toMatchObject({ eligible: 2_100, queued: 2_100 + full.detect.parents.queued });
  });

  it('a full export forces no garbage collection', async () => {
    const k = await catalog();
    const forced: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => forced.push(...list.getEntries().filter(isForced)));
    observer.observe({ entryTypes: ['gc'] });
    try {
      const full = await k.services.products.sync(k.connectionId, { full: true });
      expect(full.detect.variantsRead).toBe(2_100);
      expect(full.batches?.items).toBeGreaterThan(2_100);
    } finally {
      forced.push(...observer.takeRecords().filter(isForced));
      observer.disconnect();
    }
    expect(forced).toEqual([]);
  });
});

function isForced(entry: PerformanceEntry): boolean {
  const flags = (entry as PerformanceEntry & { detail?: { flags?: number } }).detail?.flags ?? 0;
  return (flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0;
}
