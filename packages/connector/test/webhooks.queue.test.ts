import { afterEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { ManualClock } from '../src/shared/clock.ts';
import { SecretBox } from '../src/shared/secrets.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { PermanentError } from '../src/shared/errors.ts';
import { TaskQueue } from '../src/tasks/task.queue.ts';
import { TaskRegistry } from '../src/tasks/task.registry.ts';
import { Worker } from '../src/tasks/task.worker.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';
import { WebhookIntake } from '../src/webhooks/webhook.intake.ts';
import { WebhookQueueService } from '../src/webhooks/webhook-queue.service.ts';
import { defineWebhookTasks } from '../src/webhooks/webhook-queue.tasks.ts';
import { mountWebhookRoutes } from '../src/webhooks/webhooks.routes.ts';
import { signPoleepoBody } from '../src/poleepo/poleepo.signature.ts';

const signBody = (secret: string, body: string) => `sha256=${signPoleepoBody(body, secret)}`;
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { insertTestConnection } from './helpers/connections.ts';

const SECRET = 'poleepo-generated-secret-key';

describe.each(dialects)('webhook queue on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.cleanup());

  async function setup() {
    db = await createTestDb(dialect);
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const connectionId = await insertTestConnection(db);
    const webhooks = new WebhooksService(db, clock, new SecretBox(TEST_ENCRYPTION_KEY), 'http://c');
    const { url } = await webhooks.add({ connectionId, name: 'wh', secret: SECRET, events: ['STATUS_ORDER', 'STATUS_SHIPMENT'] });
    const registry = new TaskRegistry();
    const tasks = new TaskQueue(db, clock, { registry });
    const queue = new WebhookQueueService(tasks, clock);
    defineWebhookTasks(registry, queue);
    const worker = new Worker({ queue: tasks, registry, clock, workerId: 'w1', logger: silentLogger });
    const app = new Hono();
    mountWebhookRoutes(app, new WebhookIntake(webhooks, tasks, clock, silentLogger));
    const path = new URL(url).pathname + new URL(url).search;
    const send = async (payload: object) => {
      const body = JSON.stringify(payload);
      const res = await app.request(path, { method: 'POST', body, headers: { 'x-poleepo-signature': signBody(SECRET, body) } });
      return (await res.json()) as { id: number };
    };
    const runPending = async () => {
      const pending = await db.kysely.selectFrom('tasks').select('id').where('status', '=', 'pending').orderBy('id').execute();
      for (const t of pending) await worker.runOne(t.id);
    };
    return { clock, queue, send, runPending, tasks };
  }

  it('keeps a message nothing acts on as received (never failed), and processes it at the sweep once something does', async () => {
    const { send, runPending, queue } = await setup();
    const { id } = await send({ event: 'STATUS_SHIPMENT', data: { shipping_id: 501, order_id: 1, status: 'IN_TRANSIT' } });
    await runPending();
    const m = await queue.get(id);
    expect(m).toMatchObject({ status: 'received', resource_type: 'shipment', resource_id: '501', last_error: null });
    expect(m!.note).toBe('Kept as received: nothing acts on STATUS_SHIPMENT events.');
    // An upgrade brings a handler (shipping): the next Process Webhook Queue run hands the kept message to it.
    const seen: string[] = [];
    queue.setHandler('STATUS_SHIPMENT', async (message) => {
      seen.push(message.resource_id);
    });
    expect((await queue.sweep()).resumed).toBe(1);
    await runPending();
    expect(seen).toEqual(['501']);
    expect(await queue.get(id)).toMatchObject({ status: 'done', note: null });
    expect((await queue.sweep()).resumed).toBe(0);
  });

  it('marks a message done when its handler succeeds', async () => {
    const { send, runPending, queue, clock } = await setup();
    const seen: string[] = [];
    queue.setHandler('STATUS_ORDER', async (m) => {
      seen.push(m.resource_id);
    });
    const { id } = await send({ event: 'STATUS_ORDER', data: { order_id: 42, status: 'PAYMENT_ACCEPTED' } });
    await runPending();
    expect(seen).toEqual(['42']);
    expect(await queue.get(id)).toMatchObject({ status: 'done', attempts: 1, processed_at: clock.now(), last_error: null });
  });

  it('shows Fallito with the reason when processing fails for good, and a manual retry processes it again', async () => {
    const { send, runPending, queue } = await setup();
    let broken = true;
    queue.setHandler('STATUS_ORDER', async () => {
      if (broken) throw new PermanentError('SKU "X-1" is not mapped to any Odoo product');
    });
    const { id } = await send({ event: 'STATUS_ORDER', data: { order_id: 9, status: 'PAYMENT_ACCEPTED' } });
    await runPending();
    expect(await queue.get(id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await queue.get(id))!.last_error).toContain('SKU "X-1" is not mapped');
    broken = false;
    await queue.retry(id);
    expect((await queue.get(id))!.status).toBe('pending');
    await runPending();
    expect(await queue.get(id)).toMatchObject({ status: 'done', attempts: 2 });
    await expect(queue.retry(id)).rejects.toThrow(/already processed/);
  });

  it('cleans processed messages, re-enqueues lost ones, and erases payloads after the retention period', async () => {
    const { send, runPending, queue, clock } = await setup();
    queue.setHandler('STATUS_ORDER', async () => undefined);
    const done = await send({ event: 'STATUS_ORDER', data: { order_id: 1, status: 'PAYMENT_ACCEPTED' } });
    await runPending();
    const lost = await send({ event: 'STATUS_ORDER', data: { order_id: 2, status: 'PAYMENT_ACCEPTED' } });
    // a crash lost the processing task: only the message remains
    await db.kysely.deleteFrom('tasks').where('status', '=', 'pending').execute();
    clock.advance(60_000);
    expect(await queue.sweep()).toEqual({ requeued: 1, erased: 0, resumed: 0 });
    expect(await queue.sweep()).toEqual({ requeued: 0, erased: 0, resumed: 0 });
    await runPending();
    expect((await queue.get(lost.id))!.status).toBe('done');
    clock.advance(31 * 24 * 3_600_000);
    expect((await queue.sweep()).erased).toBe(2);
    expect((await queue.get(done.id))!.payload).toBeNull();
    expect(await queue.clean()).toBe(2);
    expect((await queue.list({})).total).toBe(0);
  });
});
