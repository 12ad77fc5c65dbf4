/**
 * The emulator's ORM over real HTTP: domain operators, ordering and paging, read formats, archiving, timestamps at
 * the start of each call, x2many commands, copy, custom fields (copied, company_dependent), name_search spellings,
 * read_group shapes, xmlids. Data is the demo catalog extracted from the recordings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@poleepo-odoo/clock';
import { startOdooEmulator, type OdooEmulator } from '../src/emulator.ts';
import { json2, kw, kwError } from './helpers/odoo-emulator-client.ts';

describe('Odoo emulator ORM (18)', () => {
  let emu: OdooEmulator;
  const clock = new ManualClock('2026-12-01T09:00:00Z');

  beforeAll(async () => {
    emu = await startOdooEmulator({ version: 18, clock });
  });
  afterAll(async () => {
    await emu.stop();
  });

  const codes = async (domain: unknown[], extra: Record<string, unknown> = {}) =>
    (await kw<{ default_code: string }[]>(emu, 'product.product', 'search_read', [domain], { fields: ['default_code'], order: 'default_code asc', ...extra })).map((r) => r.default_code);

  it('evaluates every domain operator the connector uses', async () => {
    expect(await codes([['default_code', '=like', 'FURN_009%']])).toEqual(['FURN_0096', 'FURN_0097', 'FURN_0098']);
    expect(await codes([['default_code', '=ilike', 'furn_0096']])).toEqual(['FURN_0096']);
    expect(await codes([['default_code', 'like', '_COM0']])).toEqual(['E-COM06', 'E-COM07', 'E-COM08', 'E-COM09']);
    expect(await codes([['default_code', 'ilike', 'desk']])).toEqual(['DESK0005', 'DESK0006']);
    expect(await codes([['default_code', 'not ilike', 'e'], ['default_code', '!=', false], ['sale_ok', '=', true]])).toEqual(['FURN_0001', 'FURN_0096', 'FURN_0097', 'FURN_0098', 'FURN_0789']);
    expect(await codes(['|', ['default_code', '=', 'E-COM07'], ['default_code', '=', 'DESK0005']])).toEqual(['DESK0005', 'E-COM07']);
    expect(await codes(['!', ['default_code', 'not in', ['E-COM07', 'E-COM08']]])).toEqual(['E-COM07', 'E-COM08']);
    expect(await codes([['product_tmpl_id.name', '=', 'Customizable Desk'], ['lst_price', '>', 760]])).toEqual(['FURN_0098']);
    expect(await codes([['product_tmpl_id.name', '=', 'Customizable Desk'], ['lst_price', '<=', 750], ['lst_price', '>=', 750]])).toEqual(['DESK0005', 'DESK0006', 'FURN_0096', 'FURN_0097']);
    expect(await codes([['product_tmpl_id', '=', 9], ['barcode', '=?', false]])).toHaveLength(5);
    expect(await codes([['product_tmpl_id', '=', 9], ['default_code', '=?', 'FURN_0097']])).toEqual(['FURN_0097']);
    expect(await codes([['categ_id', 'child_of', 2], ['default_code', 'in', ['FURN_0096', 'E-COM07']]])).toEqual(['FURN_0096']);
    const states = await kw<{ code: string }[]>(emu, 'res.country.state', 'search_read', [[['country_id.code', '=', 'IT'], ['code', 'in', ['MI', 'TO']]]], { fields: ['code'] });
    expect(states.map((s) => s.code)).toEqual(['MI', 'TO']);
  });

  it('refuses malformed domains and unknown fields with the recorded errors', async () => {
    expect((await kwError(emu, 'res.partner', 'search_read', [[['name', 'ilike']]])).message).toBe('not enough values to unpack (expected 3, got 2)');
    expect((await kwError(emu, 'res.partner', 'search_read', [['|', ['name', '=', 'x']]])).message).toBe("Domain ['|', ['name', '=', 'x']] is syntactically not correct.");
    expect((await kwError(emu, 'res.partner', 'search_read', [[['name', 'like like', 'x']]])).message).toBe("Invalid leaf ('name', 'like like', 'x')");
    expect((await kwError(emu, 'res.partner', 'search_read', [[['nope', '=', 1]]])).message).toBe("Invalid field res.partner.nope in leaf ('nope', '=', 1)");
    expect((await kwError(emu, 'res.partner', 'search_read', [[]], { fields: ['nope'] })).message).toBe("Invalid field 'nope' on model 'res.partner'");
  });

  it('pages by id, honours limit 0, offset and order, and counts with a limit', async () => {
    const all = await kw<number[]>(emu, 'product.product', 'search', [[]], { order: 'id asc', limit: 0 });
    expect(all.length).toBeGreaterThan(10);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
    const page2 = await kw<number[]>(emu, 'product.product', 'search', [[['id', '>', all[4]]]], { order: 'id asc', limit: 3 });
    expect(page2).toEqual(all.slice(5, 8));
    expect(await kw<number[]>(emu, 'product.product', 'search', [[]], { order: 'id desc', limit: 2, offset: 1 })).toEqual([all[all.length - 2], all[all.length - 3]]);
    expect(await kw(emu, 'product.product', 'search_count', [[]], { limit: 3 })).toBe(3);
    expect(await kw(emu, 'res.partner', 'search', [[]], { limit: '2' })).toHaveLength(2);
  });

  it('reads many2one as [id, name] or a bare id with load=None, drops missing ids, keeps duplicates', async () => {
    const [classic] = await kw<Record<string, unknown>[]>(emu, 'product.product', 'read', [[14]], { fields: ['product_tmpl_id', 'categ_id', 'lst_price'] });
    expect(classic).toEqual({ id: 14, product_tmpl_id: [9, 'Customizable Desk'], categ_id: [8, 'All / Saleable / Office Furniture'], lst_price: 800.4 });
    const bare = await kw<Record<string, unknown>[]>(emu, 'product.product', 'read', [[14, 999999, 14]], { fields: ['product_tmpl_id'], load: null });
    expect(bare).toEqual([{ id: 14, product_tmpl_id: 9 }, { id: 14, product_tmpl_id: 9 }]);
    expect(await kw(emu, 'product.product', 'read', [[]], { fields: ['name'] })).toEqual([]);
  });

  it('hides archived records from searches unless active_test=false, and reads them by id', async () => {
    await kw(emu, 'product.product', 'write', [[46], { active: false }]);
    expect(await codes([['default_code', '=', 'DESK0006']])).toEqual([]);
    expect(await codes([['default_code', '=', 'DESK0006']], { context: { active_test: false } })).toEqual(['DESK0006']);
    expect(await kw(emu, 'product.product', 'read', [[46]], { fields: ['active'] })).toEqual([{ id: 46, active: false }]);
    expect((await kw<{ product_variant_ids: number[] }[]>(emu, 'product.template', 'read', [[9]], { fields: ['product_variant_ids'] }))[0].product_variant_ids).not.toContain(46);
    await kw(emu, 'product.product', 'write', [[46], { active: true }]);
    expect(await codes([['default_code', '=', 'DESK0006']])).toEqual(['DESK0006']);
  });

  it('stamps create_date and write_date with the start of the call, as naive UTC', async () => {
    clock.set(Date.parse('2026-12-01T10:11:12Z'));
    const id = await kw<number>(emu, 'res.partner', 'create', [{ name: 'Stamp Srl', is_company: true, child_ids: [[0, 0, { name: 'Stamp Contact' }]] }]);
    const [company] = await kw<Record<string, unknown>[]>(emu, 'res.partner', 'read', [[id]], { fields: ['create_date', 'write_date', 'child_ids'] });
    expect(company.create_date).toBe('2026-12-01 10:11:12');
    expect(company.write_date).toBe('2026-12-01 10:11:12');
    const [child] = await kw<Record<string, unknown>[]>(emu, 'res.partner', 'read', [company.child_ids as number[]], { fields: ['create_date'] });
    expect(child.create_date).toBe('2026-12-01 10:11:12');
    clock.advance(65_000);
    await kw(emu, 'res.partner', 'write', [[id], { phone: '+39 02 1' }]);
    const [after] = await kw<Record<string, unknown>[]>(emu, 'res.partner', 'read', [[id]], { fields: ['create_date', 'write_date'] });
    expect(after).toMatchObject({ create_date: '2026-12-01 10:11:12', write_date: '2026-12-01 10:12:17' });
    expect(await kw(emu, 'res.partner', 'search_count', [[['write_date', '>=', '2026-12-01T10:12:17Z']]])).toBe(1);
  });

  it('applies x2many commands on child contacts: create, update, link, unlink, replace, clear', async () => {
    const parent = await kw<number>(emu, 'res.partner', 'create', [{ name: 'Commands Srl', is_company: true, child_ids: [[0, 0, { name: 'A', type: 'delivery' }], [0, 0, { name: 'B', type: 'invoice' }]] }]);
    const children = async () => (await kw<{ child_ids: number[] }[]>(emu, 'res.partner', 'read', [[parent]], { fields: ['child_ids'] }))[0].child_ids;
    const [a, b] = (await kw<{ id: number; name: string }[]>(emu, 'res.partner', 'search_read', [[['parent_id', '=', parent]]], { fields: ['name'], order: 'name' })).map((r) => r.id);
    expect((await children()).sort()).toEqual([a, b].sort());
    await kw(emu, 'res.partner', 'write', [[parent], { child_ids: [[1, a, { phone: '123' }]] }]);
    expect(await kw(emu, 'res.partner', 'read', [[a]], { fields: ['phone', 'display_name'] })).toEqual([{ id: a, phone: '123', display_name: 'Commands Srl, A' }]);
    const loose = await kw<number>(emu, 'res.partner', 'create', [{ name: 'C' }]);
    await kw(emu, 'res.partner', 'write', [[parent], { child_ids: [[4, loose]] }]);
    expect(await children()).toContain(loose);
    await kw(emu, 'res.partner', 'write', [[parent], { child_ids: [[3, loose]] }]);
    expect(await children()).not.toContain(loose);
    expect(await kw(emu, 'res.partner', 'read', [[loose]], { fields: ['parent_id'] })).toEqual([{ id: loose, parent_id: false }]);
    await kw(emu, 'res.partner', 'write', [[parent], { child_ids: [[6, 0, [b, loose]]] }]);
    expect((await children()).sort()).toEqual([b, loose].sort());
    await kw(emu, 'res.partner', 'write', [[parent], { child_ids: [[5]] }]);
    expect(await children()).toEqual([]);
    expect(await kw(emu, 'res.partner', 'address_get', [[parent], ['delivery', 'invoice']])).toEqual({ delivery: parent, invoice: parent, contact: parent });
  });

  it('refuses what Odoo refuses on create: missing required values, a bad selection, a missing many2one, unnamed contacts', async () => {
    expect((await kwError(emu, 'sale.order', 'create', [{ client_order_ref: 'X' }])).message).toContain('Field: Customer (partner_id)');
    expect((await kwError(emu, 'res.partner', 'create', [{ name: 'X', type: 'warehouse' }])).message).toBe("Wrong value for res.partner.type: 'warehouse'");
    expect((await kwError(emu, 'res.partner', 'create', [{ name: 'X', country_id: 999999 }])).message).toContain('res_partner_country_id_fkey');
    expect((await kwError(emu, 'res.partner', 'create', [{ email: 'a@b.c' }])).message).toBe('The operation cannot be completed: Contacts require a name');
    // Nothing of a failed call stays.
    expect(await kw(emu, 'res.partner', 'search_count', [[['email', '=', 'a@b.c']]])).toBe(0);
  });

  it('creates custom x_ fields that become real fields; copy honours copied; company_dependent values follow the company', async () => {
    const [model] = await kw<{ id: number }[]>(emu, 'ir.model', 'search_read', [[['model', '=', 'product.product']]], { fields: ['id'] });
    expect((await kwError(emu, 'ir.model.fields', 'create', [{ name: 'poleepo_bad', model_id: model.id, ttype: 'char' }])).message).toBe("The operation cannot be completed: Custom fields must have a name that starts with 'x_'!");
    await kw(emu, 'ir.model.fields', 'create', [{ name: 'x_kept', field_description: 'Kept', model_id: model.id, ttype: 'char', copied: true }]);
    await kw(emu, 'ir.model.fields', 'create', [{ name: 'x_not_copied', field_description: 'Not copied', model_id: model.id, ttype: 'char', copied: false }]);
    await kw(emu, 'ir.model.fields', 'create', [{ name: 'x_per_company', field_description: 'Per company', model_id: model.id, ttype: 'char', company_dependent: true }]);
    expect(await kw(emu, 'product.product', 'fields_get', [['x_kept', 'x_per_company']], { attributes: ['type', 'string', 'manual', 'company_dependent'] })).toEqual({
      x_kept: { company_dependent: false, manual: true, string: 'Kept', type: 'char' },
      x_per_company: { company_dependent: true, manual: true, string: 'Per company', type: 'char' },
    });
    const original = await kw<number>(emu, 'product.product', 'create', [{ name: 'Copy me', x_kept: 'k', x_not_copied: 'n' }]);
    const copy = await kw<number>(emu, 'product.product', 'copy', [[original]]);
    expect(await kw(emu, 'product.product', 'read', [[copy]], { fields: ['x_kept', 'x_not_copied'] })).toEqual([{ id: copy, x_kept: 'k', x_not_copied: false }]);
    await kw(emu, 'product.product', 'write', [[original], { x_per_company: 'one' }], { context: { allowed_company_ids: [1] } });
    await kw(emu, 'product.product', 'write', [[original], { x_per_company: 'two' }], { context: { allowed_company_ids: [2] } });
    expect(await kw(emu, 'product.product', 'read', [[original]], { fields: ['x_per_company'], context: { allowed_company_ids: [2] } })).toEqual([{ id: original, x_per_company: 'two' }]);
    expect(await kw(emu, 'product.product', 'search_count', [[['x_kept', '=', 'k']]])).toBe(2);
  });

  it('answers name_search with the version spelling, read_group lazy and not, and xmlid lookups', async () => {
    expect(await kw(emu, 'res.partner', 'name_search', [], { name: 'Wood Corner', args: [['is_company', '=', true]], operator: '=', limit: 3 })).toEqual([[9, 'Wood Corner']]);
    const lazy = await kw<Record<string, unknown>[]>(emu, 'stock.quant', 'read_group', [[['location_id.usage', '=', 'internal'], ['product_id', '=', 14]], ['quantity:sum'], ['product_id', 'location_id']]);
    expect(lazy).toEqual([{ product_id: [14, '[FURN_0098] Customizable Desk (Aluminium, White)'], product_id_count: 1, quantity: 55, __domain: ['&', '&', ['location_id.usage', '=', 'internal'], ['product_id', '=', 14], ['product_id', '=', 14]], __context: { group_by: ['location_id'] } }]);
    expect(await kw(emu, 'ir.model.data', 'check_object_reference', ['base', 'group_user'])).toEqual(['res.groups', 1]);
    expect(await kw(emu, 'res.users', 'has_group', [[2], 'base.group_system'])).toBe(true);
    expect(await kw(emu, 'res.partner', 'check_access_rights', ['create'], { raise_exception: false })).toBe(true);
  });
});

describe('Odoo emulator ORM differences of 17 and 19', () => {
  it('17: name_get, sudo and the model-level has_group work; has_access does not exist', async () => {
    const emu = await startOdooEmulator({ version: 17 });
    try {
      expect(await kw(emu, 'res.partner', 'name_get', [[3]])).toEqual([[3, 'YourCompany, Mitchell Admin']]);
      expect(await kw(emu, 'res.partner', 'sudo', [[3]])).toBe('res.partner(3,)');
      expect(await kw(emu, 'res.users', 'has_group', ['base.group_system'])).toBe(true);
      expect((await kwError(emu, 'res.partner', 'has_access', [[], 'read'])).message).toBe("The method 'has_access' does not exist on the model 'res.partner'");
      expect((await kwError(emu, 'res.partner', '_read_group', [[]])).message).toBe('Private methods (such as _read_group) cannot be called remotely.');
    } finally {
      await emu.stop();
    }
  });

  it('19: name_search takes domain, datetimes in domains must be naive, formatted_read_group answers', async () => {
    const emu = await startOdooEmulator({ version: 19 });
    try {
      expect((await json2(emu, 'res.partner', 'name_search', { name: 'Wood Corner', domain: [['is_company', '=', true]], operator: '=' })).body).toEqual([[8, 'Wood Corner']]);
      const refused = await json2(emu, 'res.partner', 'name_search', { name: 'x', args: [] });
      expect(refused.status).toBe(422);
      const tz = await json2(emu, 'product.product', 'search_count', { domain: [['write_date', '>=', '2026-01-01T00:00:00Z']] });
      expect(tz).toMatchObject({ status: 500, body: { name: 'builtins.ValueError', message: "expecting only datetimes with no timezone: '2026-01-01T00:00:00Z'" } });
      const grouped = await json2(emu, 'stock.quant', 'formatted_read_group', { domain: [['product_id', '=', 14], ['location_id.usage', '=', 'internal']], groupby: ['product_id'], aggregates: ['quantity:sum', '__count'] });
      expect(grouped.body).toEqual([{ product_id: [14, '[FURN_0098] Customizable Desk (White, Aluminium)'], __extra_domain: [['product_id', '=', 14]], 'quantity:sum': 55, __count: 1 }]);
    } finally {
      await emu.stop();
    }
  });
});
