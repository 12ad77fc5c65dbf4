/**
 * The emulator's ir.ui.view and get_views on Odoo 17, 18 and 19: extensions of the recorded default views render
 * over the recorded combined arch; `groups` are evaluated for the caller; the version differences of list views
 * (`tree` in 17), of fields used by expressions (17 refuses, 18/19 add them marked data-used-by) and of the answer's
 * shape; the refusals Odoo makes (unknown field, unknown action, a view with children); `fields_view_get` is gone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startOdooEmulator, type OdooEmulator } from '../src/emulator.ts';

let emu: OdooEmulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

function call(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): any {
  return emu!.call(model, method, args, kwargs);
}

function refusal(fn: () => unknown): { name: string; message: string; context: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    const err = e as { odooName: string; message: string; context: Record<string, unknown> };
    return { name: err.odooName, message: err.message, context: err.context };
  }
  throw new Error('expected a refusal');
}

function xmlid(module: string, name: string): number {
  return call('ir.model.data', 'search_read', [[['module', '=', module], ['name', '=', name]]], { fields: ['res_id'] })[0].res_id;
}

function addField(model: string, name: string, ttype = 'char'): number {
  const modelId = call('ir.model', 'search_read', [[['model', '=', model]]], { fields: ['id'] })[0].id;
  return call('ir.model.fields', 'create', [{ name, field_description: name, model_id: modelId, ttype }]);
}

function extend(model: string, inherit: string, arch: string, extra: Record<string, unknown> = {}): number {
  const [module, name] = inherit.split('.');
  return call('ir.ui.view', 'create', [{ name: `${model}.test.${Math.random().toString(36).slice(2, 8)}`, model, inherit_id: xmlid(module, name), priority: 99, arch, ...extra }]);
}

function arch(model: string, type: string): string {
  return call(model, 'get_views', [[[false, type]]]).views[type].arch;
}

for (const version of [17, 18, 19] as const) {
  describe(`get_views on the Odoo ${version} emulator`, () => {
    it('renders an extension over the recorded combined arch and describes the fields used', async () => {
      emu = await startOdooEmulator({ version });
      const before = arch('sale.order', 'form');
      addField('sale.order', 'x_test_ref');
      extend('sale.order', 'sale.view_order_form', `<xpath expr="//field[@name='client_order_ref']" position="after"><field name="x_test_ref"/></xpath>`);
      const answer = call('sale.order', 'get_views', [[[false, 'form']]]);
      const after = answer.views.form.arch as string;
      expect(after).toBe(before.replace(/(<field name="client_order_ref"[^>]*\/>)/, '$1<field name="x_test_ref"/>'));
      expect(answer.views.form.id).toBe(xmlid('sale', 'view_order_form'));
      const fields = version === 17 ? answer.models['sale.order'] : answer.models['sale.order'].fields;
      expect(fields.x_test_ref).toMatchObject({ type: 'char', string: 'x_test_ref' });
      expect(fields.client_order_ref).toMatchObject({ type: 'char' });
    });

    it('evaluates groups for the caller: hidden without the group, shown (attribute gone) with it', async () => {
      emu = await startOdooEmulator({ version });
      const members = version >= 19 ? 'user_ids' : 'users';
      const group = call('res.groups', 'create', [{ name: 'Test Group' }]);
      call('ir.model.data', 'create', [{ module: 'test_mod', name: 'group_test', model: 'res.groups', res_id: group }]);
      addField('product.product', 'x_secret');
      extend('product.product', 'product.product_product_tree_view', `<xpath expr="//field[@name='lst_price']" position="after"><field name="x_secret" groups="test_mod.group_test"/></xpath>`);
      expect(arch('product.product', 'list')).not.toContain('x_secret');
      call('res.groups', 'write', [[group], { [members]: [[4, 2]] }]);
      expect(call('res.groups', 'read', [[group]], { fields: [members] })[0][members]).toEqual([2]);
      const shown = arch('product.product', 'list');
      expect(shown).toContain('<field name="x_secret"/>');
      expect(shown).not.toContain('groups=');
    });

    it(`lists: ${version === 17 ? '"tree" answers like "list"' : '"tree" is refused'}`, async () => {
      emu = await startOdooEmulator({ version });
      const list = call('product.product', 'get_views', [[[false, 'list']]]);
      expect(list.views.list.arch).toMatch(version === 17 ? /^<tree / : /^<list /);
      if (version === 17) expect(call('product.product', 'get_views', [[[false, 'tree']]]).views.tree.arch).toBe(list.views.list.arch);
      else expect(refusal(() => call('product.product', 'get_views', [[[false, 'tree']]]))).toMatchObject({ name: 'odoo.exceptions.UserError', message: "No default view of type 'tree' could be found!" });
    });

    it(`fields an expression reads: ${version === 17 ? 'refused when not in the view' : 'added as invisible fields marked data-used-by'}`, async () => {
      emu = await startOdooEmulator({ version });
      addField('product.product', 'x_flag', 'boolean');
      const spec = `<xpath expr="//field[@name='lst_price']" position="after"><field name="x_flag" invisible="weight &gt; 0"/></xpath>`;
      if (version === 17) {
        const r = refusal(() => extend('product.product', 'product.product_product_tree_view', spec));
        expect(r.name).toBe('odoo.exceptions.ValidationError');
        expect(r.message).toContain(`Field 'weight' used in invisible='weight > 0' must be present in view but is missing.`);
      } else {
        extend('product.product', 'product.product_product_tree_view', spec);
        expect(arch('product.product', 'list')).toContain(`<field name="weight" column_invisible="True" readonly="True" data-used-by="invisible='weight &gt; 0' (field,x_flag)"/>`);
      }
    });

    it('refuses a field the model lacks and a button naming no action, with the view in the error context', async () => {
      emu = await startOdooEmulator({ version });
      const parent = xmlid('stock', 'view_picking_form');
      const field = refusal(() => extend('stock.picking', 'stock.view_picking_form', `<xpath expr="//header" position="inside"><field name="x_nope"/></xpath>`));
      expect(field.name).toBe('odoo.exceptions.ValidationError');
      expect(field.message).toMatch(/^Error while validating view near:\n\n[\s\S]*\nField "x_nope" does not exist in model "stock.picking"$/);
      expect(field.context).toMatchObject({ 'view.model': 'stock.picking', 'view.parent': `ir.ui.view(${parent},)`, file: null, xmlid: '' });
      const button = refusal(() => extend('stock.picking', 'stock.view_picking_form', `<xpath expr="//header" position="inside"><button name="999999" type="action" string="X"/></xpath>`));
      expect(button.message).toContain('Action 999999 (id: 999999) does not exist for button of type action.');
      const badXmlid = refusal(() => extend('stock.picking', 'stock.view_picking_form', `<xpath expr="//header" position="inside"><button name="nomod.noaction" type="action" string="X"/></xpath>`));
      expect(badXmlid.message).toContain('Invalid xmlid nomod.noaction for button of type action.');
      // Nothing of the refused views was kept.
      expect(call('ir.ui.view', 'search_count', [[['inherit_id', '=', parent]]])).toBe(0);
    });

    it('applies extensions of extensions, skips archived ones, and keeps a view with children', async () => {
      emu = await startOdooEmulator({ version });
      addField('stock.picking', 'x_a');
      addField('stock.picking', 'x_b');
      const first = extend('stock.picking', 'stock.view_picking_form', `<xpath expr="//field[@name='origin']" position="after"><field name="x_a"/></xpath>`);
      const second = call('ir.ui.view', 'create', [{ name: 'child', model: 'stock.picking', inherit_id: first, arch: `<field name="x_a" position="after"><field name="x_b"/></field>` }]);
      expect(call('ir.ui.view', 'read', [[second]], { fields: ['mode', 'type'] })[0]).toMatchObject({ mode: 'extension', type: 'form' });
      expect(arch('stock.picking', 'form')).toMatch(/<field name="x_a"\/><field name="x_b"\/>/);
      call('ir.ui.view', 'write', [[second], { active: false }]);
      expect(arch('stock.picking', 'form')).not.toContain('x_b');
      expect(refusal(() => call('ir.ui.view', 'unlink', [[first]])).name).toBe('odoo.exceptions.ValidationError');
      expect(call('ir.ui.view', 'unlink', [[second, first]])).toBe(true);
    });

    it('has no fields_view_get (gone since 17)', async () => {
      emu = await startOdooEmulator({ version });
      expect(refusal(() => call('product.product', 'fields_view_get', [], {})).message).toContain('fields_view_get');
    });

    it(`answers get_views over ${version === 19 ? 'JSON-2' : 'JSON-RPC'}`, async () => {
      emu = await startOdooEmulator({ version });
      let body: any;
      if (version === 19) {
        const res = await fetch(`${emu.url}/json/2/stock.picking/get_views`, { method: 'POST', headers: { Authorization: `bearer ${emu.apiKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ views: [[false, 'form']] }) });
        expect(res.status).toBe(200);
        body = await res.json();
      } else {
        const res = await fetch(`${emu.url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'object', method: 'execute_kw', args: [emu.db, 2, emu.apiKey, 'stock.picking', 'get_views', [[[false, 'form']]], {}] } }) });
        body = (await res.json()).result;
      }
      expect(body.views.form.arch).toMatch(/^<form string="Transfer"/);
      expect(Object.keys(body.models)).toContain('stock.picking');
    });
  });
}
