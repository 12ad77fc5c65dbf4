/**
 * One Odoo database, several connections (DESIGN §4.9): two companies connected to two Poleepo accounts get
 * company-dependent product fields where the version supports it (18, 19 — detected on ir.model.fields), each
 * company keeping its own values and its deliveries going to its own connection; Odoo 17, the same company twice,
 * a missing company id and fields made for a single company are refused with the reason. Shared records stay while
 * another connection uses the database. The notification token is stored encrypted (both dialects).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { odooClientFor } from '../src/connections/connections.odoo.ts';
import { checkOdoo } from '../src/provisioning/provisioning.check.ts';
import { databaseKey, siblingsOf } from '../src/provisioning/provisioning.companies.ts';
import { POLEEPO_FIELDS } from '../src/provisioning/provisioning.fields.ts';
import { ProvisioningRefusedError } from '../src/provisioning/provisioning.types.ts';
import { connectionForOdooWebhookToken, odooWebhookToken } from '../src/provisioning/provisioning.tokens.ts';
import type { ConnectionView } from '../src/connections/connections.types.ts';
import { createContext, type AppContext } from '../src/app/context.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { testConfig } from './helpers/config.ts';
import { PUBLIC_URL, provisioningWorld, snapshot, type ProvisioningWorld } from './provisioning.fixture.ts';

let world: ProvisioningWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function call(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): any {
  return world!.emu.call(model, method, args, kwargs);
}

/** The company of the demo's second delivery type (2 in 17/18, 3 in 19) and a delivery of that company. */
function otherCompanyDelivery(): { companyId: number; pickingId: number } {
  const [type] = call('stock.picking.type', 'search_read', [[['code', '=', 'outgoing'], ['company_id', '!=', 1]]], { fields: ['company_id', 'default_location_src_id', 'default_location_dest_id'] });
  const created = call('stock.picking', 'create', [{ picking_type_id: type.id, location_id: type.default_location_src_id[0], location_dest_id: type.default_location_dest_id[0], partner_id: 9, company_id: type.company_id[0] }], { context: { allowed_company_ids: [type.company_id[0]] } });
  return { companyId: type.company_id[0], pickingId: Array.isArray(created) ? created[0] : created };
}

function companyPicking(companyId: number): number {
  const [type] = call('stock.picking.type', 'search_read', [[['code', '=', 'outgoing'], ['company_id', '=', companyId]]], { fields: ['default_location_src_id', 'default_location_dest_id'] });
  const created = call('stock.picking', 'create', [{ picking_type_id: type.id, location_id: type.default_location_src_id[0], location_dest_id: type.default_location_dest_id[0], partner_id: 9, company_id: companyId }], { context: { allowed_company_ids: [companyId] } });
  return Array.isArray(created) ? created[0] : created;
}

describe('databases shared by connections', () => {
  const view = (id: number, name: string, url: string, db: string, companyId: number | null) => ({ id, name, odoo: { url, db, companyId } }) as unknown as ConnectionView;

  it('recognises one Odoo database whatever the spelling of its URL', () => {
    expect(databaseKey('https://Shop.Example.com/', 'prod')).toBe(databaseKey('https://shop.example.com', 'prod'));
    expect(databaseKey('https://shop.example.com', 'prod')).not.toBe(databaseKey('https://shop.example.com', 'test'));
    const a = view(1, 'a', 'https://shop.example.com', 'prod', 1);
    const all = [a, view(2, 'b', 'https://SHOP.example.com/', 'prod', 2), view(3, 'c', 'https://shop.example.com', 'test', 1), view(4, 'd', 'https://other.example.com', 'prod', 1)];
    expect(siblingsOf(a, all)).toEqual([{ id: 2, name: 'b', companyId: 2 }]);
  });
});

