import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { TransportError } from '../src/http/http.client.ts';
import { collect } from '../src/poleepo/poleepo.client.ts';
import {
  PoleepoAuthError, PoleepoNotFoundError, PoleepoPermissionError, PoleepoProtocolError, PoleepoRateLimitedError,
  PoleepoServerError, PoleepoValidationError,
} from '../src/poleepo/poleepo.errors.ts';
import { formatUpdatedAfter, parsePoleepoDate } from '../src/poleepo/poleepo.time.ts';
import { orderShippingIds, orderStatusCode } from '../src/poleepo/poleepo.types.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import type { PoleepoSandboxOptions } from '@poleepo-odoo/poleepo-sandbox';
import { createTestDb, type TestDb } from './helpers/db.ts';
import { startTestServer } from './helpers/http.ts';
import { buildClient, control, sandboxClient } from './fixtures/poleepo-kit.ts';

const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const FULL = { orders: 'write', products: 'write', shipping: 'write' } as const;
const KEY = { clientId: 'poleepo_' + 'a'.repeat(32), clientSecret: 'plpscrt_' + 'S'.repeat(32), permissions: FULL };

let sandbox: PoleepoSandbox;
let clock: ManualClock;
let db: TestDb | undefined;

async function start(options: PoleepoSandboxOptions = {}) {
  clock = new ManualClock(START, true);
  sandbox = await startPoleepoSandbox({ clock, clients: [KEY], batchProcessingDelayMs: 1000, ...options });
  return sandbox;
}

function requestsTo(key: string): number {
  return sandbox.stats.endpoint(key).requests;
}

function statuses(key: string): Record<string, number> {
  return sandbox.stats.endpoint(key).by_status;
}

function addProducts(n: number, prefix = 'P') {
  for (let i = 0; i < n; i++) sandbox.state.catalog.insert({ sku: `${prefix}-${String(i).padStart(4, '0')}`, title: `Prodotto ${i}`, price: 10, vat_rate: 22 }, clock.now());
}

afterEach(async () => {
  await sandbox?.stop();
  await db?.cleanup();
  db = undefined;
});

describe('Poleepo client: token', () => {
  beforeEach(async () => {
    await start();
  });

  it('obtains a token with the confirmed body, reuses it, and renews it 5 minutes before it expires', async () => {
    const { client } = sandboxClient(sandbox, clock);
    await client.page('products.list', 0, 1);
    await client.page('products.list', 0, 1);
    expect(requestsTo('auth.token')).toBe(1);
    clock.advance(54 * 60_000); // 6 minutes left: still good
    await client.page('products.list', 0, 1);
    expect(requestsTo('auth.token')).toBe(1);
    clock.advance(2 * 60_000); // 4 minutes left: renewed before use
    await client.page('products.list', 0, 1);
    expect(requestsTo('auth.token')).toBe(2);
    expect(statuses('products.list')).toEqual({ 200: 4 });
  });

  it('keeps renewal within half of a short lifetime (a 60 s token is renewed after 30 s, not on every call)', async () => {
    sandbox.knobs.tokenTtlSeconds = 60;
    const { client } = sandboxClient(sandbox, clock);
    await client.page('products.list', 0, 1);
    clock.advance(29_000);
    await client.page('products.list', 0, 1);
    expect(requestsTo('auth.token')).toBe(1);
    clock.advance(2_000);
    await client.page('products.list', 0, 1);
    expect(requestsTo('auth.token')).toBe(2);
  });

  it('re-authenticates once on 401 and retries the call', async () => {
    const { client } = sandboxClient(sandbox, clock);
    await client.page('products.list', 0, 1);
    expect((await control(sandbox, 'POST', '/__sandbox/tokens/expire')).body).toEqual({ expired: 1 });
    const page = await client.page('products.list', 0, 1);
    expect(page.items).toEqual([]);
    expect(requestsTo('auth.token')).toBe(2);
    expect(statuses('products.list')).toEqual({ 200: 2, 401: 1 });
  });

  it('gives up with PoleepoAuthError when the new token is refused too', async () => {
    const { client } = sandboxClient(sandbox, clock);
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'products.list', status: 401, count: 2 });
    const error = await client.page('products.list', 0, 1).catch((e) => e);
    expect(error).toBeInstanceOf(PoleepoAuthError);
    expect(error.info).toMatchObject({ endpoint: 'products.list', status: 401 });
    expect(requestsTo('products.list')).toBe(2);
    expect(requestsTo('auth.token')).toBe(2);
  });

  it('reports wrong credentials as PoleepoAuthError, without retrying them', async () => {
    const { client } = buildClient({ baseUrl: sandbox.url, key: { clientId: KEY.clientId, clientSecret: 'plpscrt_wrong' }, clock });
    const error = await client.token().catch((e) => e);
    expect(error).toBeInstanceOf(PoleepoAuthError);
    expect(error.message).toMatch(/client id or client secret/);
    expect(statuses('auth.token')).toEqual({ 401: 1 });
  });

  it('one process asks for one token even when many calls start together', async () => {
    const { client } = sandboxClient(sandbox, clock);
    await Promise.all(Array.from({ length: 8 }, () => client.page('carriers.list', 0, 1)));
    expect(requestsTo('auth.token')).toBe(1);
  });
});

