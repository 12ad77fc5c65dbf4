import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuth } from '../src/auth/auth.service.ts';
import { control } from './fixtures/poleepo-kit.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { stopConnectorProcesses } from './helpers/scale-processes.ts';
import { processWorld, type ProcessWorld } from './helpers/process-world.ts';

/**
 * DESIGN §6: no secret in plaintext in the database, the logs or the API log. A real `poleepo-odoo start` process
 * (debug logging) does the everyday things — an operator logs in to the console and opens the connection page, a
 * signed webhook brings an order, the connector takes a Poleepo token and imports the order into Odoo over JSON-RPC
 * (whose requests carry the API key) — and then every byte of its SQLite database (WAL included) and everything it
 * printed is searched for every secret involved.
 */
let world: ProcessWorld | undefined;
afterAll(async () => world?.close());

describe('secrets at rest and in logs', () => {
  it('never writes a credential, token, password or webhook secret in plaintext to the database, the logs or the API log', { timeout: 90_000 }, async () => {
    const password = 'operator-password-Zq81';
    const webhookSecret = 'webhook-secret-copied-from-poleepo-77';
    // Odoo 17: JSON-RPC, the API key inside every request body.
    world = await processWorld({
      version: 17, logLevel: 'debug', webhookSecret,
      prepare: async (ctx) => void (await createAuth(ctx).users.create({ login: 'ops', password, role: 'admin', lang: 'it' })),
    });
    const { odoo, sandbox, poleepoKey: key, dbPath } = world;
    const connector = await world.start('start#1');
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
    const res = await fetch(`${base}${world.webhook.path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-poleepo-signature': `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}` }, body });
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
      'encryption key': TEST_ENCRYPTION_KEY, 'webhook URL token': world.webhook.token,
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
