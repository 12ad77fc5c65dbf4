/**
 * Packages and package types.
 *
 * - stock.package.type (all versions): the boxes a warehouse uses, with dimensions (`packaging_length`, `width`,
 *   `height`, in the length unit `length_uom_name`, "mm" by default) and weights (`base_weight`, `max_weight`, in
 *   `weight_uom_name`, "kg"). 19 gives a type its own name sequence (`sequence_code`: BOX → BOX0000001).
 * - the package: `stock.quant.package` in 17/18, renamed `stock.package` in 19. Its name comes from the package
 *   sequence (PACK0000001), its content are the quants holding it (none until the delivery is validated: the goods
 *   are still on the shelf), its `weight` is the content's (base weight + quantity × product weight) and
 *   `shipping_weight` what the packer entered. 19 adds containers (`parent_package_id`, `package_dest_id`) and the
 *   pickings it is being packed in (`picking_ids`).
 * - stock.package_level (17/18): one per package put in a picking (`stock.picking.package_level_ids`).
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { roundQty } from './stock.quant.ops.ts';
import { packagesPutInPack, PUT_IN_PACK_PARAMS } from './stock.picking.pack.ts';

export class StockPackageType extends Model {
  readonly name = 'stock.package.type';
  description = 'Stock package type';
  order = 'sequence, id';
  override companyRule = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    // 19's `sequence_code` is related to the type's ir.sequence (not modelled): the prefix is kept on the type.
    return this.registry.profile.stock.packageNamesByType ? { sequence_code: { type: 'char', string: 'Sequence Prefix', store: true } } : {};
  }

  override defaults(): Record<string, unknown> {
    const d: Record<string, unknown> = { sequence: 1, package_carrier_type: 'none', height: 0, width: 0, packaging_length: 0, base_weight: 0, max_weight: 0 };
    if (this.fields.has('package_use')) d.package_use = 'disposable';
    return d;
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'weight_uom_name':
        return 'kg';
      case 'length_uom_name':
        return 'mm';
      case 'has_quants': {
        const packages = env.model(env.profile.stock.packageModel);
        return [...packages.table.lookup('package_type_id', rec.id)].some((p) => (packages.getter('quant_ids')(packages.table.get(p)!, env) as number[]).length > 0);
      }
      default:
        return NOT_COMPUTED;
    }
  }

  /** The next package name for this type: its own sequence in 19 when it has one, else the package sequence. */
  nextPackageName(env: Env, typeId: number | false): string {
    const type = typeId ? this.table.get(typeId) : undefined;
    const code = env.profile.stock.packageNamesByType ? (type?.sequence_code as string | undefined) : undefined;
    if (code) return `${code}${String(env.registry.nextSequence(`stock.package.type.${typeId}`, 1)).padStart(7, '0')}`;
    return `PACK${String(env.registry.nextSequence('stock.package', 1)).padStart(7, '0')}`;
  }
}

/** What 17/18's stock.quant.package and 19's stock.package share. */
abstract class PackageBase extends Model {
  description = 'Packages';
  override companyRule = true;

