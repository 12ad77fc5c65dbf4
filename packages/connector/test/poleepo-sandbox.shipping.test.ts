import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { TransportError } from '../src/http/http.client.ts';
import { collect, type PoleepoClient } from '../src/poleepo/poleepo.client.ts';
import { PoleepoServerError, PoleepoValidationError } from '../src/poleepo/poleepo.errors.ts';
import type { PoleepoParcel, PoleepoShippingCreate } from '../src/poleepo/poleepo.types.ts';
import { startPoleepoSandbox, type PoleepoSandbox, type PoleepoSandboxOptions } from '@poleepo-odoo/poleepo-sandbox';
import { buildClient, control, sandboxClient, startWebhookReceiver, type WebhookReceiver } from './fixtures/poleepo-kit.ts';

/**
 * The sandbox's shipping features the connector's shipping flow is tested against (docs/poleepo-api.md §4.7, §4.8,
 * §7): parcels of several package types, courier prices, courier refusals, cash on delivery, replies lost after
 * the work was done, the carrier's own tracking progress and STATUS_SHIPMENT duplicated, late or out of order.
 */

const START = Date.UTC(2026, 2, 2, 9, 0, 0);

let sandbox: PoleepoSandbox;
let clock: ManualClock;
let receiver: WebhookReceiver | null = null;

async function start(options: PoleepoSandboxOptions = {}): Promise<PoleepoClient> {
  clock = new ManualClock(START);
  sandbox = await startPoleepoSandbox({ clock, seedProducts: true, ...options });
  return sandboxClient(sandbox, clock, { overrides: { retries: 0 } }).client;
}

afterEach(async () => {
  await sandbox?.stop();
  await receiver?.close();
  receiver = null;
});

/** Waits (real time, bounded) for deliveries in flight: I/O to the receiver, not a time window. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await sandbox.webhooks.idle();
}

async function listen(): Promise<WebhookReceiver> {
  receiver = await startWebhookReceiver();
  expect((await control(sandbox, 'POST', '/__sandbox/webhooks', { url: receiver.url, events: ['STATUS_SHIPMENT'] })).status).toBe(201);
  return receiver;
}

interface MadeOrder {
  id: number;
  total_price: number;
  payment_method: string;
  cash_on_delivery: number;
  delivery_address: { country_iso: string };
}

async function newOrder(extra: Record<string, unknown> = {}): Promise<MadeOrder> {
  const res = await control<MadeOrder>(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'MUG-CLASSIC', quantity: 2 }], shipping_cost: 5.9, ...extra });
  expect(res.status).toBe(201);
  return res.body;
}

/** The request body the sandbox accepts: the client's type lacks a parcel's own `package_type_id` and an optional top-level one. */
type ShippingBody = Omit<PoleepoShippingCreate, 'package_type_id' | 'parcels'> & { package_type_id?: number; parcels: (PoleepoParcel & { package_type_id?: number })[] };
const body = (b: ShippingBody) => b as PoleepoShippingCreate;

async function rejection(p: Promise<unknown>): Promise<PoleepoValidationError> {
  const error = await p.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(PoleepoValidationError);
  return error as PoleepoValidationError;
}

