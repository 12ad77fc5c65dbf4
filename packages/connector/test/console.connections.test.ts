import { afterEach, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './helpers/console.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { startTestServer, type TestServer } from './helpers/http.ts';

const API_KEY = 'odoo-api-key-PLAINTEXT-77';
const CLIENT_SECRET = 'poleepo-client-secret-PLAINTEXT-88';

describe('console connections page', () => {
  let f: ConsoleFixture;
  let refusing: TestServer | undefined;
  let original: TestServer | undefined;
  afterEach(async () => {
    await f?.close();
    await refusing?.close();
    await original?.close();
    refusing = original = undefined;
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

  it('refuses a new URL with the secret fields left empty (nothing saved, nothing sent there), and shows only verdicts of a foreign answer', async () => {
    f = await consoleFixture('sqlite');
    const admin = await f.loggedIn('admin', 'boss', 'en');
    // The host a connection is moved to: it records what reaches it and answers with something of its own.
    const MARKER = 'INTERNAL-ONLY-7d1f';
    refusing = await startTestServer((req, res) => {
      if (req.url?.startsWith('/jsonrpc') && req.body.includes('"version"')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: 200, message: `${MARKER} odoo error`, data: { name: 'odoo.exceptions.UserError', message: `${MARKER} data`, debug: MARKER } } }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<html><body><h1>${MARKER} admin panel</h1><p>db_password=${MARKER}</p></body></html>`);
    });
    // Where the connection points first: it refuses the credentials at once.
    original = await startTestServer((_req, res) => { res.writeHead(403, { 'Content-Type': 'application/json' }); res.end('{"error":"forbidden"}'); });
    const service = new ConnectionsService(f.ctx);
    const conn = await service.create({ name: 'shop', odoo: { url: original.url, db: 'd', login: 'l', apiKey: API_KEY }, poleepo: { baseUrl: original.url, clientId: 'c', clientSecret: CLIENT_SECRET } });
    const moveTo = (secrets: { odooApiKey?: string; poleepoClientSecret?: string }) => admin.post(`/connections/${conn.id}`, {
      name: 'shop', odooUrl: refusing!.url, odooDb: 'd', odooLogin: 'l', odooApiKey: secrets.odooApiKey ?? '', companyId: '', poleepoBaseUrl: refusing!.url, poleepoClientId: 'c', poleepoClientSecret: secrets.poleepoClientSecret ?? '',
    });
    for (const secrets of [{}, { odooApiKey: 'a-new-key' }, { poleepoClientSecret: 'a-new-secret' }]) {
      const res = await moveTo(secrets);
      expect(res.status, JSON.stringify(secrets)).toBe(422);
      expect(await res.text()).toMatch(/give the (Odoo API key|Poleepo client secret) again/);
    }
    expect((await service.get(conn.id)).odoo.url).toBe(original.url);
    expect(await service.secrets(conn.id)).toEqual({ odooApiKey: API_KEY, poleepoClientSecret: CLIENT_SECRET });
    expect((await admin.post(`/connections/${conn.id}/test`)).status).toBe(303);
    expect(refusing.requests).toEqual([]);

    // With both secrets given again the move is saved, and the test reports verdicts without the host's words.
    expect((await moveTo({ odooApiKey: 'key-for-the-new-host', poleepoClientSecret: 'secret-for-the-new-host' })).status).toBe(303);
    expect((await admin.post(`/connections/${conn.id}/test`)).status).toBe(303);
    const received = JSON.stringify(refusing.requests);
    expect(received).not.toContain(API_KEY);
    expect(received).not.toContain(CLIENT_SECRET);
    const tested = await service.get(conn.id);
    expect(tested.lastTest?.ok).toBe(false);
    expect(JSON.stringify(tested.lastTest)).not.toContain(MARKER);
    const html = await (await admin.get(`/connections/${conn.id}`)).text();
    expect(html).not.toContain(MARKER);
    expect(html).toContain(`${refusing.url} is not an Odoo this connector can use`);
  });
});
