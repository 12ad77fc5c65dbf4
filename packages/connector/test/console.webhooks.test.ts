import { afterEach, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './helpers/console.ts';
import { insertTestConnection } from './helpers/connections.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';

const SECRET = 'poleepo-webhook-secret-PLAINTEXT-99';

describe('console webhooks page', () => {
  let f: ConsoleFixture;
  afterEach(async () => {
    await f?.close();
  });

  const service = () => new WebhooksService(f.ctx.db, f.ctx.clock, f.ctx.secrets, f.ctx.config.publicUrl);

  it('creates a webhook, shows its full URL with the token at once and on the list, never the secret', async () => {
    f = await consoleFixture('sqlite');
    const connectionId = await insertTestConnection(f.db, 'shop');
    const admin = await f.loggedIn('admin');
    const res = await admin.post('/webhooks', { connection: String(connectionId), name: 'orders-hook', secret: SECRET, event_STATUS_ORDER: '1', verification: 'hmac' });
    expect(res.status).toBe(200);
    const created = await res.text();
    const [hook] = await service().list();
    expect(hook).toMatchObject({ name: 'orders-hook', connectionId, events: ['STATUS_ORDER'], verification: 'hmac', active: true });
    expect(hook.url).toMatch(/\/webhooks\/poleepo\/orders-hook\?token=[\w-]{20,}$/);
    expect(created).toContain('Webhook orders-hook added');
    expect(created).toContain(hook.url);
    const list = await (await admin.get('/webhooks')).text();
    expect(list).toContain(hook.url);
    expect(list).toContain('Paste this full URL');
    expect(list).toContain('HMAC signature');
    for (const html of [created, list]) expect(html).not.toContain(SECRET);
    expect((await service().resolve('orders-hook'))?.secret).toBe(SECRET);
  });

  it('shows validation errors on the form and saves nothing', async () => {
    f = await consoleFixture('sqlite');
    const connectionId = await insertTestConnection(f.db, 'shop');
    const admin = await f.loggedIn('admin', 'boss', 'it');
    const spaced = await admin.post('/webhooks', { connection: String(connectionId), name: 'has spaces', secret: SECRET, event_STATUS_ORDER: '1', verification: 'hmac' });
    expect(spaced.status).toBe(422);
    const html = await spaced.text();
    expect(html).toContain('Nulla è stato salvato');
    expect(html).not.toContain(SECRET);
    const noEvent = await admin.post('/webhooks', { connection: String(connectionId), name: 'ok', secret: SECRET, verification: 'hmac' });
    expect(noEvent.status).toBe(422);
    const noConnection = await admin.post('/webhooks', { connection: '999', name: 'ok', secret: SECRET, event_STATUS_ORDER: '1' });
    expect(noConnection.status).toBe(422);
    expect(await service().list()).toEqual([]);
  });

  it('removes a webhook (admin, with CSRF); operators get 403 and anonymous visitors the login', async () => {
    f = await consoleFixture('sqlite');
    const connectionId = await insertTestConnection(f.db, 'shop');
    await service().add({ connectionId, name: 'old-hook', secret: SECRET, events: ['STATUS_SHIPMENT'], verification: 'url_token' });
    const admin = await f.loggedIn('admin');
    const operator = await f.loggedIn('operator');
    expect((await operator.get('/webhooks')).status).toBe(403);
    expect((await operator.post('/webhooks/old-hook/remove')).status).toBe(403);
    expect((await f.client().get('/webhooks')).headers.get('Location')).toBe('/login?next=%2Fwebhooks');
    expect((await admin.post('/webhooks/old-hook/remove', {}, { csrf: false })).status).toBe(403);
    expect(await service().list()).toHaveLength(1);
    const res = await admin.post('/webhooks/old-hook/remove');
    expect(res.status).toBe(303);
    expect(await service().list()).toEqual([]);
    expect(await (await admin.get('/webhooks')).text()).toContain('Webhook old-hook removed.');
    expect((await admin.post('/webhooks/old-hook/remove')).status).toBe(404);
  });
});
