import { afterEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { ManualClock } from '../src/shared/clock.ts';
import { SecretBox } from '../src/shared/secrets.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { TaskQueue } from '../src/tasks/task.queue.ts';
import { TaskRegistry } from '../src/tasks/task.registry.ts';
import { WebhookQueueService } from '../src/webhooks/webhook-queue.service.ts';
import { defineWebhookTasks } from '../src/webhooks/webhook-queue.tasks.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';
import { WebhookIntake, MAX_WEBHOOK_BODY_BYTES } from '../src/webhooks/webhook.intake.ts';
import { mountWebhookRoutes } from '../src/webhooks/webhooks.routes.ts';
import { signPoleepoBody } from '../src/poleepo/poleepo.signature.ts';

const signBody = (secret: string, body: string) => `sha256=${signPoleepoBody(body, secret)}`;
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { insertTestConnection } from './helpers/connections.ts';

const SECRET = 'poleepo-generated-secret-key';

describe.each(dialects)('Poleepo webhook intake on %s', (dialect) => {
  let db: TestDb;
  afterEach(async () => db?.cleanup());

  async function setup(verification = 'hmac', events = ['STATUS_ORDER', 'STATUS_SHIPMENT']) {
    db = await createTestDb(dialect);
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const connectionId = await insertTestConnection(db);
    const webhooks = new WebhooksService(db, clock, new SecretBox(TEST_ENCRYPTION_KEY), 'https://connector.example.com');
    const { url } = await webhooks.add({ connectionId, name: 'poleepo-main', secret: SECRET, events, verification });
    const registry = new TaskRegistry();
    const tasks = new TaskQueue(db, clock, { registry });
    defineWebhookTasks(registry, new WebhookQueueService(tasks, clock));
    const app = new Hono();
    mountWebhookRoutes(app, new WebhookIntake(webhooks, tasks, clock, silentLogger));
    const path = new URL(url).pathname + new URL(url).search;
    const post = (body: string, headers: Record<string, string> = {}, p = path) => app.request(p, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    const counts = async () => ({
      messages: Number((await db.kysely.selectFrom('webhook_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
      tasks: Number((await db.kysely.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
    });
    return { url, path, post, counts, tasks, connectionId, webhooks };
  }

  const order = (id: number, status = 'PAYMENT_ACCEPTED', previous: string | null = null) =>
    JSON.stringify({ event: 'STATUS_ORDER', event_id: `evt_${id}_${status}`, timestamp: '2026-06-01T10:00:00Z', data: { order_id: id, status, previous_status: previous } });

  it('shows a Webhook URL with the name and an unguessable token, and keeps the secrets encrypted', async () => {
    const { url } = await setup();
    expect(url).toMatch(/^https:\/\/connector\.example\.com\/webhooks\/poleepo\/poleepo-main\?token=[A-Za-z0-9_-]{32}$/);
    const row = await db.kysely.selectFrom('webhooks').selectAll().executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^v1:/);
    expect(row.secret).not.toContain(SECRET);
    expect(row.url_token).not.toContain(new URL(url).searchParams.get('token')!);
  });

  it('stores a verified message with its processing task before acknowledging', async () => {
    const { post, counts } = await setup();
    const body = order(1001);
    const res = await post(body, { 'x-poleepo-signature': signBody(SECRET, body) });
    expect(res.status).toBe(200);
    const ack = await res.json();
    expect(ack).toMatchObject({ received: true, duplicate: false });
    const message = await db.kysely.selectFrom('webhook_messages').selectAll().executeTakeFirstOrThrow();
    expect(message).toMatchObject({ id: ack.id, event: 'STATUS_ORDER', resource_type: 'order', resource_id: '1001', status: 'pending', payload: body, event_id: 'evt_1001_PAYMENT_ACCEPTED' });
    const task = await db.kysely.selectFrom('tasks').selectAll().executeTakeFirstOrThrow();
    expect(task).toMatchObject({ kind: 'webhooks.process-message', lane: 'webhooks', status: 'pending' });
    expect(JSON.parse(task.payload)).toEqual({ messageId: ack.id });
    expect(await counts()).toEqual({ messages: 1, tasks: 1 });
  });

  it('rejects unknown names, wrong tokens, bad signatures, oversized and malformed bodies without any side effect', async () => {
    const { post, path, counts } = await setup();
    const body = order(1);
    const good = { 'x-poleepo-signature': signBody(SECRET, body) };
    expect((await post(body, good, path.replace('poleepo-main', 'other'))).status).toBe(404);
    expect((await post(body, good, path.replace(/token=.*/, 'token=wrong'))).status).toBe(404);
    expect((await post(body, good, path.replace(/\?token=.*/, ''))).status).toBe(404);
    expect((await post(body, {})).status).toBe(401);
    expect((await post(body, { 'x-poleepo-signature': signBody('another-secret', body) })).status).toBe(401);
    expect((await post(body, { 'x-poleepo-signature': 'sha256=zz' })).status).toBe(401);
    const big = JSON.stringify({ event: 'STATUS_ORDER', data: { order_id: 1, pad: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) } });
    expect((await post(big, { 'x-poleepo-signature': signBody(SECRET, big) })).status).toBe(413);
    const broken = '{"event": "STATUS_ORDER", ';
    const res = await post(broken, { 'x-poleepo-signature': signBody(SECRET, broken) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Body is not valid JSON' });
    const noId = JSON.stringify({ event: 'STATUS_ORDER', data: {} });
    expect((await post(noId, { 'x-poleepo-signature': signBody(SECRET, noId) })).status).toBe(400);
    expect(await counts()).toEqual({ messages: 0, tasks: 0 });
  });

  it('refuses a signed body nested 10,000 levels deep with 400 (not a stack overflow), and counts brackets in strings as text', async () => {
    const { post, counts } = await setup();
    const deep = `{"event":"STATUS_ORDER","data":{"order_id":1,"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const res = await post(deep, { 'x-poleepo-signature': signBody(SECRET, deep) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Body is nested deeper than 64 levels' });
    expect(await counts()).toEqual({ messages: 0, tasks: 0 });
    const brackets = JSON.stringify({ event: 'STATUS_ORDER', data: { order_id: 2, note: `${'[{'.repeat(500)} \\" ${'}]'.repeat(500)}` } });
    expect((await post(brackets, { 'x-poleepo-signature': signBody(SECRET, brackets) })).status).toBe(200);
  });

  it('does not grow its lookup cache with requests to names that do not exist', async () => {
    const { post, path, webhooks } = await setup();
    const body = order(1);
    for (let i = 0; i < 200; i++) expect((await post(body, {}, path.replace('poleepo-main', `random-${i}`))).status).toBe(404);
    expect((await post(body, {}, path.replace('poleepo-main', 'x'.repeat(5000)))).status).toBe(404);
    expect((await post(body, { 'x-poleepo-signature': signBody(SECRET, body) })).status).toBe(200);
    expect(webhooks.cachedCount).toBe(1);
  });

  it('acknowledges and ignores an event the webhook does not subscribe', async () => {
    const { post, counts } = await setup('hmac', ['STATUS_ORDER']);
    const body = JSON.stringify({ event: 'STATUS_SHIPMENT', data: { shipping_id: 5, status: 'IN_TRANSIT' } });
    const res = await post(body, { 'x-poleepo-signature': signBody(SECRET, body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ignored: true });
    expect(await counts()).toEqual({ messages: 0, tasks: 0 });
  });

  it('recognises duplicates (same event, resource and content) but keeps two status changes apart', async () => {
    const { post, counts } = await setup();
    const first = order(7, 'PAYMENT_ACCEPTED');
    const sig = { 'x-poleepo-signature': signBody(SECRET, first) };
    const a = await (await post(first, sig)).json();
    const b = await (await post(first, sig)).json();
    expect(b).toEqual({ received: true, id: a.id, duplicate: true });
    // the same content redelivered with another event id is still the same notification
    const again = JSON.stringify({ ...JSON.parse(first), event_id: 'evt_other' });
    expect((await (await post(again, { 'x-poleepo-signature': signBody(SECRET, again) })).json()).duplicate).toBe(true);
    const second = order(7, 'IN_PROCESS', 'PAYMENT_ACCEPTED');
    const c = await (await post(second, { 'x-poleepo-signature': signBody(SECRET, second) })).json();
    expect(c.duplicate).toBe(false);
    expect(await counts()).toEqual({ messages: 2, tasks: 2 });
    const row = await db.kysely.selectFrom('webhook_messages').select('duplicates').where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.duplicates).toBe(2);
  });

  it('verifies in "header" mode (secret verbatim) and "url_token" mode', async () => {
    const h = await setup('header');
    expect((await h.post(order(1), { 'x-poleepo-secret': 'nope-nope-nope' })).status).toBe(401);
    expect((await h.post(order(1), { 'x-poleepo-secret': SECRET })).status).toBe(200);
    await db.cleanup();
    const t = await setup('url_token');
    expect((await t.post(order(2))).status).toBe(200);
    expect((await t.post(order(3), {}, t.path.replace(/token=.*/, 'token=x'))).status).toBe(404);
  });

  it('refuses webhook names with spaces, unknown events and a missing secret', async () => {
    await setup();
    const clock = new ManualClock();
    const svc = new WebhooksService(db, clock, new SecretBox(TEST_ENCRYPTION_KEY), 'http://x');
    const connectionId = (await db.kysely.selectFrom('connections').select('id').executeTakeFirstOrThrow()).id;
    await expect(svc.add({ connectionId, name: 'my hook', secret: SECRET, events: ['STATUS_ORDER'] })).rejects.toThrow(/no spaces/);
    await expect(svc.add({ connectionId, name: 'h2', secret: SECRET, events: ['ORDER_CREATED'] })).rejects.toThrow(/Unknown event/);
    await expect(svc.add({ connectionId, name: 'h3', secret: '', events: ['STATUS_ORDER'] })).rejects.toThrow(/secret key copied from Poleepo is required/);
    await expect(svc.add({ connectionId, name: 'poleepo-main', secret: SECRET, events: ['STATUS_ORDER'] })).rejects.toThrow(/already exists/);
  });
});
