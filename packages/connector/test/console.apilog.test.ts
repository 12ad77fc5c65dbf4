import { afterEach, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './helpers/console.ts';

describe('console API log page', () => {
  let f: ConsoleFixture;
  afterEach(async () => {
    await f?.close();
  });

  async function seed() {
    const now = f.clock.now();
    await f.db.kysely.insertInto('connections').values({
      name: 'shop-it', active: 1, odoo_url: 'https://odoo.example', odoo_db: 'db', odoo_login: 'api',
      odoo_api_key: f.ctx.secrets.encrypt('ODOO-KEY-123456'), poleepo_base_url: 'https://api.poleepo.example', poleepo_client_id: 'cid',
      poleepo_client_secret: f.ctx.secrets.encrypt('POLEEPO-SECRET-987'), settings: '{}', created_at: now, updated_at: now,
    }).execute();
    const connectionId = (await f.db.kysely.selectFrom('connections').select('id').executeTakeFirstOrThrow()).id;
    for (let i = 0; i < 60; i++) {
      f.ctx.apiLog.record({ connectionId, system: 'poleepo', direction: 'outbound', method: 'GET', path: `/products?offset=${i}`, status: 200, durationMs: 10 + i });
    }
    f.clock.advance(1000);
    f.ctx.apiLog.record({
      connectionId, system: 'poleepo', direction: 'outbound', method: 'POST', path: '/auth/token', status: 401, durationMs: 33, error: 'HTTP 401 unauthorized',
      requestBody: JSON.stringify({ client_id: 'cid', client_secret: 'POLEEPO-SECRET-987', customer: { email: 'mario@example.com' } }),
      responseBody: JSON.stringify({ error: 'bad credentials' }), secrets: ['POLEEPO-SECRET-987'],
    });
    f.ctx.apiLog.record({ system: 'odoo', direction: 'outbound', method: 'POST', path: '/json/2/product.product/search_read', status: 200, durationMs: 14 });
    await f.ctx.apiLog.flush();
    return connectionId;
  }

  it('lists calls newest first with connection, system, direction, method, endpoint, status, duration and error', async () => {
    f = await consoleFixture('sqlite');
    await seed();
    const operator = await f.loggedIn('operator');
    const html = await (await operator.get('/api-log')).text();
    const first = html.indexOf('/json/2/product.product/search_read');
    const second = html.indexOf('/auth/token');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(html).toContain('shop-it');
    expect(html).toContain('HTTP 401 unauthorized');
    expect(html).toContain('<span class="badge badge-warn">401</span>');
    expect(html).toContain('33 ms');
    expect(html).toContain('Outbound');
    expect(html).toContain('Older →');
  });

  it('filters by system, connection, errors and endpoint, and pages through with the filters kept', async () => {
    f = await consoleFixture('sqlite');
    const connectionId = await seed();
    const operator = await f.loggedIn('operator');
    const errors = await (await operator.get('/api-log?errors=1')).text();
    expect(errors).toContain('/auth/token');
    expect(errors).not.toContain('/products?offset=');
    const odoo = await (await operator.get('/api-log?system=odoo')).text();
    expect(odoo).toContain('search_read');
    expect(odoo).not.toContain('/auth/token');
    const byConnection = await (await operator.get(`/api-log?connection=${connectionId}`)).text();
    expect(byConnection).not.toContain('search_read');
    const endpoint = await (await operator.get('/api-log?path=offset%3D5')).text();
    expect(endpoint).toContain('/products?offset=5<');
    expect(endpoint).toContain('/products?offset=59');
    expect(endpoint).not.toContain('/products?offset=6<');
    const page1 = await (await operator.get('/api-log?system=poleepo')).text();
    expect(page1).toContain('href="/api-log?system=poleepo&amp;page=2"');
    const page2 = await (await operator.get('/api-log?system=poleepo&page=2')).text();
    expect(page2).toContain('/products?offset=0<');
    expect(page2).not.toContain('/auth/token');
    expect(page2).toContain('Page 2');
    // Unknown filter values are ignored, not errors.
    expect((await operator.get('/api-log?system=nope&page=-4&connection=abc')).status).toBe(200);
  });

  it('shows one call with its bodies as stored: redacted, with no secret and no personal data', async () => {
    f = await consoleFixture('sqlite');
    await seed();
    const operator = await f.loggedIn('operator');
    const id = (await f.ctx.apiLogRepo.list({ errorsOnly: true }))[0].id;
    const res = await operator.get(`/api-log/${id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Request body');
    expect(html).toContain('[redacted]');
    expect(html).toContain('bad credentials');
    for (const secret of ['POLEEPO-SECRET-987', 'mario@example.com', 'ODOO-KEY-123456']) expect(html).not.toContain(secret);
    for (const path of ['/', '/api-log', '/api-log?errors=1']) {
      const page = await (await operator.get(path)).text();
      for (const secret of ['POLEEPO-SECRET-987', 'mario@example.com', 'ODOO-KEY-123456']) expect(page).not.toContain(secret);
    }
    expect((await operator.get('/api-log/999999')).status).toBe(404);
    expect((await operator.get('/api-log/abc')).status).toBe(404);
  });

  it('escapes whatever a remote system sent (no HTML injection through the log)', async () => {
    f = await consoleFixture('sqlite');
    f.ctx.apiLog.record({ system: 'webhook', direction: 'inbound', method: 'POST', path: '/webhooks/poleepo/<script>alert(1)</script>', status: 400, durationMs: 1, error: '<img src=x onerror=alert(1)>', responseBody: '<b>bold</b>' });
    await f.ctx.apiLog.flush();
    const operator = await f.loggedIn('operator');
    const list = await (await operator.get('/api-log')).text();
    expect(list).not.toContain('<script>alert(1)</script>');
    expect(list).not.toContain('<img src=x');
    expect(list).toContain('&lt;script&gt;');
    const id = (await f.ctx.apiLogRepo.list({}))[0].id;
    const detail = await (await operator.get(`/api-log/${id}`)).text();
    expect(detail).not.toContain('<b>bold</b>');
  });
});
