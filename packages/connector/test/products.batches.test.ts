import { afterEach, describe, expect, it } from 'vitest';
import { RetryableError } from '../src/shared/errors.ts';
import { PoleepoRateLimitedError } from '../src/poleepo/poleepo.errors.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { Worker } from '../src/tasks/task.worker.ts';
import { dialects } from './helpers/db.ts';
import { productsKit, type KitOptions, type ProductsKit } from './fixtures/products-kit.ts';

/**
 * Product batches (DESIGN §4.4) against the Poleepo sandbox, on both databases: partial failures, PARENT_NOT_FOUND,
 * duplicate SKUs reconciled, whole batches refused, families larger than a batch, the rate limit of the results
 * endpoint (ledger and 429), and crashes between sending a batch and recording it — never a duplicate on Poleepo.
 */

let kit: ProductsKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const MINUTE = 60_000;

function skuOf(k: ProductsKit, id: number): string {
  return (k.call<{ default_code: string }[]>('product.product', 'read', [[id], ['default_code']]))[0].default_code;
}

function lastError(k: ProductsKit, id: number): unknown {
  return k.call<{ x_poleepo_last_error: unknown }[]>('product.product', 'read', [[id], ['x_poleepo_last_error']])[0].x_poleepo_last_error;
}

async function batches(k: ProductsKit) {
  return (await k.services.products.batches.list({ connectionId: k.connectionId }, { limit: 100, offset: 0 })).rows.reverse();
}

/** One product per SKU on Poleepo, always. */
function expectNoDuplicates(k: ProductsKit): void {
  const skus = k.poleepoProducts().map((p) => p.sku);
  expect(new Set(skus).size).toBe(skus.length);
}

