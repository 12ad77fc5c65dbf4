/**
 * The delivery buttons (DESIGN §4.7, §4.9): "Spedisci con Poleepo" and "Consegnato al corriere" are server actions
 * of the code kind, run the way the web client runs a `type="action"` header button (`run` with active_model /
 * active_id / active_ids), here through the connector's own Odoo client over JSON-RPC (17/18) and JSON-2 (19). They
 * record the request on the picking (`x_poleepo_requested`, polled by the connector) and the first opens the
 * connector's shipping page for that picking.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { odooClientFor } from '../src/connections/connections.odoo.ts';
import { OdooValidationError } from '../src/odoo/odoo.errors.ts';
import { formatPickingRequest, parsePickingRequest } from '../src/provisioning/provisioning.requests.ts';
import { buttonActions, pyString } from '../src/provisioning/provisioning.actions.ts';
import { deliveryPicking, NOW, PUBLIC_URL, provisioningWorld, type ProvisioningWorld } from './provisioning.fixture.ts';

let world: ProvisioningWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function call(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): any {
  return world!.emu.call(model, method, args, kwargs);
}

/** An incoming picking (a receipt) of company 1. */
function receipt(): number {
  const customers = call('stock.location', 'search', [[['usage', '=', 'customer']]])[0];
  const stock = call('stock.location', 'search', [[['usage', '=', 'internal'], ['company_id', '=', 1]]])[0];
  const type = call('stock.picking.type', 'create', [{ name: 'Receipts', code: 'incoming', sequence_code: 'IN', company_id: 1, warehouse_id: 1, default_location_src_id: customers, default_location_dest_id: stock }]);
  const created = call('stock.picking', 'create', [{ picking_type_id: type, location_id: customers, location_dest_id: stock, partner_id: 9 }]);
  return Array.isArray(created) ? created[0] : created;
}

describe('picking requests', () => {
  it('reads back what the buttons write and nothing else', () => {
    const request = { action: 'ship' as const, at: Date.UTC(2026, 10, 30, 9, 15, 7), uid: 2 };
    expect(formatPickingRequest(request)).toBe('ship 2026-11-30 09:15:07 uid=2');
    expect(parsePickingRequest('ship 2026-11-30 09:15:07 uid=2')).toEqual(request);
    expect(parsePickingRequest('courier 2026-01-02 03:04:05 uid=17')).toEqual({ action: 'courier', at: Date.UTC(2026, 0, 2, 3, 4, 5), uid: 17 });
    for (const v of [false, '', 'ship', 'ship 2026-11-30 uid=2', 'label 2026-11-30 09:15:07 uid=2', null]) expect(parsePickingRequest(v)).toBeNull();
  });

  it('writes each connection of the database into the ship action, by company, as Python literals', () => {
    const actions = buttonActions({ publicUrl: 'https://x.example.com/', connections: [{ name: 'shop-b', companyId: 2 }, { name: "o'shop", companyId: 1 }] });
    expect(actions.ship.code).toContain(`connections = {1: 'o\\'shop', 2: 'shop-b'}`);
    expect(actions.ship.code).toContain(`('https://x.example.com', record.id, connections.get(record.company_id.id, 'o\\'shop'))`);
    expect(pyString('a\\b\'c\nd')).toBe(`'a\\\\b\\'c\\nd'`);
    for (const a of [actions.ship, actions.courier]) {
      expect(a.code).not.toMatch(/\bimport\b|__/);
      expect(a.code).toContain("targets.write({'x_poleepo_requested': requested})");
    }
  });
});

for (const version of [17, 18, 19] as const) {
  describe(`delivery buttons on Odoo ${version}`, () => {
    it('Spedisci con Poleepo records the request and opens the connector page; Consegnato al corriere records it', async () => {
      world = await provisioningWorld(version);
      const id = await world.connect('shop', 1);
      const report = await world.provisioning.provision(id);
      const ship = report.items.find((i) => i.label === 'server action "Spedisci con Poleepo"')!.id!;
      const courier = report.items.find((i) => i.label === 'server action "Consegnato al corriere"')!.id!;
      const { pickingId } = deliveryPicking(world.emu);
      expect(call('stock.picking', 'read', [[pickingId]], { fields: ['picking_type_code'] })[0].picking_type_code).toBe('outgoing');

      const odoo = await odooClientFor(world.ctx, id);
      const context = { active_model: 'stock.picking', active_id: pickingId, active_ids: [pickingId] };
      const action = await odoo.call('ir.actions.server', 'run', [[ship]], {}, { context });
      expect(action).toEqual({ type: 'ir.actions.act_url', target: 'new', url: `${PUBLIC_URL}/shipping/picking/${pickingId}?connection=shop` });
      const [afterShip] = await odoo.read('stock.picking', [pickingId], ['x_poleepo_requested']);
      expect(parsePickingRequest(afterShip.x_poleepo_requested)).toEqual({ action: 'ship', at: NOW, uid: 2 });

      world.clock.advance(90_000);
      expect(await odoo.call('ir.actions.server', 'run', [[courier]], {}, { context })).toBe(false);
      const [afterCourier] = await odoo.read('stock.picking', [pickingId], ['x_poleepo_requested']);
      expect(afterCourier.x_poleepo_requested).toBe(formatPickingRequest({ action: 'courier', at: NOW + 90_000, uid: 2 }));
    });

    it('refuses a picking that is not a delivery, and a press without a picking, with a plain message', async () => {
      world = await provisioningWorld(version);
      const id = await world.connect('shop', 1);
      const report = await world.provisioning.provision(id);
      const ship = report.items.find((i) => i.label === 'server action "Spedisci con Poleepo"')!.id!;
      const pickingId = receipt();
      const odoo = await odooClientFor(world.ctx, id);
      const refused = await odoo.call('ir.actions.server', 'run', [[ship]], {}, { context: { active_model: 'stock.picking', active_id: pickingId, active_ids: [pickingId] } }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OdooValidationError);
      expect((refused as OdooValidationError).exceptionName).toBe('odoo.exceptions.UserError');
      expect((refused as OdooValidationError).odooMessage).toMatch(/^Spedisci con Poleepo works on delivery orders only: .* is not one\.$/);
      expect(call('stock.picking', 'read', [[pickingId]], { fields: ['x_poleepo_requested'] })[0].x_poleepo_requested).toBe(false);
      const nothing = await odoo.call('ir.actions.server', 'run', [[ship]], {}, { context: {} }).catch((e: unknown) => e);
      expect((nothing as OdooValidationError).odooMessage).toBe('Spedisci con Poleepo: open a delivery order first.');
    });
  });
}