for (const version of [18, 19] as const) {
  describe(`two companies of one Odoo ${version} database`, () => {
    it('company-dependent product fields: each company keeps its values, its rules and its deliveries', async () => {
      world = await provisioningWorld(version);
      const { companyId: other, pickingId: otherPicking } = otherCompanyDelivery();
      const ownPicking = companyPicking(1);
      const a = await world.connect('shop-sf', 1);
      const b = await world.connect('shop-other', other);
      const first = await world.provisioning.provision(a);
      expect(first.counts).toMatchObject({ created: 34, updated: 0 });
      expect(first.notes.join('\n')).toContain(`companies 1 and ${other}`);
      const second = await world.provisioning.provision(b);
      expect(second.counts).toMatchObject({ created: 3, updated: 0, unchanged: 31 });
      expect(second.items.filter((i) => i.change === 'created').map((i) => i.kind)).toEqual(['automation rule', 'automation rule', 'automation rule']);

      const fields = call('ir.model.fields', 'search_read', [[['name', '=like', 'x_poleepo_%']]], { fields: ['model', 'name', 'company_dependent'] });
      for (const f of POLEEPO_FIELDS) expect(fields.find((r: { model: string; name: string }) => r.model === f.model && r.name === f.name).company_dependent, `${f.model}.${f.name}`).toBe(f.model === 'product.product');

      // Each connection's client carries its company: each writes and reads its own Poleepo values.
      const odooA = await odooClientFor(world.ctx, a);
      const odooB = await odooClientFor(world.ctx, b);
      await odooA.write('product.product', [14], { x_poleepo_ref: 'SF-14', x_poleepo_published: true });
      await odooB.write('product.product', [14], { x_poleepo_ref: 'OT-14', x_poleepo_published: false });
      expect((await odooA.read('product.product', [14], ['x_poleepo_ref', 'x_poleepo_published']))[0]).toMatchObject({ x_poleepo_ref: 'SF-14', x_poleepo_published: true });
      expect((await odooB.read('product.product', [14], ['x_poleepo_ref', 'x_poleepo_published']))[0]).toMatchObject({ x_poleepo_ref: 'OT-14', x_poleepo_published: false });

      // The ship button sends each company's deliveries to its connection.
      const ship = first.items.find((i) => i.label === 'server action "Spedisci con Poleepo"')!.id!;
      const run = (picking: number, client = odooA) => client.call<{ url: string }>('ir.actions.server', 'run', [[ship]], {}, { context: { active_model: 'stock.picking', active_id: picking, active_ids: [picking], allowed_company_ids: [1, other] } });
      expect((await run(ownPicking)).url).toBe(`${PUBLIC_URL}/shipping/picking/${ownPicking}?connection=shop-sf`);
      expect((await run(otherPicking)).url).toBe(`${PUBLIC_URL}/shipping/picking/${otherPicking}?connection=shop-other`);

      for (const id of [a, b]) {
        const report = await checkOdoo(world.ctx, id);
        expect(report.complete, JSON.stringify(report.items.filter((i) => i.status !== 'ok'))).toBe(true);
        expect(report.checks.find((c) => c.name === 'companies')).toMatchObject({ status: 'ok' });
      }
    });

    it('--remove on one connection keeps what the other uses; once it is the last, Odoo is as before', async () => {
      world = await provisioningWorld(version);
      const { companyId: other } = otherCompanyDelivery();
      const before = snapshot(world.emu);
      const a = await world.connect('shop-sf', 1);
      const b = await world.connect('shop-other', other);
      await world.provisioning.provision(a);
      await world.provisioning.provision(b);
      const removedA = await world.provisioning.remove(a);
      expect(removedA.counts).toMatchObject({ removed: 3, kept: 34 });
      expect(removedA.items.filter((i) => i.change === 'removed').map((i) => i.kind)).toEqual(['automation rule', 'automation rule', 'automation rule']);
      expect(removedA.notes.join('\n')).toContain('"shop-other" uses the same Odoo database');
      expect((await checkOdoo(world.ctx, b)).complete).toBe(true);
      // A connection deleted without --remove leaves its rules: the next provisioning of the other one takes them away.
      expect((await world.provisioning.provision(a)).counts).toMatchObject({ created: 3, unchanged: 31 });
      await world.connections.remove(a);
      const cleaned = await world.provisioning.provision(b);
      expect(cleaned.items.filter((i) => i.change === 'removed').map((i) => i.detail)).toEqual(['its connection no longer exists', 'its connection no longer exists', 'its connection no longer exists']);
      const removedB = await world.provisioning.remove(b);
      expect(removedB.counts).toMatchObject({ removed: 34, kept: 0 });
      expect(snapshot(world.emu)).toBe(before);
    });

    it('fields made for a single company: the second company is refused with the way out, which works', async () => {
      world = await provisioningWorld(version);
      const { companyId: other } = otherCompanyDelivery();
      const a = await world.connect('shop-sf', 1);
      await world.provisioning.provision(a);
      call('product.product', 'write', [[14], { x_poleepo_ref: 'SF-14' }]);
      const b = await world.connect('shop-other', other);
      const refused = await world.provisioning.provision(b).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ProvisioningRefusedError);
      expect((refused as Error).message).toContain('were created for a single company');
      expect((refused as Error).message).toContain('odoo provision --remove --connection shop-other');
      await expect(world.provisioning.provision(a)).rejects.toThrow(ProvisioningRefusedError);
      expect((await checkOdoo(world.ctx, b)).checks.find((c) => c.name === 'companies')!.status).toBe('fail');
      // The way out the message gives.
      await world.connections.remove(b);
      expect((await world.provisioning.remove(a)).counts.removed).toBe(34);
      const b2 = await world.connect('shop-other', other);
      expect((await world.provisioning.provision(a)).counts.created).toBe(34);
      expect((await world.provisioning.provision(b2)).counts.created).toBe(3);
      expect(call('ir.model.fields', 'search_read', [[['model', '=', 'product.product'], ['name', '=', 'x_poleepo_ref']]], { fields: ['company_dependent'] })[0].company_dependent).toBe(true);
    });
  });
}