describe.each(dialects)('product batches on %s', (dialect) => {
  async function open(options: KitOptions = {}) {
    kit = await productsKit({ dialect, version: 18, ...options });
    return kit;
  }

  it('a partial failure: the refused item keeps its error (shown in Odoo) and waits for a change; the others complete', async () => {
    const k = await open();
    const desk = k.variantsOf('Customizable Desk');
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { list_price: -5 }]);
    k.publish([...desk, cabinet]);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    const poll = await k.services.products.poll(k.connectionId);
    expect(poll.items).toEqual({ completed: 6, error: 1, requeued: 0 });
    const [batch] = await batches(k);
    expect(batch).toMatchObject({ status: 'completed', completed_items: 6, error_items: 1 });
    const failed = (await k.services.products.batches.items(batch.id)).find((i) => i.odoo_id === cabinet)!;
    expect(failed).toMatchObject({ status: 'error', error_code: 'VALIDATION_ERROR', error_message: expect.stringContaining('price') });
    expect(lastError(k, cabinet)).toMatch(/^VALIDATION_ERROR: price/);
    // Still needing an update in Odoo: only a completed item clears it.
    expect(k.call<{ x_poleepo_needs_update: boolean }[]>('product.product', 'read', [[cabinet], ['x_poleepo_needs_update']])[0].x_poleepo_needs_update).toBe(true);
    expect(k.call<{ x_poleepo_needs_update: boolean }[]>('product.product', 'read', [[desk[0]], ['x_poleepo_needs_update']])[0].x_poleepo_needs_update).toBe(false);
    // Unchanged: not sent again.
    k.clock.advance(3 * MINUTE);
    expect(await k.services.products.sync(k.connectionId)).toMatchObject({ batches: { batches: 0 } });
    // Fixed in Odoo: sent, completed, error cleared.
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { list_price: 320 }]);
    k.clock.advance(3 * MINUTE);
    expect(await k.services.products.sync(k.connectionId)).toMatchObject({ batches: { batches: 1, items: 1 } });
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    expect(k.poleepoBySku(skuOf(k, cabinet))).toMatchObject({ price: 320 });
    expect(lastError(k, cabinet)).toBe(false);
    expect(k.call<{ x_poleepo_needs_update: boolean }[]>('product.product', 'read', [[cabinet], ['x_poleepo_needs_update']])[0].x_poleepo_needs_update).toBe(false);
  });

  it('a refused product is sent again on request (the cause fixed on Poleepo\'s side), not before', async () => {
    const k = await open();
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.publish([cabinet]);
    k.sandbox.state.catalog.insert({ sku: 'TAKEN', title: 'Another product' }, k.clock.now());
    k.call('product.product', 'write', [[cabinet], { x_poleepo_sku: 'TAKEN' }]);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    // DUPLICATE_SKU on the create: bound to the existing product, then sent as an update, which Poleepo takes.
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    const binding = (await k.services.products.bindings.byOdooIds(k.connectionId, 'variant', [cabinet])).get(cabinet)!;
    await expect(k.services.products.resend(k.connectionId, binding.id)).rejects.toThrow('Poleepo has not refused this product');
    // A refusal: a negative price.
    k.clock.advance(3 * MINUTE);
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { list_price: -1 }]);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    expect(lastError(k, cabinet)).toMatch(/^VALIDATION_ERROR/);
    k.clock.advance(3 * MINUTE);
    expect(await k.services.products.sync(k.connectionId)).toMatchObject({ batches: { batches: 0 } });
    await k.services.products.resend(k.connectionId, binding.id);
    expect(await k.services.products.sync(k.connectionId)).toMatchObject({ batches: { batches: 1, items: 1 } });
  });

  it('PARENT_NOT_FOUND: the variants wait for their parent, then go right after it', async () => {
    const k = await open();
    const desk = k.variantsOf('Customizable Desk');
    k.call('product.template', 'write', [[k.templateId('Customizable Desk')], { list_price: -5 }]);
    const prices = k.call<{ id: number; lst_price: number }[]>('product.product', 'read', [desk, ['lst_price']]);
    const orphans = prices.filter((p) => p.lst_price >= 0).map((p) => p.id);
    expect(orphans.length).toBeGreaterThan(0);
    k.publish(desk);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    const poll = await k.services.products.poll(k.connectionId);
    expect(poll.items.requeued).toBe(orphans.length);
    for (const id of orphans) expect(lastError(k, id)).toMatch(/^PARENT_NOT_FOUND: .*sent again after its parent/);
    // The parent failed itself (its price): its variants are held, not sent into the same error again.
    k.clock.advance(3 * MINUTE);
    const held = await k.services.products.sync(k.connectionId);
    expect(held.batches).toMatchObject({ batches: 0, held: orphans.length });
    k.call('product.template', 'write', [[k.templateId('Customizable Desk')], { list_price: 700 }]);
    k.clock.advance(3 * MINUTE);
    const fixed = await k.services.products.sync(k.connectionId);
    expect(fixed.batches).toMatchObject({ batches: 1, items: desk.length + 1, held: 0 });
    const last = (await batches(k)).at(-1)!;
    expect((await k.services.products.batches.items(last.id))[0]).toMatchObject({ kind: 'parent', sku: '9' });
    k.processBatches();
    expect((await k.services.products.poll(k.connectionId)).items).toMatchObject({ completed: desk.length + 1, error: 0 });
    for (const id of desk) expect(k.poleepoBySku(skuOf(k, id))).toMatchObject({ parent_sku: '9' });
  });

  it('a parent deleted on Poleepo: PARENT_NOT_FOUND sends the parent again, then its variants', async () => {
    const k = await open();
    const desk = k.variantsOf('Customizable Desk');
    k.publish(desk);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    // Someone deletes the parent on Poleepo, then a price changes in Odoo.
    const catalog = k.sandbox.state.catalog as unknown as { products: Map<number, { sku: string }>; bySku: Map<string, number> };
    const parentId = catalog.bySku.get('9')!;
    catalog.products.delete(parentId);
    catalog.bySku.delete('9');
    k.clock.advance(3 * MINUTE);
    k.call('product.template', 'write', [[k.templateId('Customizable Desk')], { list_price: 760 }]);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    k.clock.advance(3 * MINUTE);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    k.clock.advance(3 * MINUTE);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    expect(k.poleepoBySku('9')).toMatchObject({ type: 'PARENT', price: 760 });
    for (const id of desk) expect(k.poleepoBySku(skuOf(k, id))).toMatchObject({ parent_sku: '9', price: expect.any(Number) });
    for (const id of desk) expect(lastError(k, id)).toBe(false);
    expectNoDuplicates(k);
  });

  it('DUPLICATE_SKU on a create: bound to the Poleepo product that has the SKU and sent as an update, never a second product', async () => {
    const k = await open();
    const [cabinet] = k.variantsOf('Large Cabinet');
    const sku = skuOf(k, cabinet);
    const existing = k.sandbox.state.catalog.insert({ sku, title: 'Created in Poleepo by hand', price: 1 }, k.clock.now());
    k.publish([cabinet]);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    const first = await k.services.products.poll(k.connectionId);
    expect(first.items.requeued).toBe(1);
    k.clock.advance(3 * MINUTE);
    const again = await k.services.products.sync(k.connectionId);
    const last = (await batches(k)).at(-1)!;
    expect(again.batches).toMatchObject({ items: 1 });
    expect((await k.services.products.batches.items(last.id))[0]).toMatchObject({ operation: 'update', payload: expect.stringContaining(`"product_id":${existing.id}`) });
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    expect(k.poleepoBySku(sku)).toMatchObject({ id: existing.id, title: 'Large Cabinet', price: 320 });
    expect(k.call<{ x_poleepo_ref: string }[]>('product.product', 'read', [[cabinet], ['x_poleepo_ref']])[0].x_poleepo_ref).toBe(String(existing.id));
    expectNoDuplicates(k);
  });

  it('DUPLICATE_SKU on many creates of a batch: reconciled with one listing of Poleepo\'s products, not a lookup per item', async () => {
    const k = await open();
    const desk = k.variantsOf('Customizable Desk');
    const existing = new Map(desk.map((id) => [id, k.sandbox.state.catalog.insert({ sku: skuOf(k, id), title: 'Created in Poleepo by hand', price: 1 }, k.clock.now())]));
    k.publish(desk);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    const listed = k.sandbox.stats.endpoint('products.list').requests;
    const first = await k.services.products.poll(k.connectionId);
    expect(first.items.requeued).toBe(desk.length);
    expect(k.sandbox.stats.endpoint('products.list').requests - listed).toBe(1);
    k.clock.advance(3 * MINUTE);
    await k.services.products.sync(k.connectionId);
    const last = (await batches(k)).at(-1)!;
    const resent = await k.services.products.batches.items(last.id);
    for (const id of desk) {
      expect(resent.find((i) => i.odoo_id === id)).toMatchObject({ operation: 'update', payload: expect.stringContaining(`"product_id":${existing.get(id)!.id}`) });
    }
    expectNoDuplicates(k);
  });

  it('a batch Poleepo refuses as a whole: every item keeps the reason; nothing is resent blindly', async () => {
    const k = await open();
    k.sandbox.knobs.maxBatchItems = 2;
    k.publish(k.variantsOf('Customizable Desk'));
    const sync = await k.services.products.sync(k.connectionId).catch((e: unknown) => e);
    expect(sync).toBeInstanceOf(Error);
    const [batch] = await batches(k);
    expect(batch).toMatchObject({ status: 'failed', error_items: 6, error: expect.stringContaining('at most 2 entries') });
    const items = await k.services.products.batches.items(batch.id);
    expect(items.every((i) => i.status === 'error')).toBe(true);
    k.clock.advance(3 * MINUTE);
    expect(await k.services.products.sync(k.connectionId)).toMatchObject({ batches: { batches: 0 } });
    expect(k.poleepoProducts()).toHaveLength(0);
  });

  it('a batch Poleepo no longer knows (404): marked lost with the reason, its items queued again once, sent in the next batch; no failing poll', async () => {
    const k = await open();
    const desk = k.variantsOf('Customizable Desk');
    k.publish(desk);
    await k.services.products.sync(k.connectionId);
    const [sent] = await batches(k);
    expect(sent.status).toBe('sent');
    // Poleepo forgets the batch (a reset store): asking for it answers 404.
    k.sandbox.state.batches.batches.clear();
    const poll = await k.services.products.poll(k.connectionId);
    expect(poll).toMatchObject({ polled: 1, lost: 1, completed: 0, items: { requeued: desk.length + 1 } });
    const [lost] = await batches(k);
    expect(lost).toMatchObject({ id: sent.id, status: 'lost', error_items: desk.length + 1, error: expect.stringContaining(`Poleepo no longer knows batch ${sent.poleepo_batch_id} (404)`) });
    expect((await k.services.products.batches.items(lost.id)).every((i) => i.status === 'error' && i.error_code === 'BATCH_LOST')).toBe(true);
    expect(await k.services.products.bindings.counts(k.connectionId)).toMatchObject({ queued: desk.length + 1, inflight: 0 });
    // Not asked again: a lost batch is no longer "sent".
    expect(await k.services.products.poll(k.connectionId)).toMatchObject({ polled: 0, lost: 0 });
    // The next export sends the same products again, and they arrive.
    k.clock.advance(3 * MINUTE);
    expect(await k.services.products.sync(k.connectionId)).toMatchObject({ batches: { batches: 1, items: desk.length + 1 } });
    k.processBatches();
    expect(await k.services.products.poll(k.connectionId)).toMatchObject({ completed: 1, lost: 0 });
    expect(k.poleepoProducts().filter((p) => p.parent_sku === '9')).toHaveLength(desk.length);
    expectNoDuplicates(k);
    expect(await k.services.products.bindings.counts(k.connectionId)).toMatchObject({ queued: 0, inflight: 0, errors: 0 });
  });

  it('a family larger than a batch: the parent and what fits first; the rest after the parent exists', async () => {
    const k = await open({ settings: { batchSize: 3 } });
    const desk = k.variantsOf('Customizable Desk');
    k.publish(desk);
    const first = await k.services.products.sync(k.connectionId);
    expect(first.batches).toMatchObject({ batches: 1, items: 3, held: desk.length - 2 });
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    const second = await k.services.products.sync(k.connectionId);
    expect(second.batches).toMatchObject({ batches: 1, items: 3, held: 0 });
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    expect(k.poleepoProducts().filter((p) => p.parent_sku === '9')).toHaveLength(desk.length);
  });

  it('the results endpoint: at most 5 requests per window through the ledger, then RateLimitedError without a request; the rest later', async () => {
    const k = await open({ settings: { batchSize: 1 } });
    const singles = k.call<number[]>('product.template', 'search', [[['product_variant_count', '=', 1], ['sale_ok', '=', true], ['default_code', '!=', false]]], { limit: 6, order: 'id asc' });
    expect(singles).toHaveLength(6);
    const variants = k.call<number[]>('product.product', 'search', [[['product_tmpl_id', 'in', singles]]]);
    k.publish(variants);
    expect((await k.services.products.sync(k.connectionId)).batches).toMatchObject({ batches: 6 });
    k.processBatches();
    const error = await k.services.products.poll(k.connectionId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoleepoRateLimitedError);
    expect((error as PoleepoRateLimitedError).info.poleepoCode).toBe('LEDGER');
    expect((error as PoleepoRateLimitedError).retryAfterMs).toBeGreaterThan(0);
    expect((error as PoleepoRateLimitedError).retryAfterMs).toBeLessThanOrEqual(MINUTE);
    // Five answered and applied; the sixth never reached Poleepo.
    expect(k.sandbox.stats.endpoint('batches.status').requests).toBe(5);
    expect((await batches(k)).filter((b) => b.status === 'completed')).toHaveLength(5);
    k.clock.advance(MINUTE);
    expect(await k.services.products.poll(k.connectionId)).toMatchObject({ polled: 1, completed: 1 });
    const stats = k.sandbox.stats.endpoint('batches.status');
    expect(stats).toMatchObject({ requests: 6, rate_limited: 0 });
    expect(stats.max_in_window).toBeLessThanOrEqual(5);
    expect(k.poleepoProducts()).toHaveLength(6);
  });

  it('Poleepo answers 429 with Retry-After: the poll task is rescheduled for then, no attempt spent', async () => {
    const k = await open();
    k.publish(k.variantsOf('Large Cabinet'));
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    k.sandbox.faults.add({ endpoint: 'batches.status', status: 429, retry_after: 120, count: 1 });
    const worker = new Worker({ queue: k.ctx.tasks, registry: k.ctx.taskRegistry, clock: k.clock, logger: k.ctx.logger, workerId: 'test-worker' });
    const task = await k.ctx.tasks.enqueue('products.poll', { connectionId: k.connectionId }, { connectionId: k.connectionId });
    expect(await worker.runOne(task.id)).toMatchObject({ outcome: 'rate_limited' });
    const row = await k.ctx.tasks.get(task.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 0 });
    expect(row!.run_at).toBe(k.clock.now() + 120_000);
    k.clock.advance(120_000);
    expect(await worker.runOne(task.id)).toMatchObject({ outcome: 'done', result: { polled: 1, completed: 1 } });
    expect(k.sandbox.stats.endpoint('batches.status')).toMatchObject({ requests: 2, rate_limited: 1 });
  });

  it('a crash after Poleepo took the batch and before it was recorded: creates are found by SKU, sent again as updates, never duplicated', async () => {
    const k = await open();
    const desk = k.variantsOf('Customizable Desk');
    k.publish(desk);
    await k.services.products.sync(k.connectionId);
    const [batch] = await batches(k);
    // The durable state a crash leaves at that instant: the batch still "submitting", its items drafts, no Poleepo id.
    await k.db.kysely.updateTable('product_batches').set({ status: 'submitting', poleepo_batch_id: null, submitted_at: null }).where('id', '=', batch.id).execute();
    await k.db.kysely.updateTable('product_batch_items').set({ status: 'draft' }).where('batch_id', '=', batch.id).execute();
    k.processBatches();
    expect(k.poleepoProducts()).toHaveLength(6);
    const listed = k.sandbox.stats.endpoint('products.list').requests;
    const after = await k.services.products.sync(k.connectionId);
    expect(after.batches).toMatchObject({ recovered: 1, batches: 1, items: 6 });
    // The six creates were looked up together: one listing of Poleepo's products, not a lookup per item.
    expect(k.sandbox.stats.endpoint('products.list').requests - listed).toBe(1);
    const all = await batches(k);
    expect(all[0]).toMatchObject({ status: 'abandoned' });
    const resent = await k.services.products.batches.items(all[1].id);
    expect(resent.every((i) => i.operation === 'update')).toBe(true);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    expect(k.poleepoProducts()).toHaveLength(6);
    expectNoDuplicates(k);
    for (const id of desk) expect(k.call<{ x_poleepo_ref: string }[]>('product.product', 'read', [[id], ['x_poleepo_ref']])[0].x_poleepo_ref).toBe(String(k.poleepoBySku(skuOf(k, id))!.id));
  });

  it('a crash before Poleepo processed the batch, and an answer lost on the way: still one product per SKU', async () => {
    const k = await open();
    const desk = k.variantsOf('Customizable Desk');
    k.publish(desk);
    // The answer to the submit never arrives (the request was not applied).
    k.sandbox.faults.add({ endpoint: 'batches.submit', drop: true, count: 1 });
    const lost = await k.services.products.sync(k.connectionId).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(RetryableError);
    expect((await batches(k))[0]).toMatchObject({ status: 'submitting' });
    const retried = await k.services.products.sync(k.connectionId);
    expect(retried.batches).toMatchObject({ recovered: 1, batches: 1 });
    // Crash right after Poleepo accepted the new batch, before processing: recovery finds nothing yet and resends.
    const [, second] = await batches(k);
    await k.db.kysely.updateTable('product_batches').set({ status: 'submitting', poleepo_batch_id: null }).where('id', '=', second.id).execute();
    await k.db.kysely.updateTable('product_batch_items').set({ status: 'draft' }).where('batch_id', '=', second.id).execute();
    const third = await k.services.products.sync(k.connectionId);
    expect(third.batches).toMatchObject({ recovered: 1, batches: 1 });
    // Poleepo processes both: the older one creates, the newer one's creates meet DUPLICATE_SKU and are reconciled.
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    k.clock.advance(3 * MINUTE);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    expect(k.poleepoProducts()).toHaveLength(6);
    expectNoDuplicates(k);
    const counts = await k.services.products.bindings.counts(k.connectionId);
    expect(counts).toMatchObject({ queued: 0, inflight: 0, errors: 0 });
  });
});

