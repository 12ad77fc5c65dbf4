import { POLEEPO_MODULE } from './provisioning.fields.ts';

/**
 * The view extensions (DESIGN §4.9, seed "User manual"), written against anchors present in the recorded views of
 * Odoo 17, 18 and 19 (`recordings/odoo-views/`): the notebook of each form, the picking form's header, the variant
 * list's `lst_price` column, the variant quick-edit form's `codes` group. Visibility uses the Python expressions of
 * 17+ (`invisible="..."`), lists the version's tag (`tree` in 17, `list` after; told by ir.ui.view's type
 * selection). Connector-managed values are read-only; the Poleepo ids and the last button request are shown to the
 * Poleepo Administrator group only.
 */

export const ADMIN_GROUP_XMLID = 'group_poleepo_admin';
export const ADMIN_GROUP = `${POLEEPO_MODULE}.${ADMIN_GROUP_XMLID}`;

export interface ViewFeatures {
  /** `tree` (17) or `list` (18+). */
  listTag: 'tree' | 'list';
}

export interface ActionIds {
  ship: number;
  courier: number;
}

export interface PoleepoView {
  xmlid: string;
  name: string;
  model: string;
  /** The xmlid of the view it extends. */
  inherit: string;
  arch: string;
  /** A field the rendered view must show to the API user (used to check that the view renders). */
  marker: string;
  /** The view type to ask `get_views` for, and whether the extended view is the model's default one. */
  viewType: 'form' | 'list';
  isDefault: boolean;
}

const adminOnly = `groups="${ADMIN_GROUP}"`;