describe('Poleepo client: paging and dates', () => {
  beforeEach(async () => {
    await start();
    db = await createTestDb('sqlite');
  });

  it('pages with max=100 and stops on the first short page', async () => {
    addProducts(250);
    const { client, apiLog, apiLogRepo } = sandboxClient(sandbox, clock, { db });
    const all = await collect(client.listProducts());
    expect(all).toHaveLength(250);
    expect(new Set(all.map((p) => p.sku)).size).toBe(250);
    await apiLog!.flush();
    const paths = (await apiLogRepo!.list({ pathContains: '/products' })).map((r) => r.path).reverse();
    expect(paths).toEqual(['/products?offset=0&max=100', '/products?offset=100&max=100', '/products?offset=200&max=100']);
  });

  it('asks one more (empty) page when the last page is exactly full, and never more than 100 even when told to', async () => {
    addProducts(200);
    const { client, apiLog, apiLogRepo } = sandboxClient(sandbox, clock, { db, overrides: { pageSize: 500 } });
    expect(await collect(client.listProducts())).toHaveLength(200);
    await apiLog!.flush();
    const paths = (await apiLogRepo!.list({ pathContains: '/products' })).map((r) => r.path).reverse();
    expect(paths).toEqual(['/products?offset=0&max=100', '/products?offset=100&max=100', '/products?offset=200&max=100']);
  });

  it('a smaller page size is honoured, and active=false filters', async () => {
    addProducts(7);
    sandbox.state.catalog.productBySku('P-0003')!.active = false;
    const { client } = sandboxClient(sandbox, clock, { overrides: { pageSize: 3 } });
    expect(await collect(client.listProducts())).toHaveLength(7);
    expect(requestsTo('products.list')).toBe(3);
    expect((await collect(client.listProducts({ active: false }))).map((p) => p.sku)).toEqual(['P-0003']);
  });

  it('stops with a protocol error when a server ignores offset (instead of looping forever)', async () => {
    const server = await startTestServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/oauth/access_token') return res.end(JSON.stringify({ data: { access_token: 't', duration: 3600 } }));
      res.end(JSON.stringify({ data: Array.from({ length: 100 }, (_, i) => ({ id: i + 1, sku: `S${i}` })) }));
    });
    try {
      const { client } = buildClient({ baseUrl: server.url, key: KEY, clock });
      const error = await collect(client.listProducts()).catch((e) => e);
      expect(error).toBeInstanceOf(PoleepoProtocolError);
      expect(server.requests.map((r) => r.url)).toEqual(['/oauth/access_token', '/products?offset=0&max=100', '/products?offset=100&max=100']);
    } finally {
      await server.close();
    }
  });

  it('a 2xx answer saying success: false is a refusal (as S2 reads it), and one without the envelope a protocol error', async () => {
    const server = await startTestServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url === '/oauth/access_token') return res.end(JSON.stringify({ data: { access_token: 't', duration: 3600 } }));
      if (req.url!.startsWith('/products')) return res.end(JSON.stringify({ success: false, message: 'Categoria non valida', code: 'CATEGORY' }));
      res.end(JSON.stringify({ items: [] }));
    });
    try {
      const { client } = buildClient({ baseUrl: server.url, key: KEY, clock });
      const refused = await client.getProduct(1).catch((e) => e);
      expect(refused).toBeInstanceOf(PoleepoValidationError);
      expect(refused.message).toBe('Poleepo refused products.get: Categoria non valida');
      expect(refused.info.poleepoCode).toBe('CATEGORY');
      expect(await client.listCarriers().catch((e) => e)).toBeInstanceOf(PoleepoProtocolError);
    } finally {
      await server.close();
    }
  });

  it('formats updated_after as UTC whole seconds, and the sandbox rejects fractions as the real API breaks on them', async () => {
    expect(formatUpdatedAfter(Date.UTC(2026, 5, 3, 10, 15, 0, 789))).toBe('2026-06-03T10:15:00Z');
    expect(formatUpdatedAfter(new Date('2026-06-03T12:15:00.999+02:00'))).toBe('2026-06-03T10:15:00Z');
    expect(parsePoleepoDate('2026-06-03T10:15:00Z')).toBe(Date.UTC(2026, 5, 3, 10, 15));
    expect(parsePoleepoDate('2026-06-03 10:15:00')).toBe(Date.UTC(2026, 5, 3, 10, 15));
    expect(parsePoleepoDate('2026-06-03T12:15:00.5+02:00')).toBe(Date.UTC(2026, 5, 3, 10, 15, 0, 500));
    const { client } = sandboxClient(sandbox, clock);
    const error = await client.call('orders.list', { query: { updated_after: '2026-06-03T10:15:00.123Z', offset: 0, max: 10 } }).catch((e) => e);
    expect(error).toBeInstanceOf(PoleepoValidationError);
    expect(error.fields).toEqual([expect.objectContaining({ field: 'updated_after', code: 'INVALID_FORMAT' })]);
  });

  it('lists only orders changed at or after the cursor, oldest change first', async () => {
    const { client } = sandboxClient(sandbox, clock);
    const a = (await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'X', quantity: 1 }] })).body;
    clock.advance(60_000);
    const cursor = clock.now() + 400; // fractions are floored: b (changed at cursor-400 ms) is still included
    const b = (await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'Y', quantity: 1 }] })).body;
    clock.advance(60_000);
    await control(sandbox, 'POST', `/__sandbox/orders/${a.id}/status`, { status: 'IN_PROCESS' });
    expect((await collect(client.listOrdersSince(cursor))).map((o) => o.id)).toEqual([b.id, a.id]);
    expect((await collect(client.listOrdersSince(null))).map((o) => o.id)).toEqual([b.id, a.id]);
    expect(await collect(client.listOrdersSince(clock.now() + 1000))).toEqual([]);
  });
});