describe('product jobs', () => {
  it('Generate and Poll Product Batches enqueue one task per active connection; the poll floor is the connection\'s window', async () => {
    const k = await productsKit({ version: 18 });
    kit = k;
    k.publish(k.variantsOf('Large Cabinet'));
    const worker = new Worker({ queue: k.ctx.tasks, registry: k.ctx.taskRegistry, clock: k.clock, logger: k.ctx.logger, workerId: 'jobs-worker' });
    const { run } = await k.ctx.jobs.runNow('Generate Product Batches');
    const jobOutcome = await worker.runOne(run.taskId!);
    expect(jobOutcome).toMatchObject({ outcome: 'done', result: { connections: ['odoo18'] } });
    const [generate] = (await k.ctx.tasks.list({ kind: 'products.generate' })).rows;
    expect(generate).toMatchObject({ lane: 'products', connection_id: k.connectionId, serial_key: `products:${k.connectionId}` });
    expect(await worker.runOne(generate.id)).toMatchObject({ outcome: 'done', result: { mode: 'full', batches: { batches: 1, items: 1 } } });
    // The connection's results window is 1 minute in this kit: polling every 30 s is refused, every minute is fine.
    await expect(k.ctx.jobs.setInterval('poll-product-batches', 30_000)).rejects.toThrow(/rate-limit window of the batch results endpoint is 1m/);
    expect((await k.ctx.jobs.setInterval('poll-product-batches', MINUTE)).intervalMs).toBe(MINUTE);
    // An inactive connection is left alone.
    await new ConnectionsService(k.ctx, []).setActive(k.connectionId, false);
    const second = await k.ctx.jobs.runNow('poll-product-batches');
    expect(await worker.runOne(second.run.taskId!)).toMatchObject({ outcome: 'done' });
    expect((await k.ctx.jobs.get('poll-product-batches')).lastRun).toMatchObject({ status: 'not_configured' });
  });
});
