import { afterEach, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../src/app/context.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { checkPoleepoSide } from '../src/connections/connections.poleepo-check.ts';
import { poleepoClientFor } from '../src/poleepo/poleepo.factory.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import type { SandboxPermissions } from '@poleepo-odoo/poleepo-sandbox';
import { createTestDb, type TestDb } from './helpers/db.ts';
import { testConfig } from './helpers/config.ts';

describe('the Poleepo side of `connection test`, plugged into the connections module', () => {
  let db: TestDb | undefined;
  let ctx: AppContext | undefined;
  let sandbox: PoleepoSandbox | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    await ctx?.close();
    await db?.cleanup();
  });

  async function setup(permissions: SandboxPermissions, poleepo?: { clientId: string; clientSecret: string }, settings: Record<string, unknown> = {}) {
    const clock = new ManualClock('2026-03-01T10:00:00Z', true);
    sandbox = await startPoleepoSandbox({ clock, clients: [{ clientId: 'poleepo_conn', clientSecret: 'plpscrt_conn', permissions }], rateLimitWindowMs: 60_000 });
    db = await createTestDb('sqlite');
    ctx = await createContext(testConfig(), { db, clock, logger: silentLogger });
    const service = new ConnectionsService(ctx);
    const connection = await service.create({
      name: 'shop', odoo: { url: 'http://127.0.0.1:1', db: 'x', login: 'bot', apiKey: 'k' },
      poleepo: { baseUrl: sandbox.url, ...(poleepo ?? { clientId: 'poleepo_conn', clientSecret: 'plpscrt_conn' }) }, settings,
    });
    return { service, connection };
  }

  it('runs with `connection test` and reports token and permissions in plain words', async () => {
    const { service, connection } = await setup({ orders: 'write', products: 'read', shipping: 'write' });
    const report = await service.test(connection.id);
    const poleepo = report.checks.filter((c) => c.system === 'poleepo');
    expect(poleepo.map((c) => [c.name, c.status])).toEqual([
      ['token', 'ok'], ['orders permission', 'ok'], ['products permission', 'fail'], ['shipping permission', 'ok'],
    ]);
    expect(poleepo[2].detail).toBe('The key has read access to products (the connector needs write access to send product batches)');
    expect(report.ok).toBe(false);
    // The token it obtained is stored encrypted for every process of the deployment.
    const stored = await db!.kysely.selectFrom('poleepo_tokens').selectAll().executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ base_url: sandbox!.url, client_id: 'poleepo_conn', version: 1 });
  });

  it('says plainly when Poleepo is not configured or refuses the credentials', async () => {
    const { service, connection } = await setup({}, { clientId: '', clientSecret: '' });
    const view = await service.get(connection.id);
    const missing = await checkPoleepoSide({ ctx: ctx!, connection: view, secrets: await service.secrets(connection.id) });
    expect(missing.checks).toEqual([{ system: 'poleepo', name: 'credentials', status: 'fail', detail: expect.stringMatching(/not configured yet/) }]);
    await service.update(connection.id, { poleepo: { clientId: 'poleepo_conn', clientSecret: 'plpscrt_bad' } });
    const refused = await checkPoleepoSide({ ctx: ctx!, connection: await service.get(connection.id), secrets: await service.secrets(connection.id) });
    expect(refused.checks.map((c) => [c.name, c.status])).toEqual([['token', 'fail'], ['orders permission', 'skipped'], ['products permission', 'skipped'], ['shipping permission', 'skipped']]);
    expect(refused.checks[0].detail).toMatch(/refused the client id or client secret/);
  });

  it('the factory takes the connection\'s limits and endpoint overrides from its settings', async () => {
    const { service, connection } = await setup({ orders: 'write', products: 'write', shipping: 'write' }, undefined, { rateLimits: { 'batches.status': { limit: 2, windowMs: 60_000 } }, poleepoEndpoints: { 'carriers.list': '/couriers' } });
    const client = poleepoClientFor(ctx!, await service.get(connection.id), (await service.secrets(connection.id)).poleepoClientSecret);
    expect(client.endpoints['carriers.list'].path).toBe('/couriers');
    await expect(client.listCarriers()).rejects.toThrow(/does not know/);
    const batch = await client.submitBatch([{ sku: 'A', title: 'A' }]);
    await client.getBatch(batch.id);
    await client.getBatch(batch.id);
    await expect(client.getBatch(batch.id)).rejects.toThrow(/Rate limit of 2 requests per 60 s/);
    expect(sandbox!.stats.endpoint('batches.status').requests).toBe(2);
  });
});