describe('Poleepo client: every endpoint against the sandbox', () => {
  beforeEach(async () => {
    await start({ seedProducts: true });
  });

  it('products: list, get, get by SKU, create, partial update (tags without an id silently dropped)', async () => {
    const { client } = sandboxClient(sandbox, clock);
    const listed = await collect(client.listProducts());
    expect(listed.map((p) => p.sku)).toEqual(['MUG-CLASSIC', 'TSHIRT', 'TSHIRT-RED-M', 'TSHIRT-RED-L']);
    const mug = await client.getProduct(listed[0].id);
    expect(mug).toMatchObject({ sku: 'MUG-CLASSIC', price: 8.2, vat_rate: 22, price_with_tax: 10, main_category_path: 'Casa' });
    expect(await client.getProductBySku('TSHIRT-RED-L')).toMatchObject({ sku: 'TSHIRT-RED-L', parent_sku: 'TSHIRT', type: { id: 'VARIANT' } });
    expect(await client.getProductBySku('TSHIRT-RED')).toBeNull();
    const created = await client.createProduct({ sku: 'NEW-1', title: 'Nuovo', price: 12.5, vat_rate: 22, quantity: 3, active: true, main_category_id: 8360, weight: 0.4 });
    expect(created).toMatchObject({ id: expect.any(Number), sku: 'NEW-1', price_with_tax: 15.25, main_category_path: 'NON CATEGORIZZATO', weight: 0.4 });
    const updated = await client.updateProduct(created.id, { quantity: 9, tags: [{ id: 1, value: 'estate' }, { value: 'brand new tag' }] });
    expect(updated).toMatchObject({ quantity: 9, title: 'Nuovo', tags: [{ id: 1, value: 'estate' }] });
    expect(await collect(client.listCategories())).toContainEqual({ id: 8362, name: 'T-shirt', path: 'Abbigliamento > T-shirt' });
  });

  it('getProductBySku scans every page when the API ignores the sku filter, and never returns a near match', async () => {
    addProducts(150);
    sandbox.knobs.honourSkuFilter = false;
    const { client } = sandboxClient(sandbox, clock);
    expect(await client.getProductBySku('P-0149')).toMatchObject({ sku: 'P-0149' });
    expect(await client.getProductBySku('P-01')).toBeNull();
  });

  it('publications: list, filtered by channel', async () => {
    const { client } = sandboxClient(sandbox, clock);
    expect(await collect(client.listPublications())).toHaveLength(3);
    const amazon = await collect(client.listPublications({ source: 'AMAZON' }));
    expect(amazon.map((p) => p.sku)).toEqual(['TSHIRT-RED-M', 'TSHIRT-RED-L']);
    expect(amazon[0]).toMatchObject({ source_id: 'B0TSHRTM01', source: { id: 'AMAZON', name: 'Amazon' } });
  });

  it('product batches: submitted, pending until processed, then per-item results', async () => {
    const { client } = sandboxClient(sandbox, clock);
    const batch = await client.submitBatch([
      { sku: 'tmpl-9', title: 'Felpa', category_path: 'Abbigliamento > Felpe', price: 30 },
      { sku: 'FELPA-S', parent_sku: 'tmpl-9', title: 'Felpa S', price: 30, price_with_tax: 36.6, vat_rate: 22, quantity: 4, images: ['http://img/1.jpg'], attributes: [{ name: 'Taglia', value: 'S' }] },
      { sku: 'ORPHAN', parent_sku: 'tmpl-404', title: 'Orfano' },
    ]);
    expect(batch).toMatchObject({ id: expect.any(Number), status: 'PENDING', items: 3 });
    expect((await client.getBatch(batch.id)).status).toBe('PENDING');
    clock.advance(1000);
    const done = await client.getBatch(batch.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.results!.map((r) => [r.sku, r.status, r.error_code])).toEqual([
      ['tmpl-9', 'SUCCESS', null], ['FELPA-S', 'SUCCESS', null], ['ORPHAN', 'ERROR', 'PARENT_NOT_FOUND'],
    ]);
    const variant = await client.getProduct(done.results![1].product_id!);
    expect(variant).toMatchObject({ sku: 'FELPA-S', parent_sku: 'tmpl-9', quantity: 4, main_category_path: null, images: [{ id: expect.any(Number), url: 'http://img/1.jpg' }] });
  });

  it('orders: get, update status (transitions enforced), status as code or {id, name}', async () => {
    const { client } = sandboxClient(sandbox, clock);
    const made = (await control(sandbox, 'POST', '/__sandbox/orders', { channel: 'amazon', lines: [{ sku: 'MUG-CLASSIC', quantity: 2 }, { sku: 'TSHIRT-RED-M', quantity: 1, price: 19.9 }], shipping_cost: 4.9 })).body;
    const order = await client.getOrder(made.id as number);
    expect(order).toMatchObject({ id: made.id, status: 'PAYMENT_ACCEPTED', source: { id: 'AMAZON', name: 'Amazon' }, currency: 'EUR', total_price: 10 * 2 + 19.9 + 4.9 });
    expect(order.lines).toEqual([
      expect.objectContaining({ sku: 'MUG-CLASSIC', quantity: 2, price: 10, total_price: 20 }),
      expect.objectContaining({ sku: 'TSHIRT-RED-M', quantity: 1, price: 19.9 }),
    ]);
    expect(orderStatusCode((await client.updateOrderStatus(order.id, 'IN_PROCESS')).status)).toBe('IN_PROCESS');
    const refused = await client.updateOrderStatus(order.id, 'REFUNDED').catch((e) => e);
    expect(refused).toBeInstanceOf(PoleepoValidationError);
    expect(refused.info.poleepoCode).toBe('INVALID_STATUS_TRANSITION');
    sandbox.knobs.orderStatusFormat = 'object';
    const asObject = await client.getOrder(order.id);
    expect(asObject.status).toEqual({ id: 'IN_PROCESS', name: 'In lavorazione' });
    expect(orderStatusCode(asObject.status)).toBe('IN_PROCESS');
  });

  it('shippings: couriers, package types, pickup addresses, create, list, get, real PDF waybill, handed to courier ships the order', async () => {
    const { client } = sandboxClient(sandbox, clock);
    const carriers = await client.listCarriers();
    expect(carriers.map((c) => c.code)).toEqual(['BRT', 'GLS', 'SDA', 'POSTE']);
    const packages = await client.listPackageTypes();
    expect(packages[1]).toMatchObject({ name: 'Scatola piccola', weight: 5, width: 30, height: 20, depth: 10 });
    const pickups = await client.listPickupAddresses();
    expect(pickups.find((p) => p.is_default)).toMatchObject({ city: 'Segrate' });
    const made = (await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'MUG-CLASSIC', quantity: 1 }] })).body;
    await client.updateOrderStatus(made.id as number, 'IN_PROCESS');
    const gls = carriers.find((c) => c.code === 'GLS')!;
    const shipping = await client.createShipping({ order_id: made.id as number, carrier_id: gls.id, package_type_id: packages[1].id, pickup_address_id: pickups[0].id, parcels: [{ weight: 1.5 }] });
    expect(shipping).toMatchObject({ order_id: made.id, status: 'LABEL_READY', carrier: expect.stringMatching(/^GLS/), tracking_code: expect.any(String), parcel_id: expect.any(String) });
    expect(shipping.delivery_address).toMatchObject({ country_iso: 'IT', postcode: expect.any(String) });
    expect(orderShippingIds(await client.getOrder(made.id as number))).toEqual([shipping.id]);
    expect((await collect(client.listShippings({ orderId: made.id as number }))).map((s) => s.id)).toEqual([shipping.id]);
    expect(await client.getShipping(shipping.id)).toMatchObject({ id: shipping.id, tracking_code: shipping.tracking_code });
    const label = await client.getShippingLabel(shipping.id);
    expect(label).toMatchObject({ shipping_id: shipping.id, format: 'PDF', file_name: expect.stringMatching(/\.pdf$/) });
    expect(label.pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(label.pdf.toString('latin1')).toContain(shipping.tracking_code!);
    expect((await client.markHandedToCarrier(shipping.id)).status).toBe('HANDED_TO_CARRIER');
    expect(orderStatusCode((await client.getOrder(made.id as number)).status)).toBe('SHIPPED');
    const again = await client.markHandedToCarrier(shipping.id).catch((e) => e);
    expect(again).toBeInstanceOf(PoleepoValidationError);
  });

  it('shippings: a bad request is refused per field before anything is created', async () => {
    const { client } = sandboxClient(sandbox, clock);
    const made = (await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'MUG-CLASSIC', quantity: 1 }] })).body;
    const error = await client.createShipping({ order_id: made.id as number, carrier_id: 99, package_type_id: 1, pickup_address_id: 1, parcels: [{ weight: 0 }] }).catch((e) => e);
    expect(error).toBeInstanceOf(PoleepoValidationError);
    expect(error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['carrier_id', 'parcels[0].weight']);
    expect(sandbox.state.shippings.shippings.size).toBe(0);
  });

  it('documents: invoice upload, list (with the waybill Poleepo made), get with content', async () => {
    const { client } = sandboxClient(sandbox, clock);
    const made = (await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'MUG-CLASSIC', quantity: 1 }] })).body;
    const pdf = Buffer.from('%PDF-1.4\n% an invoice\n%%EOF\n');
    const doc = await client.uploadDocument(made.id as number, { type: 'INVOICE', number: 'INV/2026/0001', date: '2026-03-02', file_name: 'INV_2026_0001.pdf', content_base64: pdf.toString('base64') });
    expect(doc).toMatchObject({ id: expect.any(Number), order_id: made.id, type: 'INVOICE', number: 'INV/2026/0001' });
    await client.createShipping({ order_id: made.id as number, carrier_id: 1, package_type_id: 1, pickup_address_id: 1, parcels: [{ weight: 0.5 }] });
    const docs = await client.listDocuments(made.id as number);
    expect(docs.map((d) => d.type)).toEqual(['INVOICE', 'WAYBILL']);
    expect(docs[0].content_base64).toBeUndefined();
    const fetched = await client.getDocument(made.id as number, doc.id);
    expect(fetched.bytes.equals(pdf)).toBe(true);
    const bad = await client.uploadDocument(made.id as number, { type: 'INVOICE', number: 'X', date: '02/03/2026', file_name: 'x.pdf', content_base64: pdf.toString('base64') }).catch((e) => e);
    expect(bad).toBeInstanceOf(PoleepoValidationError);
    expect(bad.fields).toEqual([expect.objectContaining({ field: 'date' })]);
  });
});

