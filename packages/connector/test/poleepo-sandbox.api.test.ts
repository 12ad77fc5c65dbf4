import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { collect } from '../src/poleepo/poleepo.client.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import type { PoleepoSandboxOptions } from '@poleepo-odoo/poleepo-sandbox';
import { maxInWindow } from '@poleepo-odoo/poleepo-sandbox';
import { buildLabelPdf } from '@poleepo-odoo/poleepo-sandbox';
import { italianFiscalCode } from '@poleepo-odoo/poleepo-sandbox';
import { buildClient, control, sandboxClient } from './fixtures/poleepo-kit.ts';

const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const sandboxes: PoleepoSandbox[] = [];
let clock: ManualClock;

async function start(options: PoleepoSandboxOptions = {}): Promise<PoleepoSandbox> {
  clock = new ManualClock(START, true);
  const s = await startPoleepoSandbox({ clock, ...options });
  sandboxes.push(s);
  return s;
}

afterEach(async () => {
  while (sandboxes.length) await sandboxes.pop()!.stop();
});

async function raw(sandbox: PoleepoSandbox, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${sandbox.url}${path}`, {
    method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  return { status: res.status, headers: res.headers, body: await res.json() as Record<string, unknown> };
}

describe('Poleepo sandbox: authentication', () => {
  it('answers the confirmed token shape, refuses grant_type, wrong secrets, disabled keys and expired tokens', async () => {
    const sandbox = await start({ tokenTtlSeconds: 120, clients: [
      { clientId: 'poleepo_a', clientSecret: 'plpscrt_a' },
      { clientId: 'poleepo_off', clientSecret: 'plpscrt_off', enabled: false },
    ] });
    const ok = await raw(sandbox, 'POST', '/oauth/access_token', { client_id: 'poleepo_a', client_secret: 'plpscrt_a', grant: 'client_credentials' });
    expect(ok).toMatchObject({ status: 200, body: { data: { access_token: expect.any(String), duration: 120 } } });
    const grantType = await raw(sandbox, 'POST', '/oauth/access_token', { client_id: 'poleepo_a', client_secret: 'plpscrt_a', grant_type: 'client_credentials' });
    expect(grantType).toMatchObject({ status: 400, body: { success: false, code: 'VALIDATION_ERROR', errors: [{ field: 'grant' }] } });
    expect((await raw(sandbox, 'POST', '/oauth/access_token', { client_id: 'poleepo_a', client_secret: 'x', grant: 'client_credentials' })).body).toMatchObject({ code: 'INVALID_CLIENT' });
    expect((await raw(sandbox, 'POST', '/oauth/access_token', { client_id: 'poleepo_off', client_secret: 'plpscrt_off', grant: 'client_credentials' })).status).toBe(401);
    const token = (ok.body.data as { access_token: string }).access_token;
    expect((await raw(sandbox, 'GET', '/carriers', undefined, token)).status).toBe(200);
    expect((await raw(sandbox, 'GET', '/carriers')).body).toMatchObject({ code: 'INVALID_TOKEN' });
    expect((await raw(sandbox, 'GET', '/carriers', undefined, 'nope')).body).toMatchObject({ code: 'INVALID_TOKEN' });
    clock.advance(120_000);
    expect((await raw(sandbox, 'GET', '/carriers', undefined, token))).toMatchObject({ status: 401, body: { code: 'TOKEN_EXPIRED' } });
  });

  it('enforces none/read/write per area with 403 saying what is missing, and hides customer data or prices when the key says so', async () => {
    const sandbox = await start({ clients: [
      { clientId: 'poleepo_full', clientSecret: 's1', permissions: { orders: 'write', products: 'write', shipping: 'write' } },
      { clientId: 'poleepo_hidden', clientSecret: 's2', permissions: { orders: 'read', products: 'none', shipping: 'read', hideCustomerData: true, hidePrices: true } },
    ] });
    const order = (await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'A', quantity: 1, price: 5 }], shipping_cost: 3 })).body as { id: number };
    const full = buildClient({ baseUrl: sandbox.url, key: sandbox.clients[0], clock }).client;
    const hidden = buildClient({ baseUrl: sandbox.url, key: sandbox.clients[1], clock }).client;
    const shipping = await full.createShipping({ order_id: order.id, carrier_id: 4, package_type_id: 1, pickup_address_id: 1, parcels: [{ weight: 0.3 }] });
    const seen = await hidden.getOrder(order.id);
    for (const k of ['customer', 'invoice_address', 'delivery_address', 'total_price', 'shipping_cost', 'cash_on_delivery']) expect(seen).not.toHaveProperty(k);
    expect(seen.lines).toEqual([expect.not.objectContaining({ price: expect.anything() })]);
    expect(seen.lines![0]).toMatchObject({ sku: 'A', quantity: 1 });
    expect(await hidden.getShipping(shipping.id)).not.toHaveProperty('delivery_address');
    expect((await full.getOrder(order.id)).total_price).toBe(8);
    const token = (await hidden.token()).token;
    expect(await raw(sandbox, 'GET', '/products', undefined, token)).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED', permission: 'products', required: 'read' } });
    expect(await raw(sandbox, 'PUT', `/shippings/${shipping.id}/status`, { status: 'CANCELED' }, token)).toMatchObject({ status: 403, body: { permission: 'shipping', required: 'write' } });
  });
});

describe('Poleepo sandbox: product batches', () => {
  it('processes items in order: parents first, PARENT_NOT_FOUND, DUPLICATE_SKU, PRODUCT_NOT_FOUND, VALIDATION_ERROR; PROCESSING half way', async () => {
    const sandbox = await start({ batchProcessingDelayMs: 10_000 });
    sandbox.state.catalog.insert({ sku: 'EXISTING', title: 'Esiste', price: 1, vat_rate: 22 }, clock.now());
    const existing = sandbox.state.catalog.productBySku('EXISTING')!;
    const { client } = sandboxClient(sandbox, clock);
    const batch = await client.submitBatch([
      { sku: 'V-1', parent_sku: 'T-1', title: 'before its parent' },
      { sku: 'T-1', title: 'Template', category_path: 'Casa > Cucina', price: 9 },
      { sku: 'V-2', parent_sku: 'T-1', title: 'after its parent', price: 9, vat_rate: 10, quantity: 3 },
      { sku: 'V-2', title: 'twice in a batch' },
      { sku: 'EXISTING', title: 'create over an existing SKU' },
      { product_id: 99, sku: 'GHOST', title: 'unknown id' },
      { sku: 'BAD', title: 'bad quantity', quantity: 1.5 },
      { sku: 'NO-TITLE' },
      { product_id: existing.id, sku: 'EXISTING-RENAMED', price: 2 },
    ]);
    expect((await client.getBatch(batch.id)).results!.every((r) => r.status === 'PENDING')).toBe(true);
    clock.advance(5_000);
    expect((await client.getBatch(batch.id)).status).toBe('PROCESSING');
    clock.advance(5_000);
    const done = await client.getBatch(batch.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.completed_at).toBe('2026-03-02T09:00:10Z');
    expect(done.results!.map((r) => [r.index, r.sku, r.status, r.error_code])).toEqual([
      [0, 'V-1', 'ERROR', 'PARENT_NOT_FOUND'],
      [1, 'T-1', 'SUCCESS', null],
      [2, 'V-2', 'SUCCESS', null],
      [3, 'V-2', 'ERROR', 'DUPLICATE_SKU'],
      [4, 'EXISTING', 'ERROR', 'DUPLICATE_SKU'],
      [5, 'GHOST', 'ERROR', 'PRODUCT_NOT_FOUND'],
      [6, 'BAD', 'ERROR', 'VALIDATION_ERROR'],
      [7, 'NO-TITLE', 'ERROR', 'VALIDATION_ERROR'],
      [8, 'EXISTING-RENAMED', 'SUCCESS', null],
    ]);
    expect(done.results![6].message).toMatch(/quantity/);
    expect(done.results![8].product_id).toBe(existing.id);
    expect(await client.getProduct(existing.id)).toMatchObject({ sku: 'EXISTING-RENAMED', price: 2, price_with_tax: 2.44 });
    expect(await client.getProductBySku('T-1')).toMatchObject({ type: { id: 'PARENT' }, main_category_path: 'Casa > Cucina' });
    expect(await client.getProductBySku('V-2')).toMatchObject({ type: { id: 'VARIANT' }, parent_sku: 'T-1', vat_rate: 10, price_with_tax: 9.9 });

    // The orphan, resent after its parent exists, goes through; a batch where everything fails is FAILED.
    const retry = await client.submitBatch([{ sku: 'V-1', parent_sku: 'T-1', title: 'now' }]);
    const failed = await client.submitBatch([{ sku: 'T-1', title: 'dup' }]);
    clock.advance(10_000);
    expect((await client.getBatch(retry.id)).status).toBe('COMPLETED');
    expect(await client.getBatch(failed.id)).toMatchObject({ status: 'FAILED', results: [{ error_code: 'DUPLICATE_SKU' }] });
    expect((await collect(client.listProducts())).map((p) => p.sku).sort()).toEqual(['EXISTING-RENAMED', 'T-1', 'V-1', 'V-2']);
  });

  it('refuses an empty or oversized batch at submission, and an unknown batch id is 404', async () => {
    const sandbox = await start({ maxBatchItems: 2 });
    const token = (await sandboxClient(sandbox, clock).client.token()).token;
    expect((await raw(sandbox, 'POST', '/products/batch', { products: [] }, token)).status).toBe(422);
    expect((await raw(sandbox, 'POST', '/products/batch', { products: [{ sku: 'a' }, { sku: 'b' }, { sku: 'c' }] }, token)).body).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/at most 2/) });
    expect((await raw(sandbox, 'POST', '/products/batch', '{not json', token)).status).toBe(400);
    expect((await raw(sandbox, 'GET', '/products/batch/4242', undefined, token)).status).toBe(404);
  });
});

describe('Poleepo sandbox: orders and labels', () => {
  it('generates believable Italian orders: several lines, channels, fiscal codes and VAT numbers that check, SDI or PEC', async () => {
    const sandbox = await start({ seedProducts: true, randomSeed: 7 });
    const { orders } = (await control(sandbox, 'POST', '/__sandbox/orders/generate', { count: 40 })).body as { orders: Record<string, any>[] };
    expect(orders).toHaveLength(40);
    expect(orders.some((o) => o.lines.length > 1)).toBe(true);
    expect(new Set(orders.map((o) => o.source.id)).size).toBeGreaterThanOrEqual(4);
    for (const o of orders) {
      expect(o.status).toBe('PAYMENT_ACCEPTED');
      expect(o.total_price).toBeCloseTo(o.lines.reduce((s: number, l: any) => s + l.total_price, 0) + o.shipping_cost - o.vouchers.reduce((s: number, v: any) => s + v.amount, 0), 2);
      for (const a of [o.invoice_address, o.delivery_address]) expect(a).toMatchObject({ address: expect.any(String), postcode: expect.stringMatching(/^\d{5}$/), city: expect.any(String), state_iso: expect.stringMatching(/^[A-Z]{2}$/), country_iso: 'IT' });
      const fc = o.customer.fiscal_code;
      if (fc) expect(fc).toMatch(/^[A-Z]{6}\d{2}[ABCDEHLMPRST]\d{2}[A-Z]\d{3}[A-Z]$/);
      if (fc) expect(fc[15]).toBe(fiscalCheckChar(fc.slice(0, 15)));
      if (o.customer.vat_number) expect(vatNumberValid(o.customer.vat_number.slice(2))).toBe(true);
      if (o.customer.company) expect(o.customer.sdi_code ?? o.customer.pec).toBeTruthy();
    }
    expect(orders.some((o) => o.customer.fiscal_code)).toBe(true);
    expect(orders.some((o) => o.customer.company && o.customer.pec)).toBe(true);
    expect(orders.some((o) => o.customer.company && o.customer.sdi_code !== '0000000')).toBe(true);
    expect(orders.some((o) => o.invoice_address.address !== o.delivery_address.address)).toBe(true);
    // Same seed, same orders.
    const twin = await start({ seedProducts: true, randomSeed: 7 });
    const again = (await control(twin, 'POST', '/__sandbox/orders/generate', { count: 40 })).body as { orders: Record<string, any>[] };
    expect(again.orders.map((o) => o.reference_id)).toEqual(orders.map((o) => o.reference_id));
  });

  it('POST /__sandbox/orders: given customer, channel and prices win; bad input is a 400 with a reason', async () => {
    const sandbox = await start({ seedProducts: true });
    const res = await control(sandbox, 'POST', '/__sandbox/orders', {
      channel: 'eBay', customer: { firstname: 'Anna', lastname: 'Verdi', email: 'anna@example.it', fiscal_code: 'VRDNNA80A41H501Z', address: 'Via Po 1', postcode: '10124', city: 'Torino', state_iso: 'TO' },
      lines: [{ sku: 'MUG-CLASSIC', quantity: 3 }, { sku: 'UNKNOWN-SKU', quantity: 1, price: 2.5 }], shipping_cost: 5.9,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(Number), source: { id: 'EBAY', name: 'eBay' }, status: 'PAYMENT_ACCEPTED',
      customer: { firstname: 'Anna', lastname: 'Verdi', email: 'anna@example.it', fiscal_code: 'VRDNNA80A41H501Z' },
      invoice_address: { name: 'Anna', surname: 'Verdi', address: 'Via Po 1', city: 'Torino', fiscal_code: 'VRDNNA80A41H501Z' },
      delivery_address: { address: 'Via Po 1', city: 'Torino', fiscal_code: null },
      lines: [
        { sku: 'MUG-CLASSIC', product_id: expect.any(Number), quantity: 3, price: 10, vat_rate: 22, total_price: 30 },
        { sku: 'UNKNOWN-SKU', product_id: null, quantity: 1, price: 2.5 },
      ],
      shipping_cost: 5.9, total_price: 38.4, currency: 'EUR',
    });
    expect((await control(sandbox, 'POST', '/__sandbox/orders', { lines: [] })).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'A', quantity: 0 }] })).body).toEqual({ error: expect.stringMatching(/quantity/), code: 'VALIDATION_ERROR' });
    expect((await control(sandbox, 'POST', '/__sandbox/orders/999/status', { status: 'SHIPPED' })).status).toBe(404);
    expect((await control(sandbox, 'POST', `/__sandbox/orders/${(res.body as { id: number }).id}/status`, { status: 'LOST' })).status).toBe(400);
    // The control API may set any status (the merchant's drop-down); the Poleepo API may not.
    expect((await control(sandbox, 'POST', `/__sandbox/orders/${(res.body as { id: number }).id}/status`, { status: 'REFUNDED' })).body).toMatchObject({ status: 'REFUNDED' });
  });

  it('labels are valid PDFs: header, exact xref offsets, trailer, EOF', async () => {
    const pdf = buildLabelPdf({ carrier: 'SDA Standard', trackingCode: 'SDA0000000501', parcelId: '0005', orderId: 1001, reference: '#1234 (test)', recipient: ['Niccolò Rossi', 'Via Roma 1', '00184 Roma (RM) IT'], sender: ['Negozio', 'Via X', '20090 Segrate'], parcels: 1, weightKg: 1.25 });
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.4\n')).toBe(true);
    expect(text.endsWith('%%EOF\n')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1]);
    expect(text.slice(startxref, startxref + 4)).toBe('xref');
    const entries = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(entries).toHaveLength(6);
    entries.forEach((offset, i) => expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    const length = Number(/\/Length (\d+) >>\nstream\n/.exec(text)![1]);
    const streamStart = text.indexOf('stream\n') + 'stream\n'.length;
    expect(text.slice(streamStart + length, streamStart + length + '\nendstream'.length)).toBe('\nendstream');
    expect(text).toContain('(Niccolo Rossi)');
    expect(text).toContain('Rif. #1234 \\(test\\)');
  });
});

describe('Poleepo sandbox: faults, stats, paths', () => {
  it('faults apply to the matching endpoint or path prefix for `count` requests; bad faults are refused; DELETE clears', async () => {
    const sandbox = await start();
    const { client } = sandboxClient(sandbox, clock, { overrides: { retries: 0 } });
    expect((await control(sandbox, 'POST', '/__sandbox/faults', {})).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/faults', { status: 99 })).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/faults', { status: 500, count: 0 })).status).toBe(400);
    const fault = await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: '/package-types', status: 500, count: 2 });
    expect(fault).toMatchObject({ status: 201, body: { id: expect.any(Number), endpoint: '/package-types', status: 500, count: 2 } });
    await client.token();
    expect(await client.listCarriers()).toHaveLength(4);
    await expect(client.listPackageTypes()).rejects.toThrow(/HTTP 500/);
    await expect(client.listPackageTypes()).rejects.toThrow(/HTTP 500/);
    expect(await client.listPackageTypes()).toHaveLength(4);
    await control(sandbox, 'POST', '/__sandbox/faults', { status: 503, count: 5 });
    expect((await control(sandbox, 'GET', '/__sandbox/faults')).body).toMatchObject({ faults: [{ endpoint: null, count: 5 }] });
    expect((await control(sandbox, 'DELETE', '/__sandbox/faults')).body).toEqual({ cleared: 1 });
    expect(await client.listCarriers()).toHaveLength(4);
    expect((await control(sandbox, 'GET', '/__sandbox/nothing')).status).toBe(404);
  });

  it('GET /__sandbox/stats reports requests per endpoint, statuses, max per window and 429s; DELETE resets', async () => {
    const sandbox = await start({ rateLimitWindowMs: 60_000, rateLimits: { 'carriers.list': { limit: 2, windowMs: 10_000 } } });
    const { client } = sandboxClient(sandbox, clock, { overrides: { retries: 0 } });
    await client.listCarriers();
    await client.listCarriers();
    await expect(client.listCarriers()).rejects.toThrow(/rate limit/);
    clock.advance(10_000);
    await client.listCarriers();
    const stats = (await control(sandbox, 'GET', '/__sandbox/stats')).body as Record<string, any>;
    expect(stats.endpoints['carriers.list']).toEqual({ requests: 4, by_status: { 200: 3, 429: 1 }, max_in_window: 3, window_ms: 10_000, limit: 2, rate_limited: 1 });
    expect(stats.endpoints['auth.token']).toMatchObject({ requests: 1, limit: null, window_ms: 60_000 });
    expect(stats.rate_limited_total).toBe(1);
    expect(stats.webhooks).toEqual({ delivered: 0, failed_attempts: 0, abandoned: 0, pending: 0 });
    await control(sandbox, 'DELETE', '/__sandbox/stats');
    expect((await control(sandbox, 'GET', '/__sandbox/stats')).body).toMatchObject({ endpoints: {}, rate_limited_total: 0 });
  });

  it('max in any window counts a half-open sliding window', () => {
    expect(maxInWindow([], 10)).toBe(0);
    expect(maxInWindow([0, 5, 9, 10, 19, 20], 10)).toBe(3);
    expect(maxInWindow([0, 10, 20, 30], 10)).toBe(1);
    expect(maxInWindow([30, 0, 1, 2], 10)).toBe(3);
  });

  it('paths are configurable on both sides: the sandbox and the client agree on a moved endpoint', async () => {
    const sandbox = await start({ paths: { 'batches.status': '/v2/product-batches/{id}', 'carriers.list': { method: 'GET', path: '/couriers' } } });
    const { client } = sandboxClient(sandbox, clock, { overrides: { endpoints: { 'batches.status': '/v2/product-batches/{id}', 'carriers.list': '/couriers' } } });
    const batch = await client.submitBatch([{ sku: 'A', title: 'A' }]);
    expect((await client.getBatch(batch.id)).id).toBe(batch.id);
    expect(await client.listCarriers()).toHaveLength(4);
    expect(sandbox.stats.endpoint('batches.status').requests).toBe(1);
    const stale = sandboxClient(sandbox, clock).client;
    await expect(stale.listCarriers()).rejects.toThrow(/does not know/);
    expect(() => buildClient({ baseUrl: sandbox.url, key: sandbox.clients[0], clock, overrides: { endpoints: { 'nope.list': '/x' } as never } })).toThrow(/Unknown Poleepo endpoint/);
  });
});

const ODD: Record<string, number> = { 0: 1, 1: 0, 2: 5, 3: 7, 4: 9, 5: 13, 6: 15, 7: 17, 8: 19, 9: 21, A: 1, B: 0, C: 5, D: 7, E: 9, F: 13, G: 15, H: 17, I: 19, J: 21, K: 2, L: 4, M: 18, N: 20, O: 11, P: 3, Q: 6, R: 8, S: 12, T: 14, U: 16, V: 10, W: 22, X: 25, Y: 24, Z: 23 };

/** The codice fiscale check character, computed independently of the generator. */
function fiscalCheckChar(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = first15[i];
    sum += i % 2 === 0 ? ODD[c] : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
  }
  return String.fromCharCode(65 + (sum % 26));
}

function vatNumberValid(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 11; i++) {
    let d = Number(digits[i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

describe('Italian fiscal code generator', () => {
  it('matches a known code', () => {
    // Mario Rossi, born 1 January 1980 in Roma: RSSMRA80A01H501U (the standard worked example).
    expect(italianFiscalCode('Rossi', 'Mario', { year: 1980, month: 1, day: 1 }, false, 'H501')).toBe('RSSMRA80A01H501U');
  });
});
