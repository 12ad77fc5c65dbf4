import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../src/app/context.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { SecretBox } from '../src/shared/secrets.ts';
import { ConnectionsService, ConnectionNotFoundError } from '../src/connections/connections.service.ts';
import { bootstrapConnectionFromEnv } from '../src/connections/connections.bootstrap.ts';
import { odooClientFor } from '../src/connections/connections.odoo.ts';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { testConfig } from './helpers/config.ts';

const ODOO_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const POLEEPO_SECRET = 'poleepo-client-secret-9f8e7d6c';

describe.each(dialects)('connections on %s', (dialect) => {
  let db: TestDb | undefined;
  let ctx: AppContext | undefined;
  afterEach(async () => {
    await ctx?.close();
    await db?.cleanup();
    ctx = undefined;
    db = undefined;
  });

  async function setup(env: Record<string, string> = {}): Promise<{ service: ConnectionsService; ctx: AppContext; db: TestDb }> {
    db = await createTestDb(dialect);
    ctx = await createContext(testConfig(env), { db, clock: new ManualClock('2026-03-01T10:00:00Z'), logger: silentLogger });
    return { service: new ConnectionsService(ctx), ctx, db };
  }

  const input = {
    name: 'shop-it',
    odoo: { url: 'https://shop.odoo.com/', db: 'shop', login: 'bot@shop.it', apiKey: ODOO_KEY, companyId: 1 },
    poleepo: { clientId: 'client-42', clientSecret: POLEEPO_SECRET },
  };

  it('stores the secrets encrypted: neither the API key nor the client secret is in any column in plaintext', async () => {
    const { service, db } = await setup();
    const created = await service.create(input);
    const raw = await db.kysely.selectFrom('connections').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(raw)).not.toContain(ODOO_KEY);
    expect(JSON.stringify(raw)).not.toContain(POLEEPO_SECRET);
    expect(SecretBox.isEncrypted(raw.odoo_api_key)).toBe(true);
    expect(SecretBox.isEncrypted(raw.poleepo_client_secret)).toBe(true);
    await expect(service.secrets(created.id)).resolves.toEqual({ odooApiKey: ODOO_KEY, poleepoClientSecret: POLEEPO_SECRET });
  });

  it('never shows a secret in list or get, not even masked', async () => {
    const { service } = await setup();
    await service.create(input);
    const list = await service.list();
    const shown = JSON.stringify([list, await service.get('shop-it')]);
    expect(shown).not.toContain(ODOO_KEY);
    expect(shown).not.toContain(POLEEPO_SECRET);
    expect(list[0]).toMatchObject({
      name: 'shop-it', active: true,
      odoo: { url: 'https://shop.odoo.com', db: 'shop', login: 'bot@shop.it', companyId: 1, apiKeySet: true, version: null },
      poleepo: { baseUrl: 'https://api.poleepo.cloud', clientId: 'client-42', clientSecretSet: true },
    });
    expect(list[0].settings.rateLimits['batches.status']).toEqual({ limit: 5, windowMs: 600_000 });
    expect(list[0].settings.quantitySource).toBe('qty_available');
  });

  it('validates input with plain messages and refuses a duplicate name', async () => {
    const { service } = await setup();
    await expect(service.create({ ...input, name: 'has space' })).rejects.toThrow(/no spaces/);
    await expect(service.create({ ...input, odoo: { ...input.odoo, url: 'ftp://x' } })).rejects.toThrow(/http/);
    await expect(service.create({ ...input, poleepo: { clientId: 'only-id' } })).rejects.toThrow(/both the Poleepo client id and client secret/);
    await expect(service.create({ ...input, settings: { quantitySource: 'all' } })).rejects.toThrow(/quantitySource/);
    await service.create(input);
    await expect(service.create(input)).rejects.toThrow(/already exists/);
  });

  it('updates fields, rotates the key (forgetting what was probed), merges settings, toggles active, removes', async () => {
    const { service } = await setup();
    const created = await service.create(input);
    await service.recordOdooFacts(created.id, { version: '18.0', transport: 'jsonrpc', apiKeyExpiresAt: Date.UTC(2026, 5, 1) });
    expect((await service.get(created.id)).odoo).toMatchObject({ version: '18.0', transport: 'jsonrpc' });
    const rotated = await service.update('shop-it', { odoo: { apiKey: 'new-key-0000000000000000000000000000000' }, settings: { odoo: { maxConcurrent: 3 }, batchSize: 50 } });
    expect(rotated.odoo).toMatchObject({ version: null, transport: null, apiKeyExpiresAt: null });
    expect(rotated.settings.odoo.maxConcurrent).toBe(3);
    expect(rotated.settings.odoo.timeoutMs).toBe(60_000);
    expect(rotated.settings.batchSize).toBe(50);
    expect((await service.secrets(created.id)).odooApiKey).toBe('new-key-0000000000000000000000000000000');
    expect((await service.setActive(created.id, false)).active).toBe(false);
    await service.remove('shop-it');
    await expect(service.get('shop-it')).rejects.toBeInstanceOf(ConnectionNotFoundError);
  });

  it('needs the Odoo key again with a new Odoo URL, and the Poleepo secret again with a new Poleepo URL (a stored secret never goes to another address)', async () => {
    const { service } = await setup();
    const created = await service.create(input);
    await expect(service.update(created.id, { odoo: { url: 'https://attacker.example' } })).rejects.toThrow(/Odoo URL changes .*give the Odoo API key again/);
    await expect(service.update(created.id, { poleepo: { baseUrl: 'http://169.254.169.254' } })).rejects.toThrow(/Poleepo base URL changes .*give the Poleepo client secret again/);
    const unchanged = await service.get(created.id);
    expect(unchanged.odoo.url).toBe('https://shop.odoo.com');
    expect(unchanged.poleepo.baseUrl).toBe('https://api.poleepo.cloud');
    // The same URL (as normalised), or other fields, need nothing again.
    await service.update(created.id, { odoo: { url: 'https://shop.odoo.com/', db: 'shop2', login: 'other@shop.it' }, poleepo: { baseUrl: 'https://api.poleepo.cloud', clientId: 'client-43' } });
    // With the secrets, the address changes.
    const moved = await service.update(created.id, { odoo: { url: 'https://erp.shop.it', apiKey: 'key-for-the-new-host-000000000000000' }, poleepo: { baseUrl: 'https://eu.poleepo.cloud', clientSecret: 'secret-for-the-new-host' } });
    expect(moved.odoo.url).toBe('https://erp.shop.it');
    expect(await service.secrets(created.id)).toEqual({ odooApiKey: 'key-for-the-new-host-000000000000000', poleepoClientSecret: 'secret-for-the-new-host' });
    // Without a Poleepo secret stored, there is nothing to protect.
    const bare = await service.create({ ...input, name: 'bare', poleepo: {} });
    expect((await service.update(bare.id, { poleepo: { baseUrl: 'https://eu.poleepo.cloud' } })).poleepo.baseUrl).toBe('https://eu.poleepo.cloud');
  });

  it('bootstrap moves the "default" connection to a new address with the key the environment gives', async () => {
    const env = { ODOO_URL: 'https://erp.example.com', ODOO_DB: 'erp', ODOO_LOGIN: 'api@example.com', ODOO_API_KEY: ODOO_KEY, POLEEPO_CLIENT_ID: 'pc-1', POLEEPO_CLIENT_SECRET: POLEEPO_SECRET };
    const { service, ctx } = await setup(env);
    await bootstrapConnectionFromEnv(ctx, service);
    const moved = await createContext(testConfig({ ...env, ODOO_URL: 'https://erp2.example.com', POLEEPO_BASE_URL: 'https://eu.poleepo.cloud' }), { db: ctx.db, clock: ctx.clock, logger: silentLogger });
    expect(await bootstrapConnectionFromEnv(moved)).toMatchObject({ action: 'updated' });
    expect((await service.get('default')).odoo.url).toBe('https://erp2.example.com');
    expect((await service.get('default')).poleepo.baseUrl).toBe('https://eu.poleepo.cloud');
    expect(await service.secrets('default')).toEqual({ odooApiKey: ODOO_KEY, poleepoClientSecret: POLEEPO_SECRET });
    await moved.close();
  });

  it('resolves the only connection without a name, and asks for one when there are several', async () => {
    const { service } = await setup();
    await expect(service.resolve()).rejects.toThrow(/no connection yet/i);
    await service.create(input);
    expect((await service.resolve()).name).toBe('shop-it');
    await service.create({ ...input, name: 'shop-de' });
    await expect(service.resolve()).rejects.toThrow(/name one \(shop-de, shop-it\)/);
    expect((await service.resolve('shop-de')).name).toBe('shop-de');
  });

  it('builds the Odoo client of a connection with the decrypted key and the company context', async () => {
    const { service, ctx } = await setup();
    const created = await service.create(input);
    const client = await odooClientFor(ctx, created);
    expect(client.endpoint).toMatchObject({ url: 'https://shop.odoo.com', db: 'shop', login: 'bot@shop.it', apiKey: ODOO_KEY, connectionId: created.id });
    expect(client.context()).toEqual({ allowed_company_ids: [1] });
  });

  it('bootstraps the "default" connection from the environment, idempotently, and writes a rotated key', async () => {
    const env = {
      ODOO_URL: 'https://erp.example.com', ODOO_DB: 'erp', ODOO_LOGIN: 'api@example.com', ODOO_API_KEY: ODOO_KEY, ODOO_COMPANY_ID: '2',
      POLEEPO_CLIENT_ID: 'pc-1', POLEEPO_CLIENT_SECRET: POLEEPO_SECRET,
    };
    const { service, ctx } = await setup(env);
    const first = await bootstrapConnectionFromEnv(ctx, service);
    expect(first).toMatchObject({ action: 'created', name: 'default' });
    expect(await bootstrapConnectionFromEnv(ctx, service)).toMatchObject({ action: 'unchanged' });
    expect(await service.list()).toHaveLength(1);
    const view = await service.get('default');
    expect(view.odoo).toMatchObject({ url: 'https://erp.example.com', db: 'erp', login: 'api@example.com', companyId: 2 });
    expect(view.poleepo.clientId).toBe('pc-1');

    // A rotated key in the environment is written on the next start; settings stay as they were.
    await service.update('default', { settings: { batchSize: 20 } });
    const rotatedCtx = await createContext(testConfig({ ...env, ODOO_API_KEY: 'rotated-key-1111111111111111111111111111' }), { db: ctx.db, clock: ctx.clock, logger: silentLogger });
    expect(await bootstrapConnectionFromEnv(rotatedCtx)).toMatchObject({ action: 'updated' });
    expect((await service.secrets('default')).odooApiKey).toBe('rotated-key-1111111111111111111111111111');
    expect((await service.get('default')).settings.batchSize).toBe(20);
    await rotatedCtx.close();
  });

  it('bootstrap does nothing without variables', async () => {
    const { service, ctx } = await setup();
    expect(await bootstrapConnectionFromEnv(ctx, service)).toMatchObject({ action: 'skipped' });
    expect(await service.list()).toEqual([]);
  });
});
