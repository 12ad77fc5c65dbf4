/**
 * The put-in-pack wizards a carrier (or, in 19, an operation type) asks for, both driven over RPC exactly like the
 * recordings: create the wizard with the context of the action the picking returned, then `action_put_in_pack`.
 *
 * - 17/18 `choose.delivery.package` (stock_delivery): `picking_id` (from `default_picking_id`), the package type
 *   `delivery_package_type_id` and `shipping_weight` (default: the type's base weight plus the weight of what is
 *   about to be packed). Packing answers the package as 17/18 do ("stock.quant.package(2,)").
 * - 19 `stock.put.in.pack` (stock, extended by stock_delivery): `move_line_ids` or `package_ids` to pack,
 *   `package_type_id`, an existing `result_package_id`, `shipping_weight` (default computed only for a carrier's
 *   `package_carrier_type`) and `location_dest_id`. Packing answers the id list ([2]).
 * A package heavier than the type's `max_weight` is accepted (Odoo only warns in the form).
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { roundQty } from './stock.quant.ops.ts';
import { moveLinesPutInPack, packageMoveLines, packageResult, packagesPutInPack, putLinesInPack } from './stock.picking.pack.ts';

/** Base weight of a package type plus quantity × product weight of the lines. */
function linesWeight(env: Env, typeId: number | false, lines: Rec[]): number {
  const products = env.model('product.product');
  let total = typeId ? ((env.model('stock.package.type').table.get(typeId)?.base_weight as number) || 0) : 0;
  for (const l of lines) {
    const p = products.table.get(l.product_id as number);
    total += ((l.quantity as number) || 0) * (p ? (products.getter('weight')(p, env) as number) || 0 : 0);
  }
  return roundQty(total);
}

export class ChooseDeliveryPackage extends Model {
  readonly name = 'choose.delivery.package';
  description = 'Delivery Package Selection Wizard';
  override transient = true;

  override supportsVersion(version: number): boolean {
    return version < 19;
  }

  /** 18's recordings hold no fields_get of the wizard: these are the 17 ones (the model did not change). */
  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      picking_id: { type: 'many2one', relation: 'stock.picking', string: 'Picking' },
      delivery_package_type_id: { type: 'many2one', relation: 'stock.package.type', string: 'Delivery Package Type' },
      shipping_weight: { type: 'float', string: 'Shipping Weight' },
      weight_uom_name: { type: 'char', string: 'Weight unit of measure label', store: false, readonly: true },
      company_id: { type: 'many2one', relation: 'res.company', string: 'Company', store: false, readonly: true },
    };
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    if (field === 'weight_uom_name') return 'kg';
    if (field === 'company_id') return env.model('stock.picking').table.get(rec.picking_id as number)?.company_id ?? false;
    return NOT_COMPUTED;
  }

  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    if (!('shipping_weight' in vals) && typeof vals.picking_id === 'number') {
      vals.shipping_weight = linesWeight(env, (vals.delivery_package_type_id as number) || false, packageMoveLines(env, vals.picking_id));
    }
    return vals;
  }

  protected override registerMethods(): void {
    this.method('action_put_in_pack', {
      api: 'records', params: [], qualname: 'ChooseDeliveryPackage.action_put_in_pack',
      impl: (c) => {
        const wizard = this.table.get(this.ensureOne(c.ids));
        if (!wizard) throw this.missingRecords(c.env, c.ids);
        const lines = packageMoveLines(c.env, wizard.picking_id as number);
        const packageId = putLinesInPack(c.env, lines, {});
        const packages = c.env.model(c.env.profile.stock.packageModel);
        if (wizard.delivery_package_type_id) packages.writeRecords(c.env, [packageId], { package_type_id: wizard.delivery_package_type_id });
        if (wizard.shipping_weight) packages.writeRecords(c.env, [packageId], { shipping_weight: wizard.shipping_weight });
        return packageResult(c.env, packageId);
      },
    });
  }
}

export class StockPutInPack extends Model {
  readonly name = 'stock.put.in.pack';
  description = 'Put In Pack Wizard';
  override transient = true;

  override supportsVersion(version: number): boolean {
    return version >= 19;
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'weight_uom_name':
        return 'kg';
      case 'package_type_sequence_id':
        return false;
      case 'origin_package_ids': {
        const packages = env.model('stock.package').table;
        const lines = env.model('stock.move.line').table;
        const ids = [...((rec.package_ids as number[]) ?? []), ...((rec.move_line_ids as number[]) ?? []).map((l) => lines.get(l)?.result_package_id as number)];
        return [...new Set(ids.map((id) => packages.get(id)?.parent_package_id as number).filter(Boolean))];
      }
      default:
        return NOT_COMPUTED;
    }
  }

  /** `_compute_shipping_weight`: for a carrier's package, the type's base weight plus the lines (and the package's). */
  override afterCreate(env: Env, id: number, vals: Record<string, unknown>): void {
    if ('shipping_weight' in vals) return;
    const wizard = this.table.get(id)!;
    let weight = 0;
    if (wizard.package_carrier_type && !((wizard.package_ids as number[]) ?? []).length) {
      const lines = env.model('stock.move.line').table;
      const packages = env.model('stock.package').table;
      const lineIds = [...((wizard.move_line_ids as number[]) ?? [])];
      if (wizard.result_package_id) lineIds.push(...lines.lookup('result_package_id', wizard.result_package_id));
      const typeId = (wizard.package_type_id as number) || (packages.get(wizard.result_package_id as number)?.package_type_id as number) || false;
      weight = linesWeight(env, typeId, [...new Set(lineIds)].map((l) => lines.get(l)!).filter(Boolean));
    }
    this.table.update(id, { shipping_weight: weight });
  }

  protected override registerMethods(): void {
    this.method('action_put_in_pack', {
      api: 'records', params: [], qualname: 'StockPutInPack.action_put_in_pack',
      impl: (c) => {
        const wizard = this.table.get(this.ensureOne(c.ids));
        if (!wizard) throw this.missingRecords(c.env, c.ids);
        const context: Record<string, unknown> = { from_package_wizard: true };
        if (wizard.package_carrier_type) context.weight = wizard.shipping_weight;
        const env = c.env.withContext(context);
        const params = { package_id: wizard.result_package_id || false, package_type_id: wizard.package_type_id || false };
        const packages = (wizard.package_ids as number[]) ?? [];
        if (packages.length) return packagesPutInPack(env, packages, params);
        return moveLinesPutInPack(env, (wizard.move_line_ids as number[]) ?? [], params);
      },
    });
  }
}