describe('connections Odoo cannot keep apart', () => {
  it('Odoo 17 cannot make company-dependent custom fields: the second company is refused with the reason', async () => {
    world = await provisioningWorld(17);
    const a = await world.connect('shop-sf', 1);
    const b = await world.connect('shop-chicago', 2);
    const refused = await world.provisioning.provision(b).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProvisioningRefusedError);
    expect((refused as Error).message).toBe('Connections "shop-chicago" and "shop-sf" connect companies 1 and 2 of the same database "sandbox" at ' + world.emu.url + ' to different Poleepo accounts. Their products would share one Poleepo product id and one "Published on Poleepo" flag, and this Odoo version cannot create company-dependent custom fields through the API (Odoo 18 can). Connect one company of this database, or upgrade Odoo to 18 or later');
    await expect(world.provisioning.provision(a)).rejects.toThrow('cannot create company-dependent custom fields');
    expect(call('ir.model.fields', 'search_count', [[['name', '=like', 'x_poleepo_%']]])).toBe(0);
    const check = await checkOdoo(world.ctx, a);
    expect(check.ok).toBe(false);
    expect(check.checks.find((c) => c.name === 'companies')).toMatchObject({ status: 'fail' });
  });

  it.each([17, 18] as const)('Odoo %s: the same company twice, or a connection without company, is refused', async (version) => {
    world = await provisioningWorld(version);
    await world.connect('shop-sf', 1);
    const twin = await world.connect('shop-sf-2', 1);
    await expect(world.provisioning.provision(twin)).rejects.toThrow('Connection "shop-sf" already connects company 1 of database "sandbox"');
    await world.connections.remove(twin);
    const vague = await world.connect('shop-any', null);
    await expect(world.provisioning.provision(vague)).rejects.toThrow('but "shop-any" has no company id');
  });
});

describe.each(dialects)('the Odoo notification token on %s', (dialect) => {
  let db: TestDb | undefined;
  let ctx: AppContext | undefined;
  afterEach(async () => {
    await ctx?.close();
    await db?.cleanup();
    ctx = undefined;
    db = undefined;
  });

  it('is made once per connection, kept encrypted, and finds its connection back', async () => {
    db = await createTestDb(dialect);
    ctx = await createContext(testConfig(), { db, logger: silentLogger });
    const t1 = await odooWebhookToken(ctx, 7);
    expect(t1).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await odooWebhookToken(ctx, 7)).toBe(t1);
    const t2 = await odooWebhookToken(ctx, 8);
    expect(t2).not.toBe(t1);
    const stored = await db.kysely.selectFrom('kv').select(['key', 'value']).execute();
    expect(JSON.stringify(stored)).not.toContain(t1);
    expect(await connectionForOdooWebhookToken(ctx, t1)).toBe(7);
    expect(await connectionForOdooWebhookToken(ctx, t2)).toBe(8);
    // One character changed (never to itself: a token may well end in "x").
    const forged = `${t1.slice(0, -1)}${t1.endsWith('x') ? 'y' : 'x'}`;
    expect(await connectionForOdooWebhookToken(ctx, forged)).toBeNull();
  });
});