async function apiGet(client: PoleepoClient, path: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${sandbox.url}${path}`, { headers: { Authorization: `Bearer ${(await client.token()).token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('Poleepo sandbox shipping: parcels of several package types', () => {
  it('each parcel may name its own package type; the shipping\'s defaults to the first parcel\'s; views show each parcel\'s', async () => {
    const client = await start();
    const order = await newOrder();
    const derived = await client.createShipping(body({
      order_id: order.id, carrier_id: 1, pickup_address_id: 1,
      parcels: [{ weight: 0.8, package_type_id: 1 }, { weight: 12, package_type_id: 3, width: 45 }, { weight: 0.5 }],
    }));
    expect(derived.package_type_id).toBe(1);
    const expected = [
      { package_type_id: 1, weight: 0.8, width: 25, height: 3, depth: 35 },
      { package_type_id: 3, weight: 12, width: 45, height: 30, depth: 30 },
      { package_type_id: 1, weight: 0.5, width: 25, height: 3, depth: 35 },
    ];
    expect(derived.parcels).toEqual(expected);
    expect((await client.getShipping(derived.id)).parcels).toEqual(expected);
    expect((await collect(client.listShippings({ orderId: order.id })))[0].parcels).toEqual(expected);

    const given = await client.createShipping(body({ order_id: order.id, carrier_id: 2, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 4 }, { weight: 20, package_type_id: 4 }] }));
    expect(given).toMatchObject({ package_type_id: 2, parcels: [{ package_type_id: 2, weight: 4, width: 30 }, { package_type_id: 4, weight: 20, width: 60 }] });
    expect((await client.getShippingLabel(given.id)).pdf.toString('latin1')).toContain('Colli 2   Peso 24.00 kg');
  });

  it('refuses per parcel and field: a weight over its own type\'s maximum, an unknown type, a bad dimension; nothing is created', async () => {
    const client = await start();
    const order = await newOrder();
    const error = await rejection(client.createShipping(body({
      order_id: order.id, carrier_id: 1, package_type_id: 2, pickup_address_id: 1,
      parcels: [{ weight: 1 }, { weight: 6 }, { weight: 1, package_type_id: 99 }, { weight: 31, package_type_id: 4 }, { weight: 1, width: -3 }],
    })));
    expect(error.info.poleepoCode).toBe('VALIDATION_ERROR');
    expect(error.fields.map((f) => f.field)).toEqual(['parcels[1].weight', 'parcels[2].package_type_id', 'parcels[3].weight', 'parcels[4].width']);
    expect(error.fields[0].message).toMatch(/5 kg of package type 2 \(Scatola piccola\)/);
    expect(error.fields[2].message).toMatch(/30 kg of package type 4/);
    expect(error.fields[1]).toMatchObject({ code: 'NOT_FOUND' });

    const missing = await rejection(client.createShipping(body({ order_id: order.id, carrier_id: 1, pickup_address_id: 1, parcels: [{ weight: 1 }, { weight: 1, package_type_id: 2 }] })));
    expect(missing.fields).toEqual([{ field: 'package_type_id', code: 'REQUIRED', message: expect.stringMatching(/first parcel/) }]);
    const unknownFirst = await rejection(client.createShipping(body({ order_id: order.id, carrier_id: 1, pickup_address_id: 1, parcels: [{ weight: 1, package_type_id: 77 }] })));
    expect(unknownFirst.fields.map((f) => f.field)).toEqual(['parcels[0].package_type_id']);
    const unknownTop = await rejection(client.createShipping(body({ order_id: order.id, carrier_id: 1, package_type_id: 77, pickup_address_id: 1, parcels: [{ weight: 1, package_type_id: 2 }] })));
    expect(unknownTop.fields.map((f) => f.field)).toEqual(['package_type_id']);
    expect(sandbox.state.shippings.shippings.size).toBe(0);
  });
});

