/**
 * stock.picking: transfers. The delivery an order confirmation creates (moves reserved at once, a move line per
 * reserved move, "Transfer created" and "This transfer has been created from: S00025" in its chatter), its
 * cancellation, the computed delivery fields (weights, packages, carrier tracking URL) and the buttons a merchant
 * presses: Mark as To Do (`action_confirm`), Check Availability (`action_assign`), Unreserve (`do_unreserve`),
 * Put in Pack (stock.picking.pack.ts), Validate (stock.picking.validate.ts), Cancel.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { userError } from '../errors/odoo.errors.ts';
import { postMessage, registerMailThread } from './mail.thread.ts';
import { assignMove, createMoveLine, linesOf, releaseLine, syncPickingState } from './stock.move.model.ts';
import { isStorable, roundQty } from './stock.quant.ops.ts';
import { pickingPutInPack, PUT_IN_PACK_PARAMS } from './stock.picking.pack.ts';
import { buttonValidate } from './stock.picking.validate.ts';
import { nextPickingName } from './stock.picking.names.ts';
import type { PackageBase } from './stock.package.model.ts';

export class StockPicking extends Model {
  readonly name = 'stock.picking';
  description = 'Transfer';
  order = 'priority desc, scheduled_date asc, id desc';
  override companyRule = true;
  override mailThread = true;
  override cascade = ['move_ids'];

  override defaults(env: Env): Record<string, unknown> {
    return { state: 'draft', company_id: env.companyId, scheduled_date: env.now, date: env.now, priority: '0', move_type: 'direct', carrier_price: 0, user_id: env.uid };
  }

  /** A transfer made through the API is named by its operation type's sequence ("WH/IN/00001"). */
  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    const type = env.model('stock.picking.type').table.get(vals.picking_type_id as number);
    if ((!vals.name || vals.name === '/') && type) vals.name = nextPickingName(env, type);
    if (type) {
      vals.location_id ??= type.default_location_src_id || false;
      vals.location_dest_id ??= type.default_location_dest_id || false;
      if (vals.company_id === undefined || vals.company_id === env.companyId) vals.company_id = type.company_id ?? vals.company_id;
    }
    return vals;
  }

  override afterCreate(env: Env, id: number): void {
    postMessage(env, this.name, id, { body: '<p>Transfer created</p>', messageType: 'notification', subtypeXmlid: 'mail.mt_note' });
    syncPickingState(env, id);
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    const stock = env.profile.stock;
    switch (field) {
      case 'move_ids_without_package':
        return env.model('stock.move').childrenOf(rec.id, 'picking_id', env);
      case 'move_line_ids_without_package':
        return env.model('stock.move.line').childrenOf(rec.id, 'picking_id', env);
      case 'move_line_exist':
        return env.model('stock.move.line').table.lookup('picking_id', rec.id).size > 0;
      case 'picking_type_code':
        return env.model('stock.picking.type').table.get(rec.picking_type_id as number)?.code ?? false;
      case 'has_packages':
        return this.resultPackages(env, rec.id).length > 0;
      case 'package_ids':
        return this.resultPackages(env, rec.id);
      case 'packages_count':
        return new Set(this.resultPackages(env, rec.id).map((p) => {
          const pkgs = env.model(stock.packageModel);
          return pkgs.getter('outermost_package_id')(pkgs.table.get(p)!, env) as number;
        })).size;
      case 'weight':
        return roundQty([...env.model('stock.move').table.lookup('picking_id', rec.id)].reduce((s, m) => s + ((env.model('stock.move').getter('weight')(env.model('stock.move').table.get(m)!, env) as number) || 0), 0));
      case 'weight_bulk':
        return this.bulkWeight(env, rec.id);
      case 'shipping_weight':
        // 19 stores it (a written value stays until the packages change); 17/18 always compute it.
        if (typeof rec.shipping_weight === 'number' && stock.packageModel === 'stock.package') return rec.shipping_weight;
        return this.shippingWeight(env, rec.id);
      case 'weight_uom_name':
        return 'kg';
      case 'carrier_tracking_url':
        return this.trackingUrl(env, rec);
      case 'delivery_type':
        return env.model('delivery.carrier').table.get(rec.carrier_id as number)?.delivery_type ?? false;
      case 'integration_level':
        return env.model('delivery.carrier').table.get(rec.carrier_id as number)?.integration_level ?? false;
      case 'destination_country_code': {
        const partner = env.model('res.partner').table.get(rec.partner_id as number);
        return env.model('res.country').table.get(partner?.country_id as number)?.code ?? false;
      }
      case 'is_return_picking':
        return false;
      case 'show_check_availability':
        return ['confirmed', 'waiting', 'assigned'].includes(rec.state as string) && [...env.model('stock.move').table.lookup('picking_id', rec.id)].some((m) => {
          const move = env.model('stock.move').table.get(m)!;
          return move.state === 'confirmed' || move.state === 'partially_available';
        });
      case 'products_availability_state':
        return rec.state === 'assigned' ? 'available' : rec.state === 'confirmed' ? 'late' : false;
      default:
        return NOT_COMPUTED;
    }
  }

  /** Distinct destination packages of the picking's lines, oldest first. */
  resultPackages(env: Env, pickingId: number): number[] {
    const lines = env.model('stock.move.line').table;
    return [...new Set([...lines.lookup('picking_id', pickingId)].map((l) => lines.get(l)!.result_package_id as number).filter(Boolean))].sort((a, b) => a - b);
  }

  /** Weight of what is not in a package (`weight_bulk`). */
  bulkWeight(env: Env, pickingId: number): number {
    const lines = env.model('stock.move.line').table;
    const products = env.model('product.product');
    let total = 0;
    for (const lid of lines.lookup('picking_id', pickingId)) {
      const l = lines.get(lid)!;
      if (l.result_package_id) continue;
      const p = products.table.get(l.product_id as number);
      total += ((l.quantity as number) || 0) * (p ? (products.getter('weight')(p, env) as number) || 0 : 0);
    }
    return roundQty(total);
  }

  /** stock_delivery: bulk weight plus each package's shipping weight (its content's weight when none was entered). */
  shippingWeight(env: Env, pickingId: number): number {
    const packages = env.model(env.profile.stock.packageModel) as PackageBase;
    let total = this.bulkWeight(env, pickingId);
    for (const id of this.resultPackages(env, pickingId)) {
      const pkg = packages.table.get(id);
      if (pkg) total += (pkg.shipping_weight as number) || packages.weightOf(env, pkg);
    }
    return roundQty(total);
  }

  /** `get_tracking_link`: the carrier's tracking URL with the reference (18/19 `tracking_url`); 17's built-in carriers have none. */
  private trackingUrl(env: Env, rec: Rec): string | false {
    if (!rec.carrier_id || !rec.carrier_tracking_ref) return false;
    const url = env.model('delivery.carrier').table.get(rec.carrier_id as number)?.tracking_url;
    return typeof url === 'string' && url ? url.replace('<shipmenttrackingnumber>', String(rec.carrier_tracking_ref)) : false;
  }

  override afterWrite(env: Env, ids: number[], vals: Record<string, unknown>): void {
    // A picking's moves follow its locations and partner, as Odoo's write propagates them.
    const propagate: Record<string, unknown> = {};
    for (const k of ['location_id', 'location_dest_id', 'partner_id']) if (k in vals) propagate[k] = vals[k];
    if (!Object.keys(propagate).length) return;
    const moves = env.model('stock.move').table;
    for (const id of ids) for (const m of moves.lookup('picking_id', id)) {
      const move = moves.get(m)!;
      if (move.state !== 'done' && move.state !== 'cancel') moves.update(m, propagate);
    }
  }

  protected override registerMethods(): void {
    const records = (name: string, impl: (env: Env, ids: number[]) => unknown) =>
      this.method(name, { api: 'records', params: [], qualname: `StockPicking.${name}`, impl: (c) => { this.ensureExisting(c.env, c.ids); return impl(c.env, c.ids); } });
    records('action_confirm', (env, ids) => {
      for (const id of ids) this.confirmPicking(env, id);
      return true;
    });
    records('action_assign', (env, ids) => {
      for (const id of ids) if (this.table.get(id)!.state === 'draft') this.confirmPicking(env, id);
      const moves = ids.flatMap((id) => [...env.model('stock.move').table.lookup('picking_id', id)]).filter((m) => !['draft', 'cancel', 'done'].includes(env.model('stock.move').table.get(m)!.state as string));
      if (!moves.length) throw userError('Nothing to check the availability for.');
      for (const m of moves.sort((a, b) => a - b)) assignMove(env, m);
      return true;
    });
    records('do_unreserve', (env, ids) => {
      for (const id of ids) for (const m of env.model('stock.move').table.lookup('picking_id', id)) {
        const move = env.model('stock.move').table.get(m)!;
        if (move.state === 'done' || move.state === 'cancel') continue;
        for (const line of linesOf(env, m)) if (!line.picked) {
          releaseLine(env, line);
          env.model('stock.move.line').table.delete(line.id);
        }
        env.model('stock.move').table.update(m, { state: 'confirmed' });
        syncMoveAfterUnreserve(env, m);
      }
      return null;
    });
    records('action_cancel', (env, ids) => {
      this.cancelPickings(env, ids);
      return true;
    });
    records('button_validate', (env, ids) => buttonValidate(env, ids));
    const v19 = this.registry.profile.stock.packWizard === 'stock.put.in.pack';
    this.method('action_put_in_pack', {
      api: 'records', params: v19 ? PUT_IN_PACK_PARAMS : [], kwOnly: v19 ? PUT_IN_PACK_PARAMS : undefined,
      defaults: v19 ? { package_id: false, package_type_id: false, package_name: false } : undefined, qualname: 'StockPicking.action_put_in_pack',
      impl: (c) => {
        const id = this.ensureOne(c.ids);
        this.ensureExisting(c.env, [id]);
        return pickingPutInPack(c.env, id, c.p);
      },
    });
    registerMailThread(this);
  }

  /** Mark as To Do: draft moves become confirmed and are reserved (operation types reserve at confirmation). */
  confirmPicking(env: Env, id: number): void {
    const moves = env.model('stock.move').table;
    const ids = [...moves.lookup('picking_id', id)].sort((a, b) => a - b);
    for (const m of ids) if (moves.get(m)!.state === 'draft') moves.update(m, { state: 'confirmed' });
    for (const m of ids) if (moves.get(m)!.state === 'confirmed' || moves.get(m)!.state === 'partially_available') assignMove(env, m);
    syncPickingState(env, id);
  }

  /**
   * The delivery of a confirmed order: one move per stocked line, reserved from the warehouse stock at once, in a
   * picking named by the warehouse's delivery sequence. 17 runs the procurement as the superuser (OdooBot in the
   * chatter); 18/19 as the user who confirmed.
   */
  createDelivery(callerEnv: Env, order: Rec, lines: Rec[]): number | null {
    const env = callerEnv.profile.stock.procurementAsSuperuser ? callerEnv.sudo() : callerEnv;
    const products = env.model('product.product');
    const stocked = lines.filter((l) => {
      const p = products.table.get(l.product_id as number);
      if (!p || l.display_type) return false;
      const type = products.getter('type')(p, env);
      return type === 'consu' || type === 'product';
    });
    if (!stocked.length) return null;
    const warehouse = env.model('stock.warehouse').table.get(order.warehouse_id as number);
    const types = env.model('stock.picking.type');
    const pickingType = [...types.table.rows.values()].find((t) => t.code === 'outgoing' && t.warehouse_id === warehouse?.id);
    const src = (pickingType?.default_location_src_id || warehouse?.lot_stock_id) as number;
    const dest = (pickingType?.default_location_dest_id || [...env.model('stock.location').table.rows.values()].find((l) => l.usage === 'customer')?.id) as number;
    const origin = env.profile.deliveryOriginWithRef && order.client_order_ref ? `${order.name} - ${order.client_order_ref}` : order.name;
    const pickingId = this.createInternal(env, {
      name: pickingType ? nextPickingName(env, pickingType) : `${warehouse?.code ?? 'WH'}/OUT/${String(env.registry.nextSequence(`stock.picking.out.${warehouse?.id ?? 1}`, 1)).padStart(5, '0')}`,
      origin,
      partner_id: order.partner_shipping_id ?? order.partner_id,
      picking_type_id: pickingType?.id ?? false,
      location_id: src,
      location_dest_id: dest,
      company_id: order.company_id,
      sale_id: order.id,
      carrier_id: order.carrier_id || false,
      move_type: order.picking_policy === 'one' ? 'one' : 'direct',
      state: 'confirmed',
    });
    const picking = this.table.get(pickingId)!;
    const moves = env.model('stock.move');
    const moveIds: number[] = [];
    for (const line of stocked) {
      moveIds.push(moves.createInternal(env, {
        name: line.name,
        product_id: line.product_id,
        product_uom_qty: (line.product_uom_qty as number) || 0,
        quantity: 0,
        location_id: src,
        location_dest_id: dest,
        picking_id: pickingId,
        picking_type_id: pickingType?.id ?? false,
        partner_id: picking.partner_id,
        sale_line_id: line.id,
        company_id: order.company_id,
        origin: order.name,
        reference: picking.name,
        warehouse_id: warehouse?.id ?? false,
        state: 'confirmed',
      }));
    }
    // sale_stock's note: the transfer links back to the order that created it.
    postMessage(env, this.name, pickingId, {
      body: `<p>\n                This transfer has been created from:\n                    <a href="#" data-oe-model="sale.order" data-oe-id="${order.id}"> ${order.name}</a>\n            </p>`,
      messageType: 'notification', subtypeXmlid: 'mail.mt_note',
    });
    for (const m of moveIds) assignMove(env, m);
    syncPickingState(env, pickingId);
    return pickingId;
  }

  /** Cancels pickings that are not done, releasing what their moves reserved. */
  cancelPickings(env: Env, ids: number[]): void {
    const moves = env.model('stock.move');
    const lines = env.model('stock.move.line').table;
    for (const id of ids) {
      const picking = this.table.get(id);
      if (!picking || picking.state === 'done' || picking.state === 'cancel') continue;
      for (const mid of moves.table.lookup('picking_id', id)) {
        const m = moves.table.get(mid)!;
        if (m.state === 'done' || m.state === 'cancel') continue;
        for (const line of linesOf(env, mid)) {
          releaseLine(env, line);
          lines.delete(line.id);
        }
        moves.table.update(mid, { state: 'cancel', quantity: 0, picked: false, write_date: env.now });
      }
      this.table.update(id, { state: 'cancel', write_date: env.now });
    }
  }
}

/** A move without lines holds nothing; storable goods wait for stock, the others are ready again at once. */
function syncMoveAfterUnreserve(env: Env, moveId: number): void {
  const moves = env.model('stock.move').table;
  const move = moves.get(moveId)!;
  const held = linesOf(env, moveId).reduce((s, l) => s + ((l.quantity as number) || 0), 0);
  moves.update(moveId, { quantity: roundQty(held) });
  if (!isStorable(env, move.product_id as number) && held === 0) createMoveLine(env, move, (move.product_uom_qty as number) || 0);
  syncPickingState(env, move.picking_id as number);
}