describe('Poleepo client: typed errors, retries and the API log', () => {
  beforeEach(async () => {
    await start({
      clients: [KEY, { clientId: 'poleepo_readonly', clientSecret: 'plpscrt_readonly', permissions: { orders: 'read', products: 'none', shipping: 'write' } }],
    });
  });

  it('403 says which permission is missing; 404 is NotFound; 422 carries per-field details', async () => {
    const limited = buildClient({ baseUrl: sandbox.url, key: sandbox.clients[1], clock }).client;
    const noProducts = await limited.page('products.list', 0, 1).catch((e) => e);
    expect(noProducts).toBeInstanceOf(PoleepoPermissionError);
    expect([noProducts.permission, noProducts.required]).toEqual(['products', 'read']);
    expect(noProducts.message).toMatch(/no read access to products/);
    const noWrite = await limited.updateOrderStatus(1, 'IN_PROCESS').catch((e) => e);
    expect([noWrite.permission, noWrite.required]).toEqual(['orders', 'write']);
    const { client } = sandboxClient(sandbox, clock);
    expect(await client.getOrder(424242).catch((e) => e)).toBeInstanceOf(PoleepoNotFoundError);
    const invalid = await client.createProduct({ sku: '', title: 'x', price: -1 } as never).catch((e) => e);
    expect(invalid).toBeInstanceOf(PoleepoValidationError);
    expect(invalid.fields.map((f: { field: string }) => f.field).sort()).toEqual(['main_category_id', 'price', 'sku', 'vat_rate']);
    const duplicate = await client.createProduct({ sku: 'D', title: 'x', price: 1, vat_rate: 22, quantity: 0, active: true, main_category_id: 8360 })
      .then(() => client.createProduct({ sku: 'D', title: 'y', price: 1, vat_rate: 22, quantity: 0, active: true, main_category_id: 8360 })).catch((e) => e);
    expect(duplicate.fields).toEqual([expect.objectContaining({ field: 'sku', code: 'DUPLICATE_SKU' })]);
  });

  it('retries 5xx with exponential backoff and jitter, then succeeds; gives up with PoleepoServerError', async () => {
    const { client } = sandboxClient(sandbox, clock);
    await client.token();
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'carriers.list', status: 500, count: 2 });
    expect(await client.listCarriers()).toHaveLength(4);
    expect(clock.slept).toEqual([75, 150]); // 100·2^n, half fixed + half jitter at 0.5
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: '/carriers', status: 503, count: 10 });
    const error = await client.listCarriers().catch((e) => e);
    expect(error).toBeInstanceOf(PoleepoServerError);
    expect(statuses('carriers.list')).toEqual({ 200: 1, 500: 2, 503: 4 });
  });

  it('honours Retry-After on 429, and hands a long wait back as PoleepoRateLimitedError', async () => {
    const { client } = sandboxClient(sandbox, clock);
    await client.token();
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'orders.list', status: 429, retry_after: 7 });
    await client.page('orders.list', 0, 10);
    expect(clock.slept).toEqual([7000]);
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'orders.list', status: 429, retry_after: 3600 });
    const error = await client.page('orders.list', 0, 10).catch((e) => e);
    expect(error).toBeInstanceOf(PoleepoRateLimitedError);
    expect(error.retryAfterMs).toBe(3_600_000);
  });

  it('a Retry-After wait ends at once when the caller\'s signal is aborted (a task timing out), with no request after it', async () => {
    const waits = new ManualClock(START);
    const { client } = sandboxClient(sandbox, waits);
    await client.token();
    const slept = async (n: number) => {
      while (waits.slept.length < n) await new Promise((resolve) => setImmediate(resolve));
    };
    // An idempotent read: the HTTP client's wait.
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'orders.list', status: 429, retry_after: 30 });
    const reading = new AbortController();
    const read = collect(client.listOrdersSince(null, undefined, { signal: reading.signal })).catch((e: unknown) => e);
    await slept(1);
    const timedOut = new Error('Timed out after 5000 ms');
    reading.abort(timedOut);
    expect(await read).toBe(timedOut);
    expect(requestsTo('orders.list')).toBe(1);
    // A creating POST repeated only after a 429: the client's own wait.
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'batches.submit', status: 429, retry_after: 30 });
    const submitting = new AbortController();
    const submit = client.submitBatch([{ sku: 'A', title: 'A' }], { signal: submitting.signal }).catch((e: unknown) => e);
    await slept(2);
    submitting.abort(timedOut);
    expect(await submit).toBe(timedOut);
    expect(requestsTo('batches.submit')).toBe(1);
    expect(waits.slept).toEqual([30_000, 30_000]);
  });

  it('productIdsBySku: one walk of the product list for many SKUs, stopped once every SKU is found', async () => {
    addProducts(250);
    const { client } = sandboxClient(sandbox, clock);
    const found = await client.productIdsBySku(['P-0003', 'P-0150']);
    expect([...found.keys()].sort()).toEqual(['P-0003', 'P-0150']);
    expect(requestsTo('products.list')).toBe(2); // pages of 100: P-0150 is on the second, the third is never asked
    const withMissing = await client.productIdsBySku(['P-0003', 'NOPE-1']);
    expect([...withMissing.keys()]).toEqual(['P-0003']);
    expect(requestsTo('products.list')).toBe(2 + 3); // a SKU Poleepo lacks: the whole list, once
  });

  it('the sandbox enforces 5 batch status requests per window with 429 + Retry-After when no ledger guards the client', async () => {
    const { client } = sandboxClient(sandbox, clock);
    const batch = await client.submitBatch([{ sku: 'A', title: 'A' }]);
    for (let i = 0; i < 5; i++) await client.getBatch(batch.id);
    const error = await client.getBatch(batch.id).catch((e) => e);
    expect(error).toBeInstanceOf(PoleepoRateLimitedError);
    expect(error.retryAfterMs).toBe(600_000);
    expect(sandbox.stats.endpoint('batches.status')).toMatchObject({ requests: 6, rate_limited: 1, limit: 5, max_in_window: 6 });
    clock.advance(600_000);
    expect((await client.getBatch(batch.id)).status).toBe('COMPLETED');
  });

  it('retries network failures (connection dropped) and reports them as TransportError when they persist', async () => {
    const { client } = sandboxClient(sandbox, clock);
    await client.token();
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'packageTypes.list', drop: true, count: 1 });
    expect(await client.listPackageTypes()).toHaveLength(4);
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'packageTypes.list', drop: true, count: 4 });
    expect(await client.listPackageTypes().catch((e) => e)).toBeInstanceOf(TransportError);
  });

  it('times out a slow reply', async () => {
    const { client } = sandboxClient(sandbox, clock, { overrides: { timeoutMs: 80, retries: 0 } });
    await client.token();
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'pickupAddresses.list', delay_ms: 400 });
    const error = await client.listPickupAddresses().catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.timedOut).toBe(true);
  });

  it('a malformed answer is a PoleepoProtocolError', async () => {
    const { client } = sandboxClient(sandbox, clock);
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'products.get', malformed: true });
    expect(await client.getProduct(1).catch((e) => e)).toBeInstanceOf(PoleepoProtocolError);
  });

  it('never repeats a creating POST after a 5xx or a dropped connection (it may have been applied), but does after a 429', async () => {
    const { client } = sandboxClient(sandbox, clock);
    await client.token();
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'batches.submit', status: 503 });
    expect(await client.submitBatch([{ sku: 'A', title: 'A' }]).catch((e) => e)).toBeInstanceOf(PoleepoServerError);
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'batches.submit', drop: true });
    expect(await client.submitBatch([{ sku: 'A', title: 'A' }]).catch((e) => e)).toBeInstanceOf(TransportError);
    expect(requestsTo('batches.submit')).toBe(2);
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'batches.submit', status: 429, retry_after: 2 });
    expect((await client.submitBatch([{ sku: 'A', title: 'A' }])).status).toBe('PENDING');
    expect(requestsTo('batches.submit')).toBe(4);
    expect(clock.slept).toEqual([2000]);
  });

  it('logs every call with system poleepo, and neither the client secret nor any token reaches the API log', async () => {
    db = await createTestDb('sqlite');
    const { client, apiLog, apiLogRepo } = sandboxClient(sandbox, clock, { db, connectionId: null });
    await client.listCarriers();
    await control(sandbox, 'POST', '/__sandbox/tokens/expire');
    await client.listCarriers();
    await client.getOrder(999).catch(() => undefined);
    await apiLog!.flush();
    const rows = await apiLogRepo!.list({ limit: 100 });
    expect(rows.map((r) => `${r.method} ${r.path} ${r.status}`).reverse()).toEqual([
      'POST /oauth/access_token 200', 'GET /carriers?offset=0&max=100 200', 'GET /carriers?offset=0&max=100 401',
      'POST /oauth/access_token 200', 'GET /carriers?offset=0&max=100 200', 'GET /orders/999 404',
    ]);
    expect(rows.every((r) => r.system === 'poleepo' && r.direction === 'outbound')).toBe(true);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(KEY.clientSecret);
    expect(dump).toContain(KEY.clientId);
    const tokenRows = rows.filter((r) => r.path === '/oauth/access_token');
    for (const r of tokenRows) expect(r.response_body).toContain('"access_token":"[redacted]"');
    const issuedTokens = [...(sandbox.state.auth as unknown as { tokens: Map<string, unknown> }).tokens.keys()];
    expect(issuedTokens).toHaveLength(2);
    for (const t of issuedTokens) expect(dump).not.toContain(t);
  });
});