describe('Poleepo sandbox shipping: courier prices', () => {
  it('GET /carriers shows each service\'s price (EUR, VAT excluded) for 1 kg to Italy; a shipping carries what it costs', async () => {
    const client = await start();
    const carriers = await client.listCarriers();
    expect(carriers.map((c) => c.code)).toEqual(['BRT', 'GLS', 'SDA', 'POSTE']);
    expect(carriers[0].services).toEqual([
      { code: 'STANDARD', name: 'Standard', price: 6.9, currency: 'EUR' },
      { code: 'EXPRESS', name: 'Express', price: 9.9, currency: 'EUR' },
    ]);
    for (const c of carriers) for (const s of c.services ?? []) expect(s).toMatchObject({ price: expect.any(Number), currency: 'EUR' });
    const order = await newOrder();
    // 2.4 kg: the first kg plus two further started kg at 0.45.
    const shipping = await client.createShipping({ order_id: order.id, carrier_id: 1, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 1.4 }, { weight: 1 }] });
    expect(shipping).toMatchObject({ service: 'STANDARD', price: 7.8, currency: 'EUR' });
  });

  it('GET /carriers?order=&weight= prices for the order\'s delivery country and the weight; bad queries are refused', async () => {
    const client = await start();
    const italian = await newOrder();
    const german = await newOrder({ customer: { delivery_address: { address: 'Hauptstraße 1', postcode: '10115', city: 'Berlin', state_iso: 'BE', country_iso: 'DE' } } });
    const american = await newOrder({ customer: { delivery_address: { address: '1 Main St', postcode: '10001', city: 'New York', state_iso: 'NY', country_iso: 'US' } } });
    const brt = (res: { body: Record<string, any> }) => res.body.data[0].services[0];
    expect(brt(await apiGet(client, `/carriers?order=${italian.id}&weight=3.2`))).toEqual({ code: 'STANDARD', name: 'Standard', price: 8.25, currency: 'EUR' });
    expect(brt(await apiGet(client, `/carriers?order=${german.id}&weight=3.2`)).price).toBe(20.63);
    expect(brt(await apiGet(client, `/carriers?order=${american.id}`)).price).toBe(27.6);
    expect(brt(await apiGet(client, '/carriers?weight=10')).price).toBe(10.95);
    const page = await apiGet(client, `/carriers?order=${german.id}&weight=2&offset=3&max=1`);
    expect(page.body.data.map((c: { code: string }) => c.code)).toEqual(['POSTE']);
    expect(page.body.data[0].services[1]).toEqual({ code: 'PACCO_ORDINARIO', name: 'Pacco Ordinario', price: 15.75, currency: 'EUR' });
    expect(await apiGet(client, '/carriers?weight=0')).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR', errors: [{ field: 'weight' }] } });
    expect((await apiGet(client, '/carriers?weight=heavy')).status).toBe(400);
    expect(await apiGet(client, '/carriers?order=999999')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    // A shipping abroad is priced for its country.
    const abroad = await client.createShipping({ order_id: german.id, carrier_id: 1, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 3.2 }] });
    expect(abroad).toMatchObject({ price: 20.63, currency: 'EUR' });
  });
});

describe('Poleepo sandbox shipping: a courier refuses', () => {
  it('POST /__sandbox/carriers/{code}/refuse with a count: 422 CARRIER_REFUSED with the message, nothing created, then accepted again', async () => {
    const client = await start();
    const order = await newOrder();
    const set = await control(sandbox, 'POST', '/__sandbox/carriers/brt/refuse', { count: 1, message: 'BRT: ritiri sospesi per sciopero' });
    expect(set).toEqual({ status: 201, body: { carrier: 'BRT', carrier_id: 1, remaining: 1, message: 'BRT: ritiri sospesi per sciopero' } });
    const request = { order_id: order.id, carrier_id: 1, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 1 }] };
    const refused = await rejection(client.createShipping(request));
    expect(refused.info).toMatchObject({ status: 422, poleepoCode: 'CARRIER_REFUSED' });
    expect(refused.fields).toEqual([{ field: 'carrier_id', code: 'CARRIER_REFUSED', message: 'BRT: ritiri sospesi per sciopero' }]);
    expect(sandbox.state.shippings.shippings.size).toBe(0);
    expect(sandbox.state.orders.order(order.id).shipping_ids).toEqual([]);
    expect(sandbox.state.orders.documentsOf(order.id)).toEqual([]);
    // A request the carrier never sees (invalid) does not spend a refusal; the next valid one goes through.
    await control(sandbox, 'POST', '/__sandbox/carriers/1/refuse', { count: 1 });
    expect((await rejection(client.createShipping({ ...request, parcels: [{ weight: 0 }] }))).info.poleepoCode).toBe('VALIDATION_ERROR');
    expect((await rejection(client.createShipping(request))).fields[0].message).toBe('BRT Bartolini is not accepting new shipments at the moment');
    expect((await client.createShipping(request)).carrier).toMatch(/^BRT/);
  });

  it('without a count the refusal lasts until DELETE; GET /__sandbox/carriers lists refusals; other carriers still work', async () => {
    const client = await start();
    const order = await newOrder();
    await control(sandbox, 'POST', '/__sandbox/carriers/GLS/refuse');
    expect((await control(sandbox, 'GET', '/__sandbox/carriers')).body).toEqual({ refusals: [{ carrier: 'GLS', carrier_id: 2, remaining: null, message: 'GLS Italy is not accepting new shipments at the moment' }] });
    const gls = { order_id: order.id, carrier_id: 2, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 1 }] };
    for (let i = 0; i < 3; i++) expect((await rejection(client.createShipping(gls))).info.poleepoCode).toBe('CARRIER_REFUSED');
    expect((await client.createShipping({ ...gls, carrier_id: 3 })).carrier).toMatch(/^SDA/);
    expect((await control(sandbox, 'DELETE', '/__sandbox/carriers/gls/refuse')).body).toEqual({ cleared: 1 });
    expect((await control(sandbox, 'DELETE', '/__sandbox/carriers/gls/refuse')).body).toEqual({ cleared: 0 });
    expect((await client.createShipping(gls)).carrier).toMatch(/^GLS/);
    expect((await control(sandbox, 'POST', '/__sandbox/carriers/UPS/refuse', {})).status).toBe(404);
    expect((await control(sandbox, 'POST', '/__sandbox/carriers/BRT/refuse', { count: 0 })).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/carriers/BRT/refuse', { message: '' })).status).toBe(400);
  });
});

