import { afterEach, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './helpers/console.ts';
import { insertTestConnection } from './helpers/connections.ts';
import { WebhookQueueRepo } from '../src/webhooks/webhook-queue.repo.ts';
import type { WebhookMessageStatus } from '../src/webhooks/webhooks.tables.ts';
import { WebhookQueueService } from '../src/webhooks/webhook-queue.service.ts';
import { defineWebhookTasks } from '../src/webhooks/webhook-queue.tasks.ts';

describe('console webhook queue page', () => {
  let f: ConsoleFixture;
  afterEach(async () => {
    await f?.close();
  });

  /** Stores a message as the intake does (same repository), in the given state. */
  async function message(connectionId: number, n: number, status: WebhookMessageStatus, extra: { event?: string; payload?: string | null; error?: string; note?: string; duplicates?: number } = {}): Promise<number> {
    const now = f.clock.now();
    const { id } = await new WebhookQueueRepo(f.db).insertOrCountDuplicate(f.db.kysely, {
      connection_id: connectionId, webhook_id: null, event: extra.event ?? 'STATUS_ORDER', resource_type: extra.event === 'STATUS_SHIPMENT' ? 'shipment' : 'order',
      resource_id: String(n), event_id: `ev-${n}`, dedupe_key: `k-${n}`, status,
      payload: extra.payload === undefined ? JSON.stringify({ id: n, customer: { email: 'mario@example.com', firstName: 'Mario', lastName: 'Rossi-Bianchi', street: 'Via Roma 1' } }) : extra.payload,
      attempts: status === 'failed' ? 5 : 0, last_error: extra.error ?? null, note: extra.note ?? null, duplicates: extra.duplicates ?? 0,
      received_at: now, processed_at: status === 'pending' ? null : now, updated_at: now,
    });
    return id;
  }

  async function setup() {
    f = await consoleFixture('sqlite');
    // The webhook module's task kind, as the process defines it (the retry enqueues it).
    defineWebhookTasks(f.ctx.taskRegistry, new WebhookQueueService(f.ctx.tasks, f.ctx.clock));
    const shop = await insertTestConnection(f.db, 'shop');
    const other = await insertTestConnection(f.db, 'other-shop');
    const ids = {
      failed: await message(shop, 101, 'failed', { error: 'PermanentError: Odoo refused order 101', duplicates: 2 }),
      pending: await message(shop, 102, 'pending'),
      done: await message(other, 103, 'done'),
      received: await message(shop, 104, 'received', { event: 'STATUS_SHIPMENT', note: 'Kept as received: shipment updates later' }),
      erased: await message(shop, 105, 'failed', { payload: null, error: 'old failure' }),
    };
    return { shop, other, ids };
  }

  it('lists messages with counts by status in both languages, filters by status, connection and event', async () => {
    const { other } = await setup();
    const operator = await f.loggedIn('operator');
    const html = await (await operator.get('/queue')).text();
    expect(html).toContain('All (5)');
    expect(html).toContain('Pending (1)');
    expect(html).toContain('Completed (1)');
    expect(html).toContain('Failed (2)');
    expect(html).toContain('Received (1)');
    expect(html).toContain('PermanentError: Odoo refused order 101');
    expect(html).toContain('Kept as received: shipment updates later');
    expect(html).toContain('Order 101');
    expect(html).toContain('Shipment 104');
    expect(html).not.toContain('mario@example.com');
    const it = await f.loggedIn('operator', 'operatore', 'it');
    const italian = await (await it.get('/queue')).text();
    for (const label of ['In Attesa (1)', 'Completato (1)', 'Fallito (2)', 'Ricevuto (1)', 'Coda Webhook']) expect(italian).toContain(label);
    expect(italian).not.toContain('⟦');
    const failed = await (await operator.get('/queue?status=failed')).text();
    expect(failed).toContain('Order 101');
    expect(failed).not.toContain('Order 102');
    expect(failed).toContain('aria-label="Retry message');
    const byConnection = await (await operator.get(`/queue?connection=${other}`)).text();
    expect(byConnection).toContain('Order 103');
    expect(byConnection).not.toContain('Order 101');
    const shipments = await (await operator.get('/queue?event=STATUS_SHIPMENT')).text();
    expect(shipments).toContain('Shipment 104');
    expect(shipments).not.toContain('Order 101');
  });

  it('paginates', async () => {
    const { shop } = await setup();
    for (let n = 200; n < 250; n++) await message(shop, n, 'done');
    const operator = await f.loggedIn('operator');
    const first = await (await operator.get('/queue')).text();
    expect(first).toContain('Order 249');
    expect(first).not.toContain('Order 101');
    const second = await (await operator.get('/queue?page=2')).text();
    expect(second).toContain('Order 101');
    expect(second).not.toContain('Order 249');
  });

  it('shows one message with its payload redacted (no personal data)', async () => {
    const { ids } = await setup();
    const operator = await f.loggedIn('operator');
    const html = await (await operator.get(`/queue/${ids.failed}`)).text();
    expect(html).toContain(`Webhook message #${ids.failed}`);
    expect(html).toContain('[redacted]');
    expect(html).not.toContain('mario@example.com');
    expect(html).not.toContain('Rossi-Bianchi');
    expect(html).not.toContain('Via Roma 1');
    expect(html).toContain('aria-label="Retry message');
    expect(await (await operator.get(`/queue/${ids.erased}`)).text()).toContain('erased after the retention period');
    expect((await operator.get('/queue/999999')).status).toBe(404);
  });

  it('retries a failed message (operator, CSRF required) and refuses one that cannot be retried', async () => {
    const { ids } = await setup();
    const operator = await f.loggedIn('operator');
    expect((await operator.post(`/queue/${ids.failed}/retry`, { back: '/queue?status=failed' }, { csrf: false })).status).toBe(403);
    expect((await new WebhookQueueRepo(f.db).get(ids.failed))?.status).toBe('failed');
    const res = await operator.post(`/queue/${ids.failed}/retry`, { back: '/queue?status=failed' });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/queue?status=failed');
    expect((await new WebhookQueueRepo(f.db).get(ids.failed))?.status).toBe('pending');
    expect((await f.ctx.tasks.list({ status: 'pending' }, { limit: 10, offset: 0 })).rows.some((t) => t.kind === 'webhooks.process-message')).toBe(true);
    expect(await (await operator.get('/queue')).text()).toContain(`Message #${ids.failed} queued again.`);
    const done = await operator.post(`/queue/${ids.done}/retry`, {});
    expect(done.headers.get('Location')).toBe(`/queue/${ids.done}`);
    expect(await (await operator.get(`/queue/${ids.done}`)).text()).toContain('cannot be retried: Webhook message');
    const offsite = await operator.post(`/queue/${ids.erased}/retry`, { back: 'https://evil.example/' });
    expect(offsite.headers.get('Location')).toBe(`/queue/${ids.erased}`);
    expect((await operator.post('/queue/999999/retry', {})).status).toBe(404);
    expect((await f.client().get('/queue')).headers.get('Location')).toBe('/login?next=%2Fqueue');
  });

  it('cleans processed messages only', async () => {
    const { ids } = await setup();
    const operator = await f.loggedIn('operator');
    expect((await operator.post('/queue/clean', {}, { csrf: false })).status).toBe(403);
    const res = await operator.post('/queue/clean');
    expect(res.status).toBe(303);
    expect(await new WebhookQueueRepo(f.db).get(ids.done)).toBeUndefined();
    expect(await new WebhookQueueRepo(f.db).get(ids.failed)).toBeDefined();
    expect(await (await operator.get('/queue')).text()).toContain('1 processed message(s) removed.');
  });
});
