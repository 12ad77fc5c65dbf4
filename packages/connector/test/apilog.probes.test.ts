import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.ts';
import { createContext, type AppContext } from '../src/app/context.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { TEST_ENCRYPTION_KEY, testConfig } from './helpers/config.ts';
import { cli } from './helpers/cli.ts';

/**
 * Probes are recorded as probes (issue 16 item 3): the JSON-2 transport probe's 303 on Odoo 18 and `connection
 * test`'s permission probes (404 on id 0) are what they ask for — a healthy connection shows no API errors — while a
 * real failure still counts.
 */
describe.each(dialects)('API log probes on %s', (dialect) => {
  let db: TestDb | undefined;
  let ctx: AppContext | undefined;
  let odoo: OdooEmulator | undefined;
  let poleepo: PoleepoSandbox | undefined;
  afterEach(async () => {
    await odoo?.stop();
    await poleepo?.stop();
    await ctx?.close();
    await db?.cleanup();
    db = ctx = odoo = poleepo = undefined;
  });

  it('a healthy connection test on Odoo 18 leaves probes with their 303 and 404, and no API error', async () => {
    const clock = new ManualClock('2026-11-30T09:00:00Z', true);
    odoo = await startOdooEmulator({ version: 18, clock });
    poleepo = await startPoleepoSandbox({ clock, clients: [{ clientId: 'c1', clientSecret: 's1' }] });
    db = await createTestDb(dialect);
    ctx = await createContext(testConfig(), { db, clock, logger: silentLogger });
    const service = new ConnectionsService(ctx);
    const created = await service.create({
      name: 'shop', odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
      poleepo: { baseUrl: poleepo.url, clientId: 'c1', clientSecret: 's1' },
    });
    const report = await service.test(created.id);
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
    await ctx.apiLog.flush();

    const rows = await ctx.apiLogRepo.list({ limit: 200 });
    const probes = rows.filter((r) => r.probe === 1);
    expect(probes.find((r) => r.system === 'odoo' && r.path.includes('(transport probe)'))).toMatchObject({ status: 303, error: null });
    expect(probes.filter((r) => r.system === 'poleepo' && r.status === 404)).toHaveLength(3);
    expect(probes.every((r) => r.error === null)).toBe(true);
    // Nothing counts as an error: the dashboard's figure and `logs --errors` agree.
    expect(await ctx.apiLogRepo.count({ errorsOnly: true })).toBe(0);
    // Every answer of the test is recorded by size, not text.
    expect(rows.filter((r) => r.response_body !== null).every((r) => /^\(\d+ bytes, not kept: connection test\)$/.test(r.response_body!))).toBe(true);

    // A real failure is still an error: a call that is not a probe answering 404.
    await ctx.http.request({ system: 'poleepo', method: 'GET', url: `${poleepo.url}/no/such/path` });
    // A probe that got no answer at all is an error too.
    await ctx.http.request({ system: 'odoo', method: 'GET', url: 'http://127.0.0.1:1/json/2', probe: true, timeoutMs: 5000 }).catch(() => undefined);
    await ctx.apiLog.flush();
    const errors = await ctx.apiLogRepo.list({ errorsOnly: true });
    expect(errors.map((r) => [r.probe, r.status])).toEqual([[1, null], [0, 404]]);
  });
});

describe('logs --errors leaves probes out', () => {
  it('lists a probe\'s 303 in the log, but not among the errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'probes-cli-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    try {
      const c = await createContext(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger });
      c.apiLog.record({ system: 'odoo', direction: 'outbound', method: 'POST', path: '/json/2/res.users/context_get (transport probe)', status: 303, durationMs: 3, probe: true });
      c.apiLog.record({ system: 'odoo', direction: 'outbound', method: 'POST', path: '/jsonrpc sale.order/create', status: 500, durationMs: 3, error: 'HTTP 500' });
      await c.close();
      const all = JSON.parse((await cli(['logs', '--json'], env)).stdout) as { path: string }[];
      expect(all.map((r) => r.path)).toHaveLength(2);
      const errors = JSON.parse((await cli(['logs', '--errors', '--json'], env)).stdout) as { path: string }[];
      expect(errors.map((r) => r.path)).toEqual(['/jsonrpc sale.order/create']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