describe('Poleepo sandbox shipping: cash on delivery', () => {
  it('control-API orders are COD only when asked; the amount defaults to the order total', async () => {
    await start();
    const cod = await newOrder({ payment_method: 'CASH_ON_DELIVERY' });
    expect(cod).toMatchObject({ payment_method: 'CASH_ON_DELIVERY', cash_on_delivery: cod.total_price });
    expect(cod.total_price).toBe(25.9);
    expect(await newOrder({ cash_on_delivery: 30 })).toMatchObject({ payment_method: 'CASH_ON_DELIVERY', cash_on_delivery: 30 });
    expect(await newOrder({ payment_method: 'BANK_TRANSFER' })).toMatchObject({ payment_method: 'BANK_TRANSFER', cash_on_delivery: 0 });
    expect((await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'A', quantity: 1 }], payment_method: 'PAYPAL', cash_on_delivery: 5 })).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'A', quantity: 1 }], cash_on_delivery: -1 })).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'A', quantity: 1 }], payment_method: 'cash' })).status).toBe(400);
    for (const channel of ['shopify', 'woocommerce', 'amazon', 'ebay']) {
      for (let i = 0; i < 10; i++) expect((await newOrder({ channel })).payment_method).not.toBe('CASH_ON_DELIVERY');
    }
  });

  it('the generator makes about one order in eight COD, Italian deliveries only, collecting the order total', async () => {
    await start({ randomSeed: 3 });
    const { orders } = (await control<{ orders: MadeOrder[] }>(sandbox, 'POST', '/__sandbox/orders/generate', { count: 400 })).body;
    const cod = orders.filter((o) => o.payment_method === 'CASH_ON_DELIVERY');
    expect(cod.length).toBeGreaterThan(25);
    expect(cod.length).toBeLessThan(80);
    for (const o of cod) expect(o).toMatchObject({ cash_on_delivery: o.total_price, delivery_address: { country_iso: 'IT' } });
    for (const o of orders.filter((x) => x.payment_method !== 'CASH_ON_DELIVERY')) expect(o.cash_on_delivery).toBe(0);
  });

  it('a shipping must collect exactly the order\'s COD amount (and nothing on a prepaid order): else 422 COD_MISMATCH, nothing created', async () => {
    const client = await start();
    const cod = await newOrder({ payment_method: 'CASH_ON_DELIVERY' });
    const prepaid = await newOrder({ payment_method: 'PAYPAL' });
    const request = { order_id: cod.id, carrier_id: 4, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 1 }] };
    const missing = await rejection(client.createShipping(request));
    expect(missing.info).toMatchObject({ status: 422, poleepoCode: 'COD_MISMATCH' });
    expect(missing.fields).toEqual([{ field: 'cod_amount', code: 'COD_MISMATCH', message: `order ${cod.id} is cash on delivery: cod_amount must be 25.90 (got 0.00)` }]);
    expect((await rejection(client.createShipping({ ...request, cod_amount: 25 }))).info.poleepoCode).toBe('COD_MISMATCH');
    const onPrepaid = await rejection(client.createShipping({ ...request, order_id: prepaid.id, cod_amount: 25.9 }));
    expect(onPrepaid.fields[0].message).toMatch(/prepaid \(PAYPAL\)/);
    expect(sandbox.state.shippings.shippings.size).toBe(0);
    expect(await client.createShipping({ ...request, cod_amount: 25.9 })).toMatchObject({ cod_amount: 25.9, status: 'LABEL_READY' });
    expect(await client.createShipping({ ...request, order_id: prepaid.id, cod_amount: 0 })).toMatchObject({ cod_amount: 0 });
    // Validation comes first: a bad request is a VALIDATION_ERROR even when its COD is wrong too.
    expect((await rejection(client.createShipping({ ...request, carrier_id: 99 }))).info.poleepoCode).toBe('VALIDATION_ERROR');
  });
});

