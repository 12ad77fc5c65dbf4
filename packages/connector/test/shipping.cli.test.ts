/**
 * The shipping and package-types commands, run in-process as a user would run them, against the Odoo emulator and
 * the Poleepo sandbox: map a package type, see why a delivery cannot ship, ship it, hand it over, list shipments.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packAndValidateDelivery, startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { loadConfig } from '../src/config/env.ts';
import { createContext } from '../src/app/context.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { ORDER_FIELDS, provisionOrderFields, useCompanyCurrency } from './orders.fixture.ts';
import { ODOO_BOX, ODOO_PALLET, PICKING_FIELDS } from './shipping.fixture.ts';

describe('shipping and package-types CLI', () => {
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
    dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-shipping-cli-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    odoo = await startOdooEmulator({ version: 18 });
    provisionOrderFields(odoo, [...ORDER_FIELDS, ...PICKING_FIELDS]);
    useCompanyCurrency(odoo); // the sandbox's orders are in euros: so is the company (orders.currency.ts)
    odoo.call('account.tax', 'create', [{ name: 'IVA 22% incl.', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, price_include_override: 'tax_included' }]);
    sandbox = await startPoleepoSandbox();
    const ctx = await createContext(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger });
    const key = sandbox.clients[0]!;
    await new ConnectionsService(ctx).create({
      name: 'shop', odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
      poleepo: { baseUrl: sandbox.url, clientId: key.clientId, clientSecret: key.clientSecret },
    });
    await ctx.close();
    return env;
  }

  /** An order imported with the CLI, its delivery packed into one package of this type and validated. */
  async function validatedDelivery(env: Record<string, string>, packageTypeId: number): Promise<string> {
    const order = sandbox!.state.orders.create({ lines: [{ sku: 'E-COM07', quantity: 1, price: 300 }] }, Date.now());
    expect((await cli(['orders', 'import', '--since', '2020-01-01T00:00:00Z'], env)).code).toBe(0);
    const [so] = odoo!.call('sale.order', 'search_read', [[['x_poleepo_order_id', '=', String(order.id)]]], { fields: ['id'] }) as { id: number }[];
    const [picking] = odoo!.call('stock.picking', 'search_read', [[['sale_id', '=', so!.id]]], { fields: ['name'] }) as { id: number; name: string }[];
    await packAndValidateDelivery((m, meth, args, kw) => odoo!.call(m, meth, args, kw ?? {}), { version: 18, pickingId: picking!.id, packages: [{ packageTypeId, shippingWeight: 3 }] });
    return picking!.name;
  }

  it('maps a package type, ships a delivery, hands it over and lists it', async () => {
    const env = await setup();
    const sync = await cli(['package-types', 'sync'], env);
    expect(sync).toMatchObject({ code: 0, stdout: '4 package type(s) on Poleepo: 4 new, 0 updated, 0 no longer offered.\n' });
    const map = await cli(['package-types', 'map', 'box', 'Scatola media'], env);
    expect(map.stdout).toBe('Odoo package type "Box" (2) now ships as Poleepo package type "Scatola media" (3, up to 15 kg).\n');
    const listed = JSON.parse((await cli(['package-types', 'list', '--json'], env)).stdout) as { odoo: { odoo: { id: number; widthCm: number; lengthUnit: string }; poleepo: { name: string } | null }[] };
    const box = listed.odoo.find((o) => o.odoo.id === ODOO_BOX)!;
    expect(box).toMatchObject({ odoo: { widthCm: 36.2, lengthUnit: 'mm' }, poleepo: { name: 'Scatola media' } });
    expect((await cli(['package-types', 'list'], env)).stdout).toContain('Odoo package types (converted to kg and cm from Odoo\'s units):');

    const name = await validatedDelivery(env, ODOO_BOX);
    const show = await cli(['shipping', 'show', name], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Magazzino principale');
    expect(show.stdout).toContain(`Ship it with: poleepo-odoo shipping ship ${name}`);

    const shipped = await cli(['shipping', 'ship', name, '--courier', 'gls', '--pickup', '2', '--json'], env);
    expect(shipped.code).toBe(0);
    const result = JSON.parse(shipped.stdout) as { ranHere: boolean; shipment: { step: string; courier: string; trackingCode: string; poleepoShippingId: number; label: string } };
    expect(result).toMatchObject({ ranHere: true, shipment: { step: 'ready', courier: 'GLS Business Parcel' } });
    expect(sandbox!.state.shippings.shipping(result.shipment.poleepoShippingId).pickup_address_id).toBe(2);

    const again = await cli(['shipping', 'ship', name], env);
    expect(again).toMatchObject({ code: 1 });
    expect(again.stderr).toMatch(new RegExp(`^Error: ${name.replace(/\//g, '\\/')} is already shipped with Poleepo \\(shipment \\d+, tracking GLS\\d+\\)\\n$`));

    const handover = await cli(['shipping', 'handover', name], env);
    expect(handover.code).toBe(0);
    expect(handover.stdout).toContain('HANDED_TO_CARRIER');
    const list = JSON.parse((await cli(['shipping', 'list', '--status', 'shipped', '--json'], env)).stdout) as { shipments: { picking: string; status: string }[] };
    expect(list.shipments).toEqual([expect.objectContaining({ picking: name, status: 'HANDED_TO_CARRIER' })]);
    expect((await cli(['shipping', 'list', '--status', 'DELIVERED'], env)).stdout).toBe('No shipments with status DELIVERED on connection shop.\n');
  });

  it('refuses with one line: an unmapped package type (before any Poleepo call), an unknown delivery, a bad status', async () => {
    const env = await setup();
    const name = await validatedDelivery(env, ODOO_PALLET);
    const refused = await cli(['shipping', 'ship', name], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: Package PACK\d+ has package type "Pallet", which is not mapped to a Poleepo package type: map it on the Package types page \(or `poleepo-odoo package-types map`\)\n$/);
    expect(sandbox!.stats.snapshot().endpoints['shippings.create']).toBeUndefined();
    expect((await cli(['shipping', 'show', 'WH/OUT/99999'], env)).stderr).toBe('Error: No delivery "WH/OUT/99999" in Odoo for connection "shop" (give its name, such as WH/OUT/00015, or its id)\n');
    expect((await cli(['shipping', 'list', '--status', 'lost'], env)).stderr).toMatch(/^Error: --status must be one of creating, labelling, ready, shipped, done, refused, CREATED/);
    expect((await cli(['package-types', 'map', 'Box', 'Container'], env)).stderr).toBe('Error: No Poleepo package type "Container" (see `poleepo-odoo package-types list`)\n');
    expect((await cli(['shipping', 'handover', name], env)).stderr).toBe(`Error: ${name} was not shipped with Poleepo: ship it first\n`);
  });
});
