import { afterEach, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './helpers/console.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { startTestServer, type TestServer } from './helpers/http.ts';

const API_KEY = 'odoo-api-key-PLAINTEXT-77';
const CLIENT_SECRET = 'poleepo-client-secret-PLAINTEXT-88';

describe('console connections page', () => {
  let f: ConsoleFixture;
  let refusing: TestServer | undefined;
  afterEach(async () => {
    await f?.close();
    await refusing?.close();
    refusing = undefined;
  });

  const form = {
    name: 'shop-eu', odooUrl: 'http://127.0.0.1:1', odooDb: 'prod', odooLogin: 'admin@example.com', odooApiKey: API_KEY,
    companyId: '1', poleepoBaseUrl: 'http://127.0.0.1:2', poleepoClientId: 'client-42', poleepoClientSecret: CLIENT_SECRET,
  };

  it('adds a connection and never shows its secrets; operators get 403, anonymous visitors the login', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin');
    const res = await admin.post('/connections', form);
    expect(res.status).toBe(303);
    const created = await new ConnectionsService(f.ctx).get('shop-eu');
    expect(res.headers.get('Location')).toBe(`/connections/${created.id}`);
    expect(await new ConnectionsService(f.ctx).secrets(created.id)).toEqual({ odooApiKey: API_KEY, poleepoClientSecret: CLIENT_SECRET });
    const list = await (await admin.get('/connections')).text();
    expect(list).toContain('Connection shop-eu added.');
    expect(list).toContain('shop-eu');
    expect(list).toContain('admin@example.com');
    expect(list).toContain('client-42');
    expect(list).toContain('Never tested');
    const detail = await (await admin.get(`/connections/${created.id}`)).text();
    expect(detail).toContain('Connection shop-eu');
    for (const html of [list, detail]) {
      expect(html).not.toContain(API_KEY);
      expect(html).not.toContain(CLIENT_SECRET);
    }
    const operator = await f.loggedIn('operator');
    expect((await operator.get('/connections')).status).toBe(403);
    expect((await operator.post(`/connections/${created.id}/remove`)).status).toBe(403);
    expect((await f.client().get('/connections')).headers.get('Location')).toBe('/login?next=%2Fconnections');
    expect((await admin.post('/connections', form, { csrf: false })).status).toBe(403);
  });

  it('shows validation errors on the form and saves nothing (no secret echoed back)', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin');
    const res = await admin.post('/connections', { ...form, name: 'has spaces', odooUrl: 'ftp://x' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('Nothing was saved');
    expect(html).toContain('value="ftp://x"');
    expect(html).not.toContain(API_KEY);
    expect(await new ConnectionsService(f.ctx).list()).toEqual([]);
  });

  it('edits keeping stored secrets when left empty, deactivates, tests with plain verdicts, and removes', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'boss', 'it');
    // Odoo and Poleepo both refuse the credentials at once (a permanent answer: no retry waits on the clock).
    refusing = await startTestServer((_req, res) => { res.writeHead(403, { 'Content-Type': 'application/json' }); res.end('{"error":"forbidden"}'); });
    const service = new ConnectionsService(f.ctx);
    const conn = await service.create({ name: 'shop', odoo: { url: refusing.url, db: 'd', login: 'l', apiKey: API_KEY }, poleepo: { baseUrl: refusing.url, clientId: 'c', clientSecret: CLIENT_SECRET } });
    const edit = await admin.post(`/connections/${conn.id}`, { name: 'shop', odooUrl: refusing.url, odooDb: 'd2', odooLogin: 'l', odooApiKey: '', companyId: '', poleepoBaseUrl: refusing.url, poleepoClientId: 'c', poleepoClientSecret: '' });
    expect(edit.status).toBe(303);
    expect((await service.get(conn.id)).odoo).toMatchObject({ url: refusing!.url, db: 'd2' });
    expect(await service.secrets(conn.id)).toEqual({ odooApiKey: API_KEY, poleepoClientSecret: CLIENT_SECRET });
    await admin.post(`/connections/${conn.id}`, { name: 'shop', odooUrl: refusing.url, odooDb: 'd2', odooLogin: 'l', odooApiKey: 'new-key', companyId: '', poleepoBaseUrl: refusing.url, poleepoClientId: 'c', poleepoClientSecret: '' });
    expect((await service.secrets(conn.id)).odooApiKey).toBe('new-key');

    expect((await admin.post(`/connections/${conn.id}/active`, { active: '0' })).status).toBe(303);
    expect((await service.get(conn.id)).active).toBe(false);
    expect(await (await admin.get(`/connections/${conn.id}`)).text()).toContain('Non attiva');

    expect((await admin.post(`/connections/${conn.id}/test`)).status).toBe(303);
    const tested = await service.get(conn.id);
    expect(tested.lastTest?.ok).toBe(false);
    const html = await (await admin.get(`/connections/${conn.id}`)).text();
    expect(html).toContain('alcuni controlli sono falliti');
    expect(html).toContain('Fallito');
    expect(html).toContain(tested.lastTest!.checks[0].detail.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;'));
    expect(html).not.toMatch(/⟦/);

    expect((await admin.post(`/connections/${conn.id}/remove`)).status).toBe(303);
    expect(await service.list()).toEqual([]);
    expect((await admin.get(`/connections/${conn.id}`)).status).toBe(404);
  });
});