describe('Poleepo sandbox shipping: replies lost after the work was done', () => {
  it('shippings.create with `after`: a 502 or a dropped connection after the shipping exists; the client reconciles by order', async () => {
    const client = await start();
    const order = await newOrder();
    const request = { order_id: order.id, carrier_id: 1, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 1 }] };
    const fault = await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'shippings.create', status: 502, after: true });
    expect(fault).toMatchObject({ status: 201, body: { endpoint: 'shippings.create', status: 502, after: true, count: 1 } });
    expect(await client.createShipping(request).catch((e: unknown) => e)).toBeInstanceOf(PoleepoServerError);
    const first = await collect(client.listShippings({ orderId: order.id }));
    expect(first).toHaveLength(1);
    expect(sandbox.stats.endpoint('shippings.create').by_status).toEqual({ 502: 1 });

    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: '/shippings', drop: true, after: true });
    expect(await client.createShipping(request).catch((e: unknown) => e)).toBeInstanceOf(TransportError);
    expect(await collect(client.listShippings({ orderId: order.id }))).toHaveLength(2);
    expect(sandbox.stats.endpoint('shippings.create').by_status).toEqual({ 502: 1, dropped: 1 });

    // A slow answer after the work: the client's timeout fires although the shipping was made.
    const impatient = sandboxClient(sandbox, clock, { overrides: { retries: 0, timeoutMs: 100 } }).client;
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'shippings.create', delay_ms: 400, after: true });
    expect(await impatient.createShipping(request).catch((e: unknown) => e)).toBeInstanceOf(TransportError);
    await until(() => sandbox.state.shippings.shippings.size === 3, 'the slow create');
    // Without `after` the same fault refuses before anything is made.
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'shippings.create', status: 502 });
    await client.createShipping(request).catch(() => undefined);
    expect(sandbox.state.shippings.shippings.size).toBe(3);
    expect((await control(sandbox, 'POST', '/__sandbox/faults', { status: 502, after: 'yes' })).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/faults', { after: true })).status).toBe(400);
  });

  it('shippings.updateStatus with `after`: handed over (and STATUS_SHIPMENT sent) though the reply is lost; a repeat is refused', async () => {
    const client = await start();
    await listen();
    const order = await newOrder();
    const shipping = await client.createShipping({ order_id: order.id, carrier_id: 1, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 1 }] });
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'shippings.updateStatus', status: 503, after: true });
    expect(await client.markHandedToCarrier(shipping.id).catch((e: unknown) => e)).toBeInstanceOf(PoleepoServerError);
    expect((await client.getShipping(shipping.id)).status).toBe('HANDED_TO_CARRIER');
    await until(() => receiver!.received.length === 1, 'the hand-over event');
    expect(receiver!.received[0].json.data).toMatchObject({ shipping_id: shipping.id, status: 'HANDED_TO_CARRIER' });
    // PUT is retried by the client (idempotent by HTTP); Poleepo answers the repeat 422, the connector must re-read.
    const retrying = buildClient({ baseUrl: sandbox.url, key: sandbox.clients[0], clock: new ManualClock(START, true) }).client;
    const second = await client.createShipping({ order_id: order.id, carrier_id: 2, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 1 }] });
    await control(sandbox, 'POST', '/__sandbox/faults', { endpoint: 'shippings.updateStatus', drop: true, after: true });
    const repeated = await rejection(retrying.markHandedToCarrier(second.id));
    expect(repeated.info.poleepoCode).toBe('INVALID_STATUS_TRANSITION');
    expect(sandbox.stats.endpoint('shippings.updateStatus').by_status).toEqual({ 503: 1, dropped: 1, 422: 1 });
    expect((await client.getShipping(second.id)).status).toBe('HANDED_TO_CARRIER');
  });
});