  override defaults(env: Env): Record<string, unknown> {
    const d: Record<string, unknown> = { pack_date: env.now.slice(0, 10), shipping_weight: 0, company_id: false, location_id: false };
    if (this.fields.has('package_use')) d.package_use = 'disposable';
    return d;
  }

  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    if (!vals.name) vals.name = (env.model('stock.package.type') as StockPackageType).nextPackageName(env, (vals.package_type_id as number) || false);
    return vals;
  }

  /** Quants holding the package (Odoo's domain: quantity or reservation not zero). */
  quantsOf(env: Env, id: number): Rec[] {
    const quants = env.model('stock.quant').table;
    return [...quants.lookup('package_id', id)].sort((a, b) => a - b).map((q) => quants.get(q)!).filter((q) => q.quantity || q.reserved_quantity);
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'quant_ids':
        return this.quantsOf(env, rec.id).map((q) => q.id);
      case 'location_id': {
        const first = this.quantsOf(env, rec.id).find((q) => ((q.quantity as number) || 0) > 0);
        return first ? first.location_id : (rec.location_id ?? false);
      }
      case 'company_id': {
        const quants = this.quantsOf(env, rec.id);
        if (!quants.length) return rec.company_id ?? false;
        const c = quants[0].company_id ?? false;
        return quants.every((q) => (q.company_id ?? false) === c) ? c : false;
      }
      case 'owner_id':
        return false;
      case 'weight':
        return this.weightOf(env, rec);
      case 'weight_uom_name':
        return 'kg';
      case 'weight_is_kg':
        return true;
      case 'weight_uom_rounding':
        return 0.01;
      case 'valid_sscc':
        return isSscc(String(rec.name ?? ''));
      default:
        return NOT_COMPUTED;
    }
  }

  /** `_compute_weight`: the type's base weight plus the content (the picking's lines when the context names one). */
  weightOf(env: Env, rec: Rec): number {
    const types = env.model('stock.package.type').table;
    let weight = (types.get(rec.package_type_id as number)?.base_weight as number) || 0;
    const products = env.model('product.product');
    const productWeight = (id: number) => {
      const p = products.table.get(id);
      return p ? (products.getter('weight')(p, env) as number) || 0 : 0;
    };
    const pickingId = env.context.picking_id;
    if (typeof pickingId === 'number') {
      const lines = env.model('stock.move.line').table;
      for (const lid of lines.lookup('result_package_id', rec.id)) {
        const l = lines.get(lid)!;
        if (l.picking_id === pickingId && l.product_id) weight += ((l.quantity as number) || 0) * productWeight(l.product_id as number);
      }
    } else {
      for (const q of this.quantsOf(env, rec.id)) weight += ((q.quantity as number) || 0) * productWeight(q.product_id as number);
    }
    return Math.round(roundQty(weight) * 100) / 100;
  }
}

export class StockQuantPackage extends PackageBase {
  readonly name = 'stock.quant.package';
  order = 'name';

  override supportsVersion(version: number): boolean {
    return version < 19;
  }
}

/** 19's package: containers (a package put in another), destination containers, and the pickings packing it. */
export class StockPackage extends PackageBase {
  readonly name = 'stock.package';
  order = 'name, id';
  override recName = 'complete_name';
  override parentField = 'parent_package_id';

  override supportsVersion(version: number): boolean {
    return version >= 19;
  }

  override displayDepends(): string[] {
    return ['complete_name'];
  }

  /** The package's name (its `complete_name` with containers shows only where the context asks for it). */
  override displayName(rec: Rec): string {
    return String(rec.name ?? '');
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    const table = this.table;
    switch (field) {
      case 'complete_name': {
        const parent = table.get(rec.parent_package_id as number);
        return parent ? `${this.compute('complete_name', parent, env)} > ${rec.name}` : rec.name;
      }
      case 'dest_complete_name': {
        const dest = table.get(rec.package_dest_id as number);
        return dest ? `${this.compute('dest_complete_name', dest, env)} > ${rec.name}` : rec.name;
      }
      case 'child_package_ids':
        return [...table.lookup('parent_package_id', rec.id)].sort((a, b) => a - b);
      case 'child_package_dest_ids':
        return [...table.lookup('package_dest_id', rec.id)].sort((a, b) => a - b);
      case 'all_children_package_ids':
        return this.descendants(rec.id, 'parent_package_id').filter((id) => id !== rec.id);
      case 'contained_quant_ids':
        return [rec.id, ...(this.compute('all_children_package_ids', rec, env) as number[])].flatMap((p) => this.quantsOf(env, p).map((q) => q.id));
      case 'outermost_package_id': {
        let cur = rec;
        while (cur.package_dest_id && table.get(cur.package_dest_id as number)) cur = table.get(cur.package_dest_id as number)!;
        return cur.id;
      }
      case 'move_line_ids':
        return this.openLines(env, rec.id).map((l) => l.id);
      case 'picking_ids':
        return [...new Set(this.openLines(env, rec.id).map((l) => l.picking_id as number).filter(Boolean))].sort((a, b) => a - b);
      case 'location_dest_id':
        return this.openLines(env, rec.id)[0]?.location_dest_id ?? false;
      case 'package_carrier_type':
        return env.model('stock.package.type').table.get(rec.package_type_id as number)?.package_carrier_type ?? false;
      case 'content_description':
        return false;
      case 'json_popover':
        return false;
      default:
        return super.compute(field, rec, env);
    }
  }

