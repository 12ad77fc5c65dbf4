import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.ts';
import { createContext } from '../src/app/context.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';
import { createAuth } from '../src/auth/auth.service.ts';
import { startOdooEmulator, type OdooEmulator } from '../src/sandbox/odoo/emulator.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from '../src/sandbox/poleepo/poleepo-sandbox.server.ts';
import { control } from './fixtures/poleepo-kit.ts';
import { provisionOrderFields } from './orders.fixture.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { killConnectorProcesses, startConnectorProcess, stopConnectorProcesses, type ConnectorProcess } from './helpers/scale-processes.ts';

/**
 * DESIGN §6: no secret in plaintext in the database, the logs or the API log. A real `poleepo-odoo start` process
 * (debug logging) does the everyday things — an operator logs in to the console and opens the connection page, a
 * signed webhook brings an order, the connector takes a Poleepo token and imports the order into Odoo over JSON-RPC
 * (whose requests carry the API key) — and then every byte of its SQLite database (WAL included) and everything it
 * printed is searched for every secret involved.
 */
let odoo: OdooEmulator | undefined;
let sandbox: PoleepoSandbox | undefined;
let connector: ConnectorProcess | undefined;
let dir: string | undefined;
afterAll(async () => {
  if (connector) await stopConnectorProcesses([connector], 5_000);
  killConnectorProcesses();
  await sandbox?.stop();
  await odoo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('secrets at rest and in logs', () => {
  it('never writes a credential, token, password or webhook secret in plaintext to the database, the logs or the API log', { timeout: 90_000 }, async () => {
    odoo = await startOdooEmulator({ version: 17 }); // 17: JSON-RPC, the API key inside every request body
    provisionOrderFields(odoo);
    sandbox = await startPoleepoSandbox();
    dir = mkdtempSync(join(tmpdir(), 'poleepo-secrets-'));
    const dbPath = join(dir, 'connector.db');
    const env = { DATABASE_URL: `sqlite:${dbPath}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: 'debug', PUBLIC_URL: 'http://127.0.0.1:1' };
    const password = 'operator-password-Zq81';
    const webhookSecret = 'webhook-secret-copied-from-poleepo-77';
    const key = sandbox.clients[0];

    const setup = await createContext(loadConfig(env), { migrate: true });
    const connection = await new ConnectionsService(setup).create({
      name: 'shop', odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
      poleepo: { baseUrl: sandbox.url, clientId: key.clientId, clientSecret: key.clientSecret },
    });
    const hook = await new WebhooksService(setup.db, setup.clock, setup.secrets, env.PUBLIC_URL).add({ connectionId: connection.id, name: 'poleepo', secret: webhookSecret, events: ['STATUS_ORDER'] });
    await createAuth(setup).users.create({ login: 'ops', password, role: 'admin', lang: 'it' });
    await setup.close();

    connector = await startConnectorProcess('start', 'start#1', env);
    const base = connector.url!;

    // An operator logs in and opens the connections page.
    const cookies = new Map<string, string>();
    const browse = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), origin: base } });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
      }
      return res;
    };
    const loginPage = await (await browse('/login')).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(loginPage)![1];
    const login = await browse('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: 'ops', password, _csrf: csrf }) });
    expect(login.status).toBe(303);
    const page = await (await browse('/connections')).text();
    expect(page).toContain('shop');
    const sessionCookies = [...cookies.values()];

    // A signed webhook brings an order; the connector reads it from Poleepo and imports it into Odoo.
    const { body: order } = await control<{ id: number }>(sandbox, 'POST', '/__sandbox/orders', { lines: [{ sku: 'E-COM07', quantity: 1, price: 99 }] });
    const body = JSON.stringify({ event: 'STATUS_ORDER', event_id: `evt_${order.id}`, data: { order_id: order.id, status: 'PAYMENT_ACCEPTED' } });
    const hookUrl = new URL(hook.url);
    const res = await fetch(`${base}${hookUrl.pathname}${hookUrl.search}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-poleepo-signature': `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}` }, body });
    expect(res.status).toBe(200);
    const reader = new BetterSqlite3(dbPath, { readonly: true });
    try {
      const deadline = Date.now() + 30_000;
      const state = () => (reader.prepare('select state from order_bindings where poleepo_order_id = ?').get(String(order.id)) as { state: string } | undefined)?.state;
      while (state() !== 'confirmed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(state()).toBe('confirmed');
      const apiLog = reader.prepare("select count(*) as n from api_log where system = 'odoo' and request_body is not null").get() as { n: number };
      expect(apiLog.n).toBeGreaterThan(0); // the JSON-RPC requests were logged, bodies included
    } finally {
      reader.close();
    }
    await stopConnectorProcesses([connector], 15_000);

    const tokens = sandbox.state.auth.issuedTokens();
    expect(tokens.length).toBeGreaterThan(0);
    const secrets: Record<string, string> = {
      'Odoo API key': odoo.apiKey, 'Poleepo client secret': key.clientSecret, 'webhook secret': webhookSecret, 'user password': password,
      'encryption key': TEST_ENCRYPTION_KEY, 'webhook URL token': hookUrl.searchParams.get('token')!,
      ...Object.fromEntries(tokens.map((t, i) => [`Poleepo access token ${i + 1}`, t])),
      ...Object.fromEntries(sessionCookies.filter((v) => v !== '').map((v, i) => [`console cookie ${i + 1}`, decodeURIComponent(v)])),
    };
    const places: Record<string, string> = {
      'the database file': readFileSync(dbPath).toString('latin1'),
      'the write-ahead log': existsSync(`${dbPath}-wal`) ? readFileSync(`${dbPath}-wal`).toString('latin1') : '',
      'the process output (logs)': connector.output(),
    };
    expect(places['the process output (logs)'].length).toBeGreaterThan(1000); // debug logging really happened
    const leaks: string[] = [];
    for (const [secretName, value] of Object.entries(secrets)) {
      expect(value.length, secretName).toBeGreaterThanOrEqual(8);
      for (const [placeName, text] of Object.entries(places)) if (text.includes(value)) leaks.push(`${secretName} in ${placeName}`);
    }
    expect(leaks).toEqual([]);
  });
});
