/**
 * `odoo provision` / `odoo check` / `--remove` against the Odoo emulator playing 17, 18 and 19, through the real
 * client over JSON-RPC (17/18) and JSON-2 (19): the DESIGN §4.9 fields with their exact names and types, idempotence
 * (a second run creates nothing), a complete check, views that render with the fields, duplicates without the
 * Poleepo values, Odoo's refusal of an anchor a customised database lacks, adoption after an interrupted run, and a
 * removal that leaves Odoo exactly as it was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkOdoo } from '../src/provisioning/provisioning.check.ts';
import { POLEEPO_FIELDS, POLEEPO_MODULE } from '../src/provisioning/provisioning.fields.ts';
import { OdooValidationError } from '../src/odoo/odoo.errors.ts';
import { deliveryPicking, provisioningWorld, snapshot, type ProvisioningWorld } from './provisioning.fixture.ts';

let world: ProvisioningWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function call(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): any {
  return world!.emu.call(model, method, args, kwargs);
}

function arch(model: string, type: string, viewId: number | false = false): string {
  return call(model, 'get_views', [[[viewId, type]]]).views[type].arch;
}

/** The part of an arch from a marker to the end of the enclosing element that starts there. */
function page(text: string, name: string): string {
  const start = text.indexOf(`name="${name}"`);
  expect(start, `${name} in the arch`).toBeGreaterThan(-1);
  const open = text.lastIndexOf('<', start);
  const tag = /^<(\w+)/.exec(text.slice(open))![1];
  const end = text.indexOf(`</${tag}>`, start);
  return text.slice(open, end + tag.length + 3);
}

