import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { signPoleepoBody, verifyPoleepoWebhook } from '../src/poleepo/poleepo.signature.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { control, sandboxClient, startWebhookReceiver, type WebhookReceiver } from './fixtures/poleepo-kit.ts';

const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const SECRET = 'whsec-0123456789abcdef';

let sandbox: PoleepoSandbox;
let clock: ManualClock;
let receiver: WebhookReceiver;

/** Waits (real time, bounded) for deliveries in flight: I/O to the receiver, not a time window. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await sandbox.webhooks.idle();
}

async function subscribe(signing?: string, events = ['STATUS_ORDER', 'STATUS_SHIPMENT'], url = receiver.url) {
  const res = await control(sandbox, 'POST', '/__sandbox/webhooks', { url, secret: SECRET, events, ...(signing ? { signing } : {}) });
  expect(res.status).toBe(201);
  return res.body;
}

async function newOrder(extra: Record<string, unknown> = {}) {
  const res = await control(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'SKU-1', quantity: 2, price: 12.5 }], ...extra });
  expect(res.status).toBe(201);
  return res.body as { id: number; status: string };
}

beforeEach(async () => {
  clock = new ManualClock(START);
  sandbox = await startPoleepoSandbox({ clock });
  receiver = await startWebhookReceiver();
});

afterEach(async () => {
  await sandbox.stop();
  await receiver.close();
});

describe('Poleepo sandbox: webhook delivery and signing', () => {
  it('POST /__sandbox/webhooks validates and registers a subscription (secret generated when absent)', async () => {
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks', { url: 'ftp://x', events: ['STATUS_ORDER'] })).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks', { url: receiver.url, events: ['ORDER_CREATED'] })).body).toEqual({ error: expect.stringMatching(/STATUS_ORDER, STATUS_SHIPMENT/) });
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks', { url: receiver.url, events: ['STATUS_ORDER'], signing: 'rsa' })).status).toBe(400);
    const generated = (await control(sandbox, 'POST', '/__sandbox/webhooks', { url: receiver.url, events: ['STATUS_SHIPMENT'] })).body;
    expect(generated).toMatchObject({ id: 1, url: receiver.url, events: ['STATUS_SHIPMENT'], signing: 'hmac', secret: expect.stringMatching(/^[0-9a-f]{48}$/) });
    const listed = (await control(sandbox, 'GET', '/__sandbox/webhooks')).body as { subscriptions: unknown[] };
    expect(listed.subscriptions).toHaveLength(1);
  });

  it('a created order is delivered as STATUS_ORDER, HMAC-SHA256 signed over the raw body (default mode)', async () => {
    await subscribe();
    const order = await newOrder();
    await until(() => receiver.received.length === 1, 'the order event');
    const [hook] = receiver.received;
    expect(hook.json).toEqual({ event: 'STATUS_ORDER', event_id: expect.stringMatching(/^evt_/), timestamp: '2026-03-02T09:00:00Z', data: { order_id: order.id, status: 'PAYMENT_ACCEPTED', previous_status: null } });
    expect(hook.headers['x-poleepo-event']).toBe('STATUS_ORDER');
    expect(hook.headers['x-poleepo-delivery']).toBe(hook.json.event_id);
    expect(hook.headers['x-poleepo-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(hook.raw).digest('hex')}`);
    expect(hook.headers['x-poleepo-secret']).toBeUndefined();
    expect(verifyPoleepoWebhook('hmac', hook.raw, hook.headers, SECRET)).toEqual({ ok: true });
    expect(verifyPoleepoWebhook('hmac', hook.raw, hook.headers, 'other-secret')).toEqual({ ok: false, reason: 'signature does not match' });
    const tampered = Buffer.from(hook.raw.toString('utf8').replace('PAYMENT_ACCEPTED', 'CANCELED'));
    expect(verifyPoleepoWebhook('hmac', tampered, hook.headers, SECRET).ok).toBe(false);
    const bare = { ...hook.headers, 'x-poleepo-signature': signPoleepoBody(hook.raw, SECRET) };
    expect(verifyPoleepoWebhook('hmac', hook.raw, bare, SECRET)).toEqual({ ok: true });
  });

  it('signs per subscription: the secret verbatim in a header, or nothing at all (URL token mode)', async () => {
    const headerReceiver = await startWebhookReceiver('/header');
    const tokenReceiver = await startWebhookReceiver('/hooks?token=unguessable');
    try {
      await subscribe('header', ['STATUS_ORDER'], headerReceiver.url);
      await subscribe('url_token', ['STATUS_ORDER'], tokenReceiver.url);
      await newOrder();
      await until(() => headerReceiver.received.length === 1 && tokenReceiver.received.length === 1, 'both deliveries');
      const viaHeader = headerReceiver.received[0];
      expect(viaHeader.headers['x-poleepo-secret']).toBe(SECRET);
      expect(viaHeader.headers['x-poleepo-signature']).toBeUndefined();
      expect(verifyPoleepoWebhook('header', viaHeader.raw, viaHeader.headers, SECRET)).toEqual({ ok: true });
      expect(verifyPoleepoWebhook('header', viaHeader.raw, viaHeader.headers, SECRET + 'x').ok).toBe(false);
      expect(verifyPoleepoWebhook('hmac', viaHeader.raw, viaHeader.headers, SECRET).ok).toBe(false);
      const viaToken = tokenReceiver.received[0];
      expect(viaToken.headers['x-poleepo-secret']).toBeUndefined();
      expect(viaToken.headers['x-poleepo-signature']).toBeUndefined();
      expect(verifyPoleepoWebhook('header', viaToken.raw, viaToken.headers, SECRET)).toEqual({ ok: false, reason: 'missing x-poleepo-secret header' });
      expect(viaToken.json.event_id).toBe(viaHeader.json.event_id);
    } finally {
      await headerReceiver.close();
      await tokenReceiver.close();
    }
  });

  it('only subscribed events are delivered', async () => {
    await subscribe('hmac', ['STATUS_SHIPMENT']);
    await newOrder();
    await sandbox.webhooks.flush();
    expect(receiver.received).toEqual([]);
    expect(sandbox.stats.body()).toMatchObject({ webhooks: { delivered: 0, pending: 0 } });
  });

  it('retries a failing receiver with doubling delays on the sandbox clock, then gives up after the last attempt', async () => {
    await subscribe();
    receiver.answers.push(500, 503);
    await newOrder();
    await until(() => sandbox.webhooks.attempts.length === 1, 'the first attempt');
    expect(receiver.received).toEqual([]);
    clock.advance(999);
    await sandbox.webhooks.idle();
    expect(sandbox.webhooks.attempts).toHaveLength(1);
    clock.advance(1);
    await until(() => sandbox.webhooks.attempts.length === 2, 'the second attempt');
    clock.advance(1999);
    await sandbox.webhooks.idle();
    expect(sandbox.webhooks.attempts).toHaveLength(2);
    clock.advance(1);
    await until(() => receiver.received.length === 1, 'the third attempt');
    expect(sandbox.webhooks.attempts.map((a) => [a.attempt, a.status])).toEqual([[1, 500], [2, 503], [3, 204]]);

    sandbox.knobs.webhookMaxAttempts = 2;
    receiver.answers.push(500, 500, 500);
    await newOrder();
    await until(() => sandbox.webhooks.attempts.length === 4, 'attempt 1 of the second event');
    clock.advance(1000);
    await until(() => sandbox.webhooks.attempts.length === 5, 'attempt 2 of the second event');
    expect(sandbox.stats.body()).toMatchObject({ webhooks: { delivered: 1, failed_attempts: 4, abandoned: 1, pending: 0 } });
  });

  it('POST /__sandbox/webhooks/flush attempts pending retries at once; an unreachable receiver counts as a failed attempt', async () => {
    const gone = await startWebhookReceiver();
    const goneUrl = gone.url;
    await gone.close();
    await subscribe('hmac', ['STATUS_ORDER'], goneUrl);
    await subscribe();
    receiver.answers.push(502);
    await newOrder();
    await until(() => sandbox.webhooks.attempts.length === 2, 'first attempts');
    expect(sandbox.webhooks.attempts.find((a) => a.subscription_id === 1)).toMatchObject({ status: null, error: 'ECONNREFUSED' });
    const flushed = await control(sandbox, 'POST', '/__sandbox/webhooks/flush');
    expect(flushed.body).toEqual({ delivered: 1 });
    expect(receiver.received).toHaveLength(1);
  });

  it('redelivers the last event of an order or shipping byte for byte, as many times as asked', async () => {
    await subscribe();
    const order = await newOrder();
    await control(sandbox, 'POST', `/__sandbox/orders/${order.id}/status`, { status: 'IN_PROCESS' });
    await until(() => receiver.received.length === 2, 'two events');
    const res = await control(sandbox, 'POST', '/__sandbox/webhooks/redeliver', { order_id: order.id, times: 2 });
    expect(res).toEqual({ status: 200, body: { redelivered: 2 } });
    await until(() => receiver.received.length === 4, 'the duplicates');
    const [, last, d1, d2] = receiver.received;
    expect(d1.raw.equals(last.raw)).toBe(true);
    expect(d2.raw.equals(last.raw)).toBe(true);
    expect(d1.headers['x-poleepo-signature']).toBe(last.headers['x-poleepo-signature']);
    expect(last.json.data).toEqual({ order_id: order.id, status: 'IN_PROCESS', previous_status: 'PAYMENT_ACCEPTED' });
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks/redeliver', { order_id: order.id, shipping_id: 1 })).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks/redeliver', {})).status).toBe(400);
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks/redeliver', { order_id: 999 })).status).toBe(404);
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks/redeliver', { shipping_id: 501 })).status).toBe(404);
  });

  it('webhook faults: duplicated events and out-of-order bursts', async () => {
    await subscribe();
    expect((await control(sandbox, 'POST', '/__sandbox/faults', { webhook: 'duplicate' })).status).toBe(201);
    const order = await newOrder();
    await until(() => receiver.received.length === 2, 'the duplicated event');
    expect(receiver.received[0].raw.equals(receiver.received[1].raw)).toBe(true);

    await control(sandbox, 'POST', '/__sandbox/faults', { webhook: 'out_of_order', count: 2 });
    await control(sandbox, 'POST', `/__sandbox/orders/${order.id}/status`, { status: 'IN_PROCESS' });
    await sandbox.webhooks.idle();
    expect(receiver.received).toHaveLength(2); // held until the burst is complete
    await control(sandbox, 'POST', `/__sandbox/orders/${order.id}/status`, { status: 'SHIPPED' });
    await until(() => receiver.received.length === 4, 'the reordered burst');
    expect(receiver.received.slice(2).map((r) => r.json.data.status)).toEqual(['SHIPPED', 'IN_PROCESS']);
    expect((await control(sandbox, 'POST', '/__sandbox/faults', { webhook: 'sideways' })).status).toBe(400);
  });

  it('shipping events: handing over through the API sends STATUS_SHIPMENT, then STATUS_ORDER as the order ships', async () => {
    await subscribe();
    const { client } = sandboxClient(sandbox, clock);
    const order = await newOrder();
    await client.updateOrderStatus(order.id, 'IN_PROCESS');
    const shipping = await client.createShipping({ order_id: order.id, carrier_id: 1, package_type_id: 2, pickup_address_id: 1, parcels: [{ weight: 2 }] });
    await client.markHandedToCarrier(shipping.id);
    await control(sandbox, 'POST', `/__sandbox/shippings/${shipping.id}/status`, { status: 'IN_TRANSIT' });
    await until(() => receiver.received.length === 5, 'five events');
    expect(receiver.received.map((r) => `${r.json.event} ${r.json.data.status}`)).toEqual([
      'STATUS_ORDER PAYMENT_ACCEPTED', 'STATUS_ORDER IN_PROCESS', 'STATUS_SHIPMENT HANDED_TO_CARRIER', 'STATUS_ORDER SHIPPED', 'STATUS_SHIPMENT IN_TRANSIT',
    ]);
    expect(receiver.received[2].json.data).toEqual({
      shipping_id: shipping.id, order_id: order.id, status: 'HANDED_TO_CARRIER', previous_status: 'LABEL_READY',
      tracking_code: shipping.tracking_code, carrier: 'BRT Standard',
    });
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks/redeliver', { shipping_id: shipping.id })).body).toEqual({ redelivered: 1 });
    await until(() => receiver.received.length === 6, 'the shipping redelivery');
    expect(receiver.received[5].json.data.status).toBe('IN_TRANSIT');
  });
});