describe('Poleepo sandbox shipping: tracking and STATUS_SHIPMENT', () => {
  async function handedOver(client: PoleepoClient, carrier = 1) {
    const order = await newOrder();
    await client.updateOrderStatus(order.id, 'IN_PROCESS');
    const shipping = await client.createShipping({ order_id: order.id, carrier_id: carrier, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 2 }] });
    await client.markHandedToCarrier(shipping.id);
    return { order, shipping };
  }

  it('shippingProgressMs: a handed-over shipping goes IN_TRANSIT, then DELIVERED, on the sandbox clock, each step a STATUS_SHIPMENT', async () => {
    const client = await start({ shippingProgressMs: 60_000 });
    await listen();
    const { order, shipping } = await handedOver(client);
    await until(() => receiver!.received.length === 1, 'the hand-over');
    clock.advance(59_999);
    expect((await client.getShipping(shipping.id)).status).toBe('HANDED_TO_CARRIER');
    clock.advance(1);
    await until(() => receiver!.received.length === 2, 'IN_TRANSIT');
    expect(receiver!.received[1].json).toMatchObject({
      event: 'STATUS_SHIPMENT', timestamp: '2026-03-02T09:01:00Z',
      data: { shipping_id: shipping.id, order_id: order.id, status: 'IN_TRANSIT', previous_status: 'HANDED_TO_CARRIER', tracking_code: shipping.tracking_code, carrier: 'BRT Standard' },
    });
    clock.advance(60_000);
    await until(() => receiver!.received.length === 3, 'DELIVERED');
    expect(receiver!.received[2].json.data).toMatchObject({ shipping_id: shipping.id, status: 'DELIVERED', previous_status: 'IN_TRANSIT', tracking_code: shipping.tracking_code });
    const polled = (await collect(client.listShippings({ orderId: order.id })))[0];
    expect(polled).toMatchObject({ status: 'DELIVERED', update_date: '2026-03-02T09:02:00Z' });
    expect(sandbox.tracking.pending()).toBe(0);
  });

  it('a long jump of the clock plays both steps in order, dated when due; a status set meanwhile stops the carrier; off by default', async () => {
    const client = await start({ shippingProgressMs: 30_000 });
    await listen();
    const a = await handedOver(client);
    const b = await handedOver(client, 2);
    await control(sandbox, 'POST', `/__sandbox/shippings/${b.shipping.id}/status`, { status: 'EXCEPTION' });
    clock.advance(10 * 60_000);
    await until(() => receiver!.received.length === 5, 'both steps of the first shipping');
    const mine = (id: number) => receiver!.received.filter((r) => r.json.data.shipping_id === id).map((r) => r.json.data.status);
    expect(mine(a.shipping.id)).toEqual(['HANDED_TO_CARRIER', 'IN_TRANSIT', 'DELIVERED']);
    expect(mine(b.shipping.id)).toEqual(['HANDED_TO_CARRIER', 'EXCEPTION']);
    expect((await client.getShipping(a.shipping.id)).update_date).toBe('2026-03-02T09:01:00Z');

    sandbox.knobs.shippingProgressMs = 0;
    const c = await handedOver(client, 3);
    clock.advance(24 * 3_600_000);
    expect((await client.getShipping(c.shipping.id)).status).toBe('HANDED_TO_CARRIER');
  });

  it('control API: status changes send STATUS_SHIPMENT; deliver:false records one unsent; replay sends a past one late, duplicated or out of order', async () => {
    const client = await start();
    await listen();
    const { shipping } = await handedOver(client);
    const set = (status: string, extra: Record<string, unknown> = {}) => control(sandbox, 'POST', `/__sandbox/shippings/${shipping.id}/status`, { status, ...extra });
    expect((await set('IN_TRANSIT', { deliver: false })).body).toMatchObject({ status: 'IN_TRANSIT' });
    expect((await set('DELIVERED')).body).toMatchObject({ status: 'DELIVERED' });
    await until(() => receiver!.received.length === 2, 'hand-over and delivery');
    expect(receiver!.received.map((r) => r.json.data.status)).toEqual(['HANDED_TO_CARRIER', 'DELIVERED']);

    const events = (await control<{ events: Record<string, unknown>[] }>(sandbox, 'GET', `/__sandbox/shippings/${shipping.id}/events`)).body.events;
    expect(events).toEqual([
      { event_id: expect.stringMatching(/^evt_/), event: 'STATUS_SHIPMENT', status: 'HANDED_TO_CARRIER', previous_status: 'LABEL_READY', timestamp: '2026-03-02T09:00:00Z', sent: true },
      { event_id: expect.any(String), event: 'STATUS_SHIPMENT', status: 'IN_TRANSIT', previous_status: 'HANDED_TO_CARRIER', timestamp: '2026-03-02T09:00:00Z', sent: false },
      { event_id: expect.any(String), event: 'STATUS_SHIPMENT', status: 'DELIVERED', previous_status: 'IN_TRANSIT', timestamp: '2026-03-02T09:00:00Z', sent: true },
    ]);

    // The withheld IN_TRANSIT arrives after DELIVERED: out of order.
    const late = await control(sandbox, 'POST', '/__sandbox/webhooks/replay', { shipping_id: shipping.id, status: 'IN_TRANSIT' });
    expect(late).toEqual({ status: 200, body: { replayed: 1, event_id: events[1].event_id, status: 'IN_TRANSIT' } });
    await until(() => receiver!.received.length === 3, 'the late event');
    expect(receiver!.received[2].json).toMatchObject({ event_id: events[1].event_id, data: { shipping_id: shipping.id, status: 'IN_TRANSIT', tracking_code: shipping.tracking_code } });

    // The hand-over again, twice, byte for byte: duplicates of an old event.
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks/replay', { shipping_id: shipping.id, event_id: events[0].event_id, times: 2 })).body).toMatchObject({ replayed: 2, status: 'HANDED_TO_CARRIER' });
    await until(() => receiver!.received.length === 5, 'the duplicates');
    expect(receiver!.received[3].raw.equals(receiver!.received[0].raw)).toBe(true);
    expect(receiver!.received[4].headers['x-poleepo-signature']).toBe(receiver!.received[0].headers['x-poleepo-signature']);
    // Without a selector, the latest event.
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks/replay', { shipping_id: shipping.id })).body).toMatchObject({ replayed: 1, status: 'DELIVERED' });

    expect((await control(sandbox, 'POST', '/__sandbox/webhooks/replay', { shipping_id: shipping.id, status: 'EXCEPTION' })).status).toBe(404);
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks/replay', { shipping_id: shipping.id, order_id: 1 })).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks/replay', { shipping_id: 999 })).status).toBe(404);
    expect((await set('EXCEPTION', { deliver: 'no' })).status).toBe(400);
    expect((await control(sandbox, 'GET', '/__sandbox/shippings/999/events')).status).toBe(404);
  });

  it('orders too: deliver:false and replay work on STATUS_ORDER', async () => {
    await start();
    receiver = await startWebhookReceiver();
    await control(sandbox, 'POST', '/__sandbox/webhooks', { url: receiver.url, events: ['STATUS_ORDER'] });
    const order = await newOrder();
    await control(sandbox, 'POST', `/__sandbox/orders/${order.id}/status`, { status: 'IN_PROCESS', deliver: false });
    await control(sandbox, 'POST', `/__sandbox/orders/${order.id}/status`, { status: 'SHIPPED' });
    await control(sandbox, 'POST', '/__sandbox/webhooks/replay', { order_id: order.id, status: 'IN_PROCESS' });
    await until(() => receiver!.received.length === 3, 'three order events');
    expect(receiver!.received.map((r) => r.json.data.status)).toEqual(['PAYMENT_ACCEPTED', 'SHIPPED', 'IN_PROCESS']);
    const events = (await control<{ events: { sent: boolean }[] }>(sandbox, 'GET', `/__sandbox/orders/${order.id}/events`)).body.events;
    expect(events.map((e) => e.sent)).toEqual([true, false, true]);
  });
});
