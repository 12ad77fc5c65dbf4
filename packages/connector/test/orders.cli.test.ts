import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { cli } from './helpers/cli.ts';
import { CliRuntime } from '../src/cli/runtime.ts';
import { runCli } from '../src/cli/main.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { loadConfig } from '../src/config/env.ts';
import { createContext } from '../src/app/context.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { provisionOrderFields, useCompanyCurrency } from './orders.fixture.ts';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('orders CLI', () => {
  let dir: string | undefined;
  let odoo: OdooEmulator | undefined;
  let sandbox: PoleepoSandbox | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    await odoo?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = odoo = sandbox = undefined;
  });

  async function setup() {
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-orders-cli-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    odoo = await startOdooEmulator({ version: 18 });
    provisionOrderFields(odoo);
    useCompanyCurrency(odoo);
    sandbox = await startPoleepoSandbox();
    const ctx = await createContext(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger });
    const key = sandbox.clients[0];
    await new ConnectionsService(ctx).create({
      name: 'shop', odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
      poleepo: { baseUrl: sandbox.url, clientId: key.clientId, clientSecret: key.clientSecret },
    });
    await ctx.close();
    const customer = { company: null, vat_number: null, firstname: 'Elena', lastname: 'Ricci', email: 'elena.ricci@example.it', address: 'Via Dante 4', postcode: '40121', city: 'Bologna', country_iso: 'IT' };
    const ok = sandbox.state.orders.create({ customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 320 }] }, Date.now());
    const parked = sandbox.state.orders.create({ customer, lines: [{ sku: 'NOT-IN-ODOO', quantity: 1, price: 9.9 }] }, Date.now());
    return { env, ok: String(ok.id), parked: String(parked.id) };
  }

  it('imports the orders changed since a date, reports each outcome, and shows one order', async () => {
    const { env, ok, parked } = await setup();
    const run = await cli(['orders', 'import', '--since', '2020-01-01T00:00:00Z'], env);
    expect(run.stderr).toContain('Reading orders changed on Poleepo since 2020-01-01T00:00:00.000Z (connection shop)');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${parked}\\s+parked\\s+Unknown SKU "NOT-IN-ODOO"`, 'm'));
    expect(run.stdout).toContain('2 order(s) changed on Poleepo, 2 to import: 1 confirmed, 0 updated, 1 parked, 0 refused, 0 waiting or skipped, 0 failed, 0 left to the service.');
    const saleOrders = odoo!.call('sale.order', 'search_read', [[['x_poleepo_order_id', '=', ok]]], { fields: ['state', 'name'] }) as { id: number; state: string; name: string }[];
    expect(saleOrders).toEqual([expect.objectContaining({ state: 'sale' })]);

    const shown = await cli(['orders', 'show', ok], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Poleepo order ${ok} (connection shop)`);
    expect(shown.stdout).toMatch(/State:\s+confirmed/);
    expect(shown.stdout).toContain(`Sale order:   ${saleOrders[0].name} (id ${saleOrders[0].id}), Odoo state sale`);
    expect(shown.stdout).toContain(`Link:         https://app.poleepo.cloud/orders/${ok}`);
    const json = JSON.parse((await cli(['orders', 'show', parked, '--json'], env)).stdout);
    expect(json.binding).toMatchObject({ state: 'parked', poleepo_order_id: parked });
    expect(json.binding.parked_reason).toContain('NOT-IN-ODOO');
    expect(json.tasks).toHaveLength(1);

    // Again from the polling cursor: nothing changed on Poleepo, nothing to import.
    const again = await cli(['orders', 'import'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 to import');
    expect(odoo!.call('sale.order', 'search_count', [[['x_poleepo_order_id', '!=', false]]])).toBe(1);
  });

  it('orders list: every imported order, filtered by --status and --since, as a table or JSON', async () => {
    const { env, ok, parked } = await setup();
    const empty = await cli(['orders', 'list'], env);
    expect(empty).toMatchObject({ code: 0, stdout: expect.stringContaining('No imported orders match') });
    expect((await cli(['orders', 'import', '--since', '2020-01-01T00:00:00Z'], env)).code).toBe(0);
    const all = await cli(['orders', 'list'], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^POLEEPO_ID\s+CONNECTION\s+STATE\s+SALE_ORDER/m);
    expect(all.stdout).toMatch(new RegExp(`^${ok}\\s+shop\\s+confirmed\\s+S\\d+`, 'm'));
    expect(all.stdout).toMatch(new RegExp(`^${parked}\\s+shop\\s+parked\\s.*NOT-IN-ODOO`, 'm'));
    const onlyParked = JSON.parse((await cli(['orders', 'list', '--status', 'parked', '--json'], env)).stdout) as { total: number; orders: { poleepo_order_id: string }[] };
    expect(onlyParked).toMatchObject({ total: 1, orders: [{ poleepo_order_id: parked }] });
    const future = JSON.parse((await cli(['orders', 'list', '--since', '2100-01-01T00:00:00Z', '--json'], env)).stdout) as { total: number };
    expect(future.total).toBe(0);
    const recent = JSON.parse((await cli(['orders', 'list', '--since', '2020-01-01T00:00:00Z', '--json'], env)).stdout) as { total: number };
    expect(recent.total).toBe(2);
    const badStatus = await cli(['orders', 'list', '--status', 'shipped'], env);
    expect(badStatus.code).toBe(1);
    expect(badStatus.stderr.trim()).toMatch(/^Error: --status must be one of pending, .*confirmed.* \(got "shipped"\)$/);
  });

  it('refuses an impossible date instead of rolling it over (2026-02-30 is not 2 March)', async () => {
    const { env } = await setup();
    for (const args of [['orders', 'import', '--since', '2026-02-30T00:00:00Z'], ['orders', 'list', '--since', '2026-02-30T00:00:00Z']]) {
      const r = await cli(args, env);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('Error: --since: 2026-02-30 is not a date (that month has 28 days; got "2026-02-30T00:00:00Z")\n');
    }
    expect((await cli(['orders', 'list', '--since', '2026-13-01T00:00:00Z'], env)).stderr).toContain('months are 01 to 12');
    expect((await cli(['orders', 'list', '--since', '2026-01-31T24:00:00Z'], env)).stderr).toContain('24:00:00 is not a time of day');
    // A leap day is a date.
    expect((await cli(['orders', 'list', '--since', '2028-02-29T00:00:00Z'], env)).code).toBe(0);
    // Nothing was imported by the refused runs: the cursor did not move.
    expect(JSON.parse((await cli(['orders', 'list', '--json'], env)).stdout).total).toBe(0);
  });

  it('shows a progress bar on a terminal', async () => {
    const { env } = await setup();
    const runtime = new CliRuntime({ LOG_LEVEL: 'silent', ...env });
    const out = Object.assign(new Capture(), { isTTY: true, columns: 120 });
    runtime.stdout = out;
    runtime.stderr = new Capture();
    expect(await runCli(['orders', 'import', '--since', '2020-01-01T00:00:00Z'], runtime)).toBe(0);
    expect(out.text).toMatch(/Importing .* \d\/2 orders/);
    expect(out.text).toContain('1 confirmed');
  });

  it('refuses bad input with a one-line reason', async () => {
    const { env } = await setup();
    const badSince = await cli(['orders', 'import', '--since', 'yesterday'], env);
    expect(badSince.code).toBe(1);
    expect(badSince.stderr.trim()).toBe('Error: --since must be an ISO date-time such as 2026-01-31T12:00:00Z (got "yesterday")');
    const unknown = await cli(['orders', 'show', '424242'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('Error: Order 424242 is not known on connection shop: import it with "poleepo-odoo orders import"');
    const noConnection = await cli(['orders', 'show', '1', '--connection', 'nope'], env);
    expect(noConnection.code).toBe(1);
    expect(noConnection.stderr.trim()).toMatch(/^Error: No connection named "nope"/);
  });
});