  /** Lines of ongoing transfers packing into this package or into a package destined to it. */
  private openLines(env: Env, id: number): Rec[] {
    const lines = env.model('stock.move.line').table;
    const packs = [id, ...this.destChildren(id)];
    return packs.flatMap((p) => [...lines.lookup('result_package_id', p)].map((l) => lines.get(l)!)).filter((l) => l.state !== 'done' && l.state !== 'cancel').sort((a, b) => a.id - b.id);
  }

  private destChildren(id: number): number[] {
    const out: number[] = [];
    const queue = [...this.table.lookup('package_dest_id', id)];
    while (queue.length) {
      const cur = queue.shift()!;
      if (out.includes(cur)) continue;
      out.push(cur);
      queue.push(...this.table.lookup('package_dest_id', cur));
    }
    return out;
  }

  protected override registerMethods(): void {
    this.method('action_put_in_pack', {
      api: 'records', params: PUT_IN_PACK_PARAMS, kwOnly: PUT_IN_PACK_PARAMS, defaults: { package_id: false, package_type_id: false, package_name: false },
      qualname: 'StockPackage.action_put_in_pack',
      impl: (c) => packagesPutInPack(c.env, c.ids, c.p),
    });
  }
}

/** 17/18: a package in a picking (what the "Packages" tab lists). */
export class StockPackageLevel extends Model {
  readonly name = 'stock.package_level';
  description = 'Stock Package Level';
  override companyRule = true;

  override supportsVersion(version: number): boolean {
    return version < 19;
  }

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      package_id: { type: 'many2one', relation: 'stock.quant.package', string: 'Package', required: true },
      picking_id: { type: 'many2one', relation: 'stock.picking', string: 'Picking' },
      move_line_ids: { type: 'one2many', relation: 'stock.move.line', relationField: 'package_level_id', string: 'Move Line' },
      location_id: { type: 'many2one', relation: 'stock.location', string: 'From' },
      location_dest_id: { type: 'many2one', relation: 'stock.location', string: 'To' },
      is_done: { type: 'boolean', string: 'Done', store: false },
      state: {
        type: 'selection', string: 'State', store: false,
        selection: [['draft', 'Draft'], ['confirmed', 'Confirmed'], ['assigned', 'Reserved'], ['new', 'New'], ['done', 'Done'], ['cancel', 'Cancelled']],
      },
      company_id: { type: 'many2one', relation: 'res.company', string: 'Company', required: true },
    };
  }

  override displayName(rec: Rec, env: Env): string {
    return String(env.model('stock.quant.package').displayNameOfId(rec.package_id as number, env) || '');
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    const picking = env.model('stock.picking').table.get(rec.picking_id as number);
    if (field === 'state') return picking?.state === 'done' ? 'done' : picking?.state === 'cancel' ? 'cancel' : 'assigned';
    if (field === 'is_done') return picking?.state === 'done' || [...env.model('stock.move.line').table.lookup('package_level_id', rec.id)].length > 0;
    return NOT_COMPUTED;
  }
}

/** GS1 SSCC: 18 digits whose last is the mod-10 check digit (`valid_sscc`). */
function isSscc(name: string): boolean {
  if (!/^\d{18}$/.test(name)) return false;
  const digits = [...name].map(Number);
  const check = digits.pop()!;
  const sum = digits.reverse().reduce((s, d, i) => s + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

export { PackageBase };
