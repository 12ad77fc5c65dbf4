import { afterEach, describe, expect, it } from 'vitest';
import { OdooClient } from '../src/odoo/odoo.client.ts';
import { OdooLimiter, withOdooPriority } from '../src/odoo/odoo.limiter.ts';
import { CONTENDED_PAGE_SIZE, CONTENTION_WINDOW_MS, ProductOdoo } from '../src/products/products.odoo.ts';
import { productsKit, type ProductsKit } from './fixtures/products-kit.ts';

/**
 * The product export sharing a connection with order imports: an Odoo worker serves one call at a time, so while
 * order or shipping calls use the connection the export reads short pages (an order's call never waits behind 2,000
 * variants), and its own calls are bulk. The limiter's scheduling clock is the kit's ManualClock here.
 */

let kit: ProductsKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe('the product export under contention', () => {
  it('reads pages of 250 while order calls use the connection (and for 10 s after), of the configured size otherwise', async () => {
    const k = await productsKit({ version: 18, seed: 'empty', catalog: { templates: 200, variants: 1_100 }, settings: { odoo: { pageSize: 500 } } });
    kit = k;
    k.publish(k.call<number[]>('product.product', 'search', [[]]));
    const limiter = new OdooLimiter(k.clock, { maxConcurrent: 2 }, { schedulingClock: k.clock });
    const client = new OdooClient({
      endpoint: { url: k.odoo.url, db: k.odoo.db, login: k.odoo.login, apiKey: k.odoo.apiKey, connectionId: k.connectionId },
      http: k.ctx.http, clock: k.clock, context: { companyId: 1 }, limiter,
    });
    const odoo = await withOdooPriority('bulk', async () => ProductOdoo.open(client, await k.services.products.settings(k.connectionId)));
    const pageSizes = async () => withOdooPriority('bulk', async () => {
      const sizes: number[] = [];
      for await (const page of odoo.streamVariants()) if (page.variants.length) sizes.push(page.variants.length);
      return sizes;
    });
    expect(odoo.readSize()).toBe(500);
    expect(await pageSizes()).toEqual([500, 500, 100]);

    // An order import reads a partner (an interactive call: the default).
    await client.searchCount('res.partner', []);
    expect(odoo.readSize()).toBe(CONTENDED_PAGE_SIZE);
    // Bulk calls pause for 250 ms after an interactive one (the order's next call may come).
    k.clock.advance(250);
    expect(await pageSizes()).toEqual([250, 250, 250, 250, 100]);
    k.clock.advance(CONTENTION_WINDOW_MS - 251);
    expect(odoo.readSize()).toBe(CONTENDED_PAGE_SIZE);
    k.clock.advance(1);
    expect(odoo.readSize()).toBe(500);
  });
});