export function poleepoViews(features: ViewFeatures, actions: ActionIds): PoleepoView[] {
  const list = features.listTag;
  return [
    {
      xmlid: 'view_product_template_form',
      name: 'product.template.form.poleepo',
      model: 'product.template',
      inherit: 'product.product_template_only_form_view',
      marker: 'x_poleepo_published',
      viewType: 'form',
      isDefault: true,
      // The template form shows the variant's fields through its only variant (hidden when there are several:
      // those are published from the variant list, seed "select all variants, tick once").
      arch: `<data>
  <xpath expr="//notebook" position="inside">
    <page string="Poleepo" name="poleepo" invisible="product_variant_count &gt; 1">
      <field name="product_variant_ids" nolabel="1">
        <${list} string="Poleepo" editable="bottom" create="0" delete="0">
          <field name="display_name" string="Variant" readonly="1"/>
          <field name="x_poleepo_published"/>
          <field name="x_poleepo_sku"/>
          <field name="x_poleepo_needs_update"/>
          <field name="x_poleepo_ref" readonly="1" ${adminOnly}/>
          <field name="x_poleepo_last_error" readonly="1"/>
        </${list}>
      </field>
    </page>
  </xpath>
</data>`,
    },
    {
      xmlid: 'view_product_product_form',
      name: 'product.product.form.poleepo',
      model: 'product.product',
      inherit: 'product.product_normal_form_view',
      marker: 'x_poleepo_published',
      viewType: 'form',
      isDefault: true,
      arch: `<data>
  <xpath expr="//notebook" position="inside">
    <page string="Poleepo" name="poleepo">
      <group>
        <group string="Publication" name="poleepo_publication">
          <field name="x_poleepo_published"/>
          <field name="x_poleepo_needs_update"/>
          <field name="x_poleepo_sku"/>
          <field name="x_poleepo_ref" readonly="1" ${adminOnly}/>
          <field name="x_poleepo_last_error" readonly="1"/>
        </group>
        <group string="Codes and dimensions" name="poleepo_codes">
          <field name="x_poleepo_upc"/>
          <field name="x_poleepo_isbn"/>
          <field name="x_poleepo_mpn"/>
          <field name="x_poleepo_width"/>
          <field name="x_poleepo_height"/>
          <field name="x_poleepo_depth"/>
        </group>
      </group>
    </page>
  </xpath>
</data>`,
    },
    {
      xmlid: 'view_product_variant_easy_edit',
      name: 'product.product.view.form.easy.poleepo',
      model: 'product.product',
      inherit: 'product.product_variant_easy_edit_view',
      marker: 'x_poleepo_published',
      viewType: 'form',
      isDefault: false,
      arch: `<data>
  <xpath expr="//group[@name='codes']" position="after">
    <group string="Poleepo" name="poleepo">
      <field name="x_poleepo_published"/>
      <field name="x_poleepo_needs_update"/>
      <field name="x_poleepo_sku"/>
      <field name="x_poleepo_ref" readonly="1" ${adminOnly}/>
      <field name="x_poleepo_last_error" readonly="1"/>
    </group>
  </xpath>
</data>`,
    },
    {
      xmlid: 'view_product_product_list',
      name: 'product.product.list.poleepo',
      model: 'product.product',
      inherit: 'product.product_product_tree_view',
      marker: 'x_poleepo_published',
      viewType: 'list',
      isDefault: true,
      // The list is multi_edit="1" in every version: ticking the flag on a selection sets it on every row.
      arch: `<data>
  <xpath expr="//field[@name='lst_price']" position="before">
    <field name="x_poleepo_published" optional="show"/>
    <field name="x_poleepo_needs_update" optional="hide"/>
  </xpath>
</data>`,
    },
    {
      xmlid: 'view_sale_order_form',
      name: 'sale.order.form.poleepo',
      model: 'sale.order',
      inherit: 'sale.view_order_form',
      marker: 'x_poleepo_order_id',
      viewType: 'form',
      isDefault: true,
      arch: `<data>
  <xpath expr="//notebook" position="inside">
    <page string="Poleepo Info" name="poleepo_info" invisible="not x_poleepo_order_id">
      <group>
        <group name="poleepo_order">
          <field name="x_poleepo_order_id" readonly="1"/>
          <field name="x_poleepo_url" widget="url" readonly="1"/>
          <field name="x_poleepo_status" readonly="1"/>
          <field name="x_poleepo_channel" readonly="1"/>
          <field name="x_poleepo_payment_method" readonly="1"/>
          <field name="x_poleepo_cod_amount" readonly="1" invisible="not x_poleepo_cod_amount"/>
        </group>
      </group>
      <field name="picking_ids" readonly="1" nolabel="1">
        <${list} string="Shipments">
          <field name="name"/>
          <field name="x_poleepo_shipment_id"/>
          <field name="x_poleepo_courier"/>
          <field name="carrier_tracking_ref"/>
          <field name="x_poleepo_status"/>
        </${list}>
      </field>
    </page>
  </xpath>
</data>`,
    },
    {
      xmlid: 'view_stock_picking_form',
      name: 'stock.picking.form.poleepo',
      model: 'stock.picking',
      inherit: 'stock.view_picking_form',
      marker: 'x_poleepo_shipment_id',
      viewType: 'form',
      isDefault: true,
      // Header buttons name the server actions by id (type="action"), as recorded in flow h.
      arch: `<data>
  <xpath expr="//header" position="inside">
    <button name="${actions.ship}" type="action" string="Spedisci con Poleepo" class="btn-primary" invisible="picking_type_code != 'outgoing' or state != 'done'"/>
    <button name="${actions.courier}" type="action" string="Consegnato al corriere" invisible="picking_type_code != 'outgoing' or state != 'done' or not x_poleepo_shipment_id"/>
  </xpath>
  <xpath expr="//notebook" position="inside">
    <page string="Poleepo" name="poleepo" invisible="picking_type_code != 'outgoing'">
      <group>
        <group name="poleepo_shipment">
          <field name="x_poleepo_shipment_id" readonly="1"/>
          <field name="x_poleepo_courier" readonly="1"/>
          <field name="carrier_tracking_ref" readonly="1"/>
          <field name="x_poleepo_status" readonly="1"/>
          <field name="x_poleepo_requested" readonly="1" ${adminOnly}/>
        </group>
      </group>
    </page>
  </xpath>
</data>`,
    },
  ];
}