for (const version of [17, 18, 19] as const) {
  describe(`odoo provision on Odoo ${version}`, () => {
    it('creates the contract fields, group, buttons, views and disabled rules; a second run creates nothing; check is complete', async () => {
      world = await provisioningWorld(version);
      const id = await world.connect('shop', 1);
      const first = await world.provisioning.provision(id);
      expect(first.counts).toMatchObject({ created: 34, updated: 0, unchanged: 0 });
      expect(first.items.filter((i) => i.kind === 'field')).toHaveLength(21);

      const fields = call('ir.model.fields', 'search_read', [[['name', '=like', 'x_poleepo_%']]], { fields: ['model', 'name', 'ttype', 'state', 'copied', 'index', ...(version >= 18 ? ['company_dependent'] : [])] });
      expect(fields).toHaveLength(POLEEPO_FIELDS.length);
      for (const f of POLEEPO_FIELDS) {
        const row = fields.find((r: { model: string; name: string }) => r.model === f.model && r.name === f.name);
        expect(row, `${f.model}.${f.name}`).toMatchObject({ ttype: f.type, state: 'manual', copied: false, index: f.name === 'x_poleepo_order_id' });
        if (version >= 18) expect(row.company_dependent).toBe(false);
      }
      // The contract as other modules read it.
      expect(call('product.product', 'fields_get', [['x_poleepo_published', 'x_poleepo_width', 'x_poleepo_ref']], { attributes: ['type'] })).toEqual({ x_poleepo_published: { type: 'boolean' }, x_poleepo_width: { type: 'float' }, x_poleepo_ref: { type: 'char' } });
      expect(call('sale.order', 'fields_get', [['x_poleepo_order_id']], { attributes: ['type'] })).toEqual({ x_poleepo_order_id: { type: 'char' } });

      const xmlids = call('ir.model.data', 'search_read', [[['module', '=', POLEEPO_MODULE]]], { fields: ['name', 'model'] });
      expect(xmlids).toHaveLength(34);
      expect(xmlids.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['group_poleepo_admin', 'field_product_product__x_poleepo_published', 'field_sale_order__x_poleepo_order_id', 'action_ship_with_poleepo', 'action_delivered_to_courier', 'view_stock_picking_form', expect.stringMatching(/^automation_product_changed_shop_[0-9a-f]{6}$/)]));
      const group = call('res.groups', 'search_read', [[['name', '=', 'Poleepo Administrator']]], { fields: ['name', version >= 19 ? 'user_ids' : 'users'] });
      expect(group).toHaveLength(1);
      expect(group[0][version >= 19 ? 'user_ids' : 'users']).toEqual([2]);
      const rules = call('base.automation', 'search_read', [[['name', 'like', 'Poleepo (shop)']]], { fields: ['name', 'active', 'trigger', 'action_server_ids'], context: { active_test: false } });
      expect(rules).toHaveLength(3);
      for (const rule of rules) {
        expect(rule).toMatchObject({ active: false, trigger: 'on_create_or_write' });
        const [action] = call('ir.actions.server', 'read', [rule.action_server_ids], { fields: ['state', 'webhook_url', 'usage'] });
        expect(action).toMatchObject({ state: 'webhook', usage: 'base_automation' });
        expect(action.webhook_url).toMatch(/^https:\/\/connector\.example\.com\/webhooks\/odoo\/[A-Za-z0-9_-]{32}$/);
      }

      const tables = snapshot(world.emu);
      const second = await world.provisioning.provision(id);
      expect(second.counts).toMatchObject({ created: 0, adopted: 0, updated: 0, unchanged: 34 });
      expect(snapshot(world.emu)).toBe(tables);

      const report = await checkOdoo(world.ctx, id);
      expect(report.ok, JSON.stringify(report.checks.filter((c) => c.status !== 'ok'), null, 2)).toBe(true);
      expect(report.complete).toBe(true);
      expect(report.items).toHaveLength(34);
      expect(report.items.every((i) => i.status === 'ok')).toBe(true);
      expect(Object.fromEntries(report.checks.map((c) => [c.name, c.status]))).toMatchObject({
        connection: 'ok', version: 'ok', company: 'ok', rights: 'ok', 'provisioning rights': 'ok', companies: 'ok', 'views render': 'ok', administrators: 'ok', provisioned: 'ok',
      });
      expect(report.checks.find((c) => c.name === 'views render')!.detail).toContain('6 extended views render');
    });

    it('the views render: flag on the single-variant template form and the variant forms, editable in the multi-edit list, Poleepo Info, delivery buttons', async () => {
      world = await provisioningWorld(version);
      const report = await world.provisioning.provision(await world.connect('shop', 1));
      const actionId = (name: string) => report.items.find((i) => i.label === `server action "${name}"`)!.id;
      const list = version === 17 ? 'tree' : 'list';

      const template = page(arch('product.template', 'form'), 'poleepo');
      expect(template).toMatch(/^<page string="Poleepo" name="poleepo" invisible="product_variant_count &gt; 1">/);
      expect(template).toContain(`<field name="product_variant_ids" nolabel="1" can_create="True" can_write="True">`);
      expect(template).toContain(`<${list} string="Poleepo" editable="bottom" create="0" delete="0">`);
      expect(template).toContain('<field name="x_poleepo_published"/>');

      const variant = page(arch('product.product', 'form'), 'poleepo');
      for (const f of ['x_poleepo_published', 'x_poleepo_needs_update', 'x_poleepo_sku', 'x_poleepo_upc', 'x_poleepo_isbn', 'x_poleepo_mpn', 'x_poleepo_width', 'x_poleepo_height', 'x_poleepo_depth']) expect(variant).toContain(`<field name="${f}"/>`);
      expect(variant).toContain('<field name="x_poleepo_ref" readonly="1"/>');
      expect(variant).toContain('<field name="x_poleepo_last_error" readonly="1"/>');

      const easyId = call('ir.model.data', 'search_read', [[['module', '=', 'product'], ['name', '=', 'product_variant_easy_edit_view']]], { fields: ['res_id'] })[0].res_id;
      expect(page(arch('product.product', 'form', easyId), 'poleepo')).toContain('<field name="x_poleepo_published"/>');

      const variants = arch('product.product', 'list');
      expect(variants).toMatch(new RegExp(`^<${list} string="Product Variants" multi_edit="1"`));
      expect(variants).toMatch(/<field name="x_poleepo_published" optional="show"\/>\s*<field name="x_poleepo_needs_update" optional="hide"\/>\s*<field name="lst_price"/);

      const order = page(arch('sale.order', 'form'), 'poleepo_info');
      expect(order).toMatch(/^<page string="Poleepo Info" name="poleepo_info" invisible="not x_poleepo_order_id">/);
      expect(order).toContain('<field name="x_poleepo_url" widget="url" readonly="1"/>');
      expect(order).toContain('<field name="x_poleepo_order_id" readonly="1"/>');
      expect(order).toContain('<field name="x_poleepo_courier"/>');

      const picking = arch('stock.picking', 'form');
      expect(picking).toContain(`<button name="${actionId('Spedisci con Poleepo')}" type="action" string="Spedisci con Poleepo" class="btn-primary" invisible="picking_type_code != 'outgoing' or state != 'done'"/>`);
      expect(picking).toContain(`<button name="${actionId('Consegnato al corriere')}" type="action" string="Consegnato al corriere" invisible="picking_type_code != 'outgoing' or state != 'done' or not x_poleepo_shipment_id"/>`);
      const poleepo = page(picking, 'poleepo');
      expect(poleepo).toMatch(/^<page string="Poleepo" name="poleepo" invisible="picking_type_code != 'outgoing'">/);
      for (const f of ['x_poleepo_shipment_id', 'x_poleepo_courier', 'carrier_tracking_ref', 'x_poleepo_status', 'x_poleepo_requested']) expect(poleepo).toContain(`<field name="${f}" readonly="1"/>`);

      // The Poleepo ids and the button requests are for the Poleepo Administrator group only.
      const groupId = call('res.groups', 'search', [[['name', '=', 'Poleepo Administrator']]])[0];
      call('res.groups', 'write', [[groupId], { [version >= 19 ? 'user_ids' : 'users']: [[3, 2]] }]);
      expect(arch('product.product', 'form')).not.toContain('x_poleepo_ref');
      expect(arch('stock.picking', 'form')).not.toContain('x_poleepo_requested');
      expect(arch('product.product', 'form')).toContain('x_poleepo_published');
      const stored = call('ir.ui.view', 'search_read', [[['name', '=', 'stock.picking.form.poleepo']]], { fields: ['arch_db'] })[0].arch_db;
      expect(stored).toContain('groups="poleepo_connector.group_poleepo_admin"');
    });

    it('duplicating an order, a delivery or a variant does not copy the Poleepo values', async () => {
      world = await provisioningWorld(version);
      await world.provisioning.provision(await world.connect('shop', 1));
      const { orderId, pickingId } = deliveryPicking(world.emu);
      call('sale.order', 'write', [[orderId], { x_poleepo_order_id: 'PO-1001', x_poleepo_status: 'PAYMENT_ACCEPTED', x_poleepo_channel: 'Amazon', x_poleepo_url: 'https://app.poleepo.cloud/orders/PO-1001' }]);
      const orderCopy = call('sale.order', 'copy', [[orderId]]);
      const copyId = Array.isArray(orderCopy) ? orderCopy[0] : orderCopy;
      expect(call('sale.order', 'read', [[copyId]], { fields: ['x_poleepo_order_id', 'x_poleepo_status', 'x_poleepo_channel', 'x_poleepo_url'] })[0]).toEqual({ id: copyId, x_poleepo_order_id: false, x_poleepo_status: false, x_poleepo_channel: false, x_poleepo_url: false });
      expect(call('sale.order', 'search_count', [[['x_poleepo_order_id', '=', 'PO-1001']]])).toBe(1);

      call('stock.picking', 'write', [[pickingId], { x_poleepo_shipment_id: 'SH-9', x_poleepo_courier: 'BRT', x_poleepo_requested: 'ship 2026-11-30 09:00:00 uid=2' }]);
      const pickingCopy = call('stock.picking', 'copy', [[pickingId]]);
      const pid = Array.isArray(pickingCopy) ? pickingCopy[0] : pickingCopy;
      expect(call('stock.picking', 'read', [[pid]], { fields: ['x_poleepo_shipment_id', 'x_poleepo_courier', 'x_poleepo_requested'] })[0]).toEqual({ id: pid, x_poleepo_shipment_id: false, x_poleepo_courier: false, x_poleepo_requested: false });

      call('product.product', 'write', [[14], { x_poleepo_published: true, x_poleepo_ref: 'P-77', x_poleepo_sku: 'SKU-77', x_poleepo_width: 12.5 }]);
      // (17/18: the emulator's template copy needs the purchase unit given; Odoo would take the product's.)
      const variantCopy = call('product.product', 'copy', [[14]], version < 19 ? { default: { uom_po_id: 1 } } : {});
      const vid = Array.isArray(variantCopy) ? variantCopy[0] : variantCopy;
      expect(call('product.product', 'read', [[vid]], { fields: ['x_poleepo_published', 'x_poleepo_ref', 'x_poleepo_sku', 'x_poleepo_width'] })[0]).toEqual({ id: vid, x_poleepo_published: false, x_poleepo_ref: false, x_poleepo_sku: false, x_poleepo_width: 0 });
    });

    it('--remove takes away exactly what provisioning made, views and actions before fields: Odoo is as before', async () => {
      world = await provisioningWorld(version);
      const id = await world.connect('shop', 1);
      const before = snapshot(world.emu);
      await world.provisioning.provision(id);
      const removed = await world.provisioning.remove(id);
      expect(removed.counts).toMatchObject({ removed: 34, kept: 0 });
      const order = removed.items.map((i) => i.kind);
      expect(order.lastIndexOf('automation rule')).toBeLessThan(order.indexOf('view'));
      expect(order.lastIndexOf('view')).toBeLessThan(order.indexOf('server action'));
      expect(order.lastIndexOf('server action')).toBeLessThan(order.indexOf('field'));
      expect(order.lastIndexOf('field')).toBeLessThan(order.indexOf('group'));
      expect(snapshot(world.emu)).toBe(before);
      // Nothing of ours is left, and provisioning again works.
      expect(call('ir.model.data', 'search_count', [[['module', '=', POLEEPO_MODULE]]])).toBe(0);
      expect((await world.provisioning.provision(id)).counts.created).toBe(34);
      const again = await world.provisioning.remove(id);
      expect(again.counts.removed).toBe(34);
      expect((await world.provisioning.remove(id)).counts.removed).toBe(0);
    });

    it('a customised database without an anchor: Odoo refuses the view, provisioning stops with that reason and finishes once fixed', async () => {
      world = await provisioningWorld(version);
      const id = await world.connect('shop', 1);
      // Another module took the notebook out of the sale order form.
      const orderForm = call('ir.model.data', 'search_read', [[['module', '=', 'sale'], ['name', '=', 'view_order_form']]], { fields: ['res_id'] })[0].res_id;
      const custom = call('ir.ui.view', 'create', [{ name: 'custom.no.notebook', model: 'sale.order', inherit_id: orderForm, priority: 50, arch: '<xpath expr="//notebook" position="replace"/>' }]);
      const error = await world.provisioning.provision(id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OdooValidationError);
      expect((error as OdooValidationError).odooMessage).toBe(`Error while parsing or validating view:\n\nElement '<xpath expr="//notebook">' cannot be located in parent view`);
      expect(call('ir.ui.view', 'search_count', [[['name', '=', 'sale.order.form.poleepo']]])).toBe(0);
      const check = await checkOdoo(world.ctx, id);
      expect(check.complete).toBe(false);
      expect(check.items.find((i) => i.label.startsWith('view sale.order.form.poleepo'))!.status).toBe('missing');
      call('ir.ui.view', 'unlink', [[custom]]);
      const finished = await world.provisioning.provision(id);
      expect(finished.counts.created).toBeGreaterThan(0);
      expect((await checkOdoo(world.ctx, id)).complete).toBe(true);
    });

    it('an installation provisioned before the dimensions showed their unit gets the "(cm)" labels from provision', async () => {
      world = await provisioningWorld(version);
      const id = await world.connect('shop', 1);
      await world.provisioning.provision(id);
      // As an earlier version of the connector left them: "Width", "Height", "Depth", no unit.
      const dims = call('ir.model.fields', 'search_read', [[['model', '=', 'product.product'], ['name', 'in', ['x_poleepo_width', 'x_poleepo_height', 'x_poleepo_depth']]]], { fields: ['name'] });
      for (const f of dims as { id: number; name: string }[]) call('ir.model.fields', 'write', [[f.id], { field_description: String(f.name).replace('x_poleepo_', '').replace(/^./, (c: string) => c.toUpperCase()), help: 'sent to Poleepo.' }]);
      const check = await checkOdoo(world.ctx, id);
      expect(check.items.filter((i) => i.status === 'outdated').map((i) => i.label).sort()).toEqual(['field product.product.x_poleepo_depth', 'field product.product.x_poleepo_height', 'field product.product.x_poleepo_width']);
      const updated = await world.provisioning.provision(id);
      expect(updated.counts).toMatchObject({ created: 0, updated: 3 });
      const labels = call('ir.model.fields', 'search_read', [[['model', '=', 'product.product'], ['name', 'in', ['x_poleepo_width', 'x_poleepo_height', 'x_poleepo_depth']]]], { fields: ['name', 'field_description'], order: 'name asc' });
      expect((labels as { field_description: string }[]).map((f) => f.field_description)).toEqual(['Depth (cm)', 'Height (cm)', 'Width (cm)']);
      expect((await checkOdoo(world.ctx, id)).complete).toBe(true);
    });

    it('adopts what an interrupted run made without its xmlid and repairs what a person changed', async () => {
      world = await provisioningWorld(version);
      const id = await world.connect('shop', 1);
      const modelId = call('ir.model', 'search_read', [[['model', '=', 'product.product']]], { fields: ['id'] })[0].id;
      const orphan = call('ir.model.fields', 'create', [{ name: 'x_poleepo_sku', field_description: 'SKU for Poleepo', model_id: modelId, ttype: 'char' }]);
      const first = await world.provisioning.provision(id);
      const sku = first.items.find((i) => i.label === 'field product.product.x_poleepo_sku')!;
      expect(sku).toMatchObject({ change: 'adopted', id: orphan });
      expect(call('ir.model.fields', 'search_count', [[['name', '=', 'x_poleepo_sku']]])).toBe(1);

      const viewId = first.items.find((i) => i.label.startsWith('view sale.order.form.poleepo'))!.id;
      call('ir.ui.view', 'write', [[viewId], { arch: '<xpath expr="//notebook" position="inside"><page string="Mine"/></xpath>' }]);
      const check = await checkOdoo(world.ctx, id);
      expect(check.items.find((i) => i.id === viewId)).toMatchObject({ status: 'outdated', detail: 'differs: arch_db' });
      const repaired = await world.provisioning.provision(id);
      expect(repaired.counts).toMatchObject({ created: 0, updated: 1 });
      expect((await checkOdoo(world.ctx, id)).complete).toBe(true);
    });

    it('refuses a field of another type under a contract name, with the reason', async () => {
      world = await provisioningWorld(version);
      const id = await world.connect('shop', 1);
      const modelId = call('ir.model', 'search_read', [[['model', '=', 'product.product']]], { fields: ['id'] })[0].id;
      call('ir.model.fields', 'create', [{ name: 'x_poleepo_ref', field_description: 'Ref', model_id: modelId, ttype: 'integer' }]);
      await expect(world.provisioning.provision(id)).rejects.toThrow('Odoo already has a field product.product.x_poleepo_ref of type integer; the connector needs a char field');
      const check = await checkOdoo(world.ctx, id);
      expect(check.items.find((i) => i.label === 'field product.product.x_poleepo_ref')!.status).toBe('conflict');
      expect(check.checks.find((c) => c.name === 'provisioned')!.status).toBe('fail');
    });
  });
}
