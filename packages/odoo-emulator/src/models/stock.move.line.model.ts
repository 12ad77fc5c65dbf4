/**
 * stock.move.line: the detailed operations of a move (what is taken from where, into which package). A line holds a
 * reservation on the source location's quants while it is not done; writing its `quantity` moves that reservation,
 * writing `picked` marks its move picked; unlinking it releases it. Putting lines in a pack sets their
 * `result_package_id` (stock.picking.pack.ts); validating moves the goods (stock.picking.validate.ts).
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { userError } from '../errors/odoo.errors.ts';
import { bypassesReservation, isStorable, reserveQuants, roundQty } from './stock.quant.ops.ts';
import { releaseLine, setLineQuantity, syncMove } from './stock.move.model.ts';
import { moveLinesPutInPack, PUT_IN_PACK_PARAMS } from './stock.picking.pack.ts';

export class StockMoveLine extends Model {
  readonly name = 'stock.move.line';
  description = 'Product Moves (Stock Move Line)';
  order = 'result_package_id desc, location_id asc, location_dest_id asc, picking_id asc, id';
  override companyRule = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return { reserved_qty: { type: 'float', string: 'Reserved on quants' } };
  }

  override hiddenFields(): string[] {
    return ['reserved_qty'];
  }

  override defaults(env: Env): Record<string, unknown> {
    return { quantity: 0, picked: false, date: env.now, company_id: env.companyId, product_uom_id: 1, state: 'draft' };
  }

  override displayName(rec: Rec, env: Env): string {
    // Not recorded: the product, as the operations list shows the line.
    return String(env.model('product.product').displayNameOfId(rec.product_id as number, env) || rec.reference || '');
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    const picking = env.model('stock.picking').table.get(rec.picking_id as number);
    const move = env.model('stock.move').table.get(rec.move_id as number);
    const locations = env.model('stock.location').table;
    switch (field) {
      case 'quantity_product_uom':
        return rec.quantity ?? 0;
      case 'state':
        return move?.state ?? rec.state ?? 'draft';
      case 'location_usage':
        return locations.get(rec.location_id as number)?.usage ?? false;
      case 'location_dest_usage':
        return locations.get(rec.location_dest_id as number)?.usage ?? false;
      case 'picking_partner_id':
        return picking?.partner_id ?? false;
      case 'move_partner_id':
        return move?.partner_id ?? false;
      case 'picking_type_id':
        return picking?.picking_type_id ?? false;
      case 'picking_code':
        return picking ? env.model('stock.picking.type').table.get(picking.picking_type_id as number)?.code ?? false : false;
      case 'picking_location_id':
        return picking?.location_id ?? false;
      case 'picking_location_dest_id':
        return picking?.location_dest_id ?? false;
      case 'scheduled_date':
        return picking?.scheduled_date ?? move?.date ?? false;
      case 'origin':
        return move?.origin ?? picking?.origin ?? false;
      case 'carrier_id':
        return picking?.carrier_id ?? false;
      case 'destination_country_code': {
        const partner = env.model('res.partner').table.get(picking?.partner_id as number);
        return env.model('res.country').table.get(partner?.country_id as number)?.code ?? false;
      }
      case 'product_category_name': {
        const products = env.model('product.product');
        const product = products.table.get(rec.product_id as number);
        const categ = product ? products.getter('categ_id')(product, env) : false;
        return typeof categ === 'number' ? env.model('product.category').displayNameOfId(categ, env) : false;
      }
      case 'sale_price': {
        const line = env.model('sale.order.line').table.get(move?.sale_line_id as number);
        const qty = (rec.quantity as number) || 0;
        if (line) {
          const sol = env.model('sale.order.line');
          const total = (sol.getter('price_total')(line, env) as number) || 0;
          const ordered = (line.product_uom_qty as number) || 0;
          return ordered ? roundQty((total / ordered) * qty) : 0;
        }
        const products = env.model('product.product');
        const product = products.table.get(rec.product_id as number);
        return product ? ((products.getter('list_price')(product, env) as number) || 0) * qty : 0;
      }
      case 'tracking':
        return 'none';
      case 'is_locked':
        return true;
      case 'result_package_dest_name': {
        const pkg = rec.result_package_id ? env.model(env.profile.stock.packageModel).table.get(rec.result_package_id as number) : undefined;
        return pkg ? env.model(env.profile.stock.packageModel).getter('dest_complete_name')(pkg, env) : false;
      }
      default:
        return NOT_COMPUTED;
    }
  }

  /** A line made through the API takes its move's product, locations and picking, and reserves its quantity. */
  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    const move = env.model('stock.move').table.get(vals.move_id as number);
    if (move) {
      for (const k of ['product_id', 'location_id', 'location_dest_id', 'picking_id', 'company_id', 'reference']) if (vals[k] === undefined || vals[k] === false) vals[k] = move[k] ?? vals[k];
      vals.state = move.state;
    }
    if (!('reserved_qty' in vals)) {
      const qty = Number(vals.quantity) || 0;
      const location = vals.location_id as number;
      vals.reserved_qty = qty > 0 && move && move.state !== 'done' && isStorable(env, vals.product_id as number) && !bypassesReservation(env, location)
        ? reserveQuants(env, vals.product_id as number, location, qty, (vals.package_id as number) || false)
        : 0;
    }
    return vals;
  }

  override afterCreate(env: Env, id: number): void {
    const move = this.table.get(id)?.move_id as number | undefined;
    if (move) syncMove(env, move);
  }

  override beforeWrite(env: Env, ids: number[], vals: Record<string, unknown>): Record<string, unknown> {
    if ('quantity' in vals || 'location_id' in vals || 'package_id' in vals) {
      // The reservation is taken again after the write, from the (new) location for the (new) quantity.
      for (const id of ids) {
        const line = this.table.get(id);
        if (line && line.state !== 'done' && line.state !== 'cancel') releaseLine(env, line);
      }
    }
    return vals;
  }

  override afterWrite(env: Env, ids: number[], vals: Record<string, unknown>): void {
    const moves = new Set<number>();
    for (const id of ids) {
      const line = this.table.get(id);
      if (!line) continue;
      if (('quantity' in vals || 'location_id' in vals || 'package_id' in vals) && line.state !== 'done' && line.state !== 'cancel') {
        setLineQuantity(env, id, (line.quantity as number) || 0);
      }
      if (line.move_id) moves.add(line.move_id as number);
    }
    if ('quantity' in vals || 'picked' in vals || 'location_id' in vals) for (const m of moves) syncMove(env, m);
  }

  override beforeUnlink(env: Env, ids: number[]): void {
    for (const id of ids) {
      const line = this.table.get(id)!;
      if (line.state === 'done') throw userError('You can not delete product moves if the picking is done. You can only correct the done quantities.');
      releaseLine(env, line);
    }
  }

  override unlinkRecords(env: Env, ids: number[]): void {
    const moves = new Set(ids.map((id) => this.table.get(id)?.move_id as number | undefined).filter((m): m is number => typeof m === 'number'));
    super.unlinkRecords(env, ids);
    for (const m of moves) syncMove(env, m);
  }

  protected override registerMethods(): void {
    if (this.registry.profile.stock.packWizard !== 'stock.put.in.pack') return;
    // 19: the lines themselves can be put in a pack (the picking's button and the wizard go through here).
    this.method('action_put_in_pack', {
      api: 'records', params: PUT_IN_PACK_PARAMS, kwOnly: PUT_IN_PACK_PARAMS, defaults: { package_id: false, package_type_id: false, package_name: false },
      qualname: 'StockMoveLine.action_put_in_pack',
      impl: (c) => moveLinesPutInPack(c.env, c.ids, c.p),
    });
  }
}
