/**
 * stock.move and the reservation rules it shares with its move lines (Odoo 17+ has one `quantity` per move, the sum
 * of its lines': reserved until the move is done, then delivered):
 * - reserving a move creates (or grows) a move line holding what the source location could give;
 * - writing a move's `quantity` grows or shrinks its lines (the inverse `_set_quantity`), writing `picked` marks
 *   them all; a move is picked when any of its lines is;
 * - a move's state follows its quantity (assigned / partially_available / confirmed), a picking's state its moves'.
 * What a line reserved on the quants is kept on the line (`reserved_qty`, internal) so that releasing it is exact.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { bypassesReservation, isStorable, reserveQuants, roundQty, unreserveQuants } from './stock.quant.ops.ts';

export class StockMove extends Model {
  readonly name = 'stock.move';
  description = 'Stock Move';
  order = 'sequence, id';
  override companyRule = true;
  /** A move's lines go with it (releasing what they reserved). */
  override cascade = ['move_line_ids'];

  override defaults(env: Env): Record<string, unknown> {
    return { state: 'draft', company_id: env.companyId, picked: false, sequence: 10, quantity: 0, date: env.now, product_uom: 1, procure_method: 'make_to_stock' };
  }

  /** Odoo's move name: "<origin>/<code>: <source>><destination>" ("S00025/FURN_0098: Stock>Customers"). */
  override displayName(rec: Rec, env: Env): string {
    if (typeof rec.__display_name === 'string') return rec.__display_name;
    const picking = env.model('stock.picking').table.get(rec.picking_id as number);
    const code = env.model('product.product').table.get(rec.product_id as number)?.default_code;
    const locations = env.model('stock.location').table;
    const from = locations.get(rec.location_id as number)?.name ?? '';
    const to = locations.get(rec.location_dest_id as number)?.name ?? '';
    return `${picking?.origin ? `${picking.origin}/` : ''}${code ? `${code}: ` : ''}${from}>${to}`;
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    const products = env.model('product.product');
    switch (field) {
      case 'product_qty':
        return rec.product_uom_qty ?? 0;
      case 'product_uom':
        // Every move has a unit; seeded demo moves were extracted without it (Units).
        return rec.product_uom ?? 1;
      case 'weight': {
        if (rec.state === 'cancel') return 0;
        const product = products.table.get(rec.product_id as number);
        return product ? roundQty(((rec.product_uom_qty as number) || 0) * ((products.getter('weight')(product, env) as number) || 0)) : 0;
      }
      case 'product_tmpl_id':
        return products.table.get(rec.product_id as number)?.product_tmpl_id ?? false;
      case 'product_type': {
        const product = products.table.get(rec.product_id as number);
        return product ? products.getter('type')(product, env) : false;
      }
      case 'is_storable':
        return isStorable(env, rec.product_id as number);
      case 'picking_type_id':
        return rec.picking_type_id || env.model('stock.picking').table.get(rec.picking_id as number)?.picking_type_id || false;
      case 'picking_code': {
        const type = this.compute('picking_type_id', rec, env) as number | false;
        return type ? env.model('stock.picking.type').table.get(type)?.code ?? false : false;
      }
      case 'location_usage':
        return env.model('stock.location').table.get(rec.location_id as number)?.usage ?? false;
      case 'location_dest_usage':
        return env.model('stock.location').table.get(rec.location_dest_id as number)?.usage ?? false;
      case 'move_lines_count':
        return env.model('stock.move.line').table.lookup('move_id', rec.id).size;
      case 'availability':
        return rec.quantity ?? 0;
      case 'has_tracking':
        return 'none';
      case 'is_locked':
        return true;
      default:
        return NOT_COMPUTED;
    }
  }

  /** A move added to a picking through the API takes the picking's locations, partner, company and reference. */
  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    const picking = env.model('stock.picking').table.get(vals.picking_id as number);
    if (picking) {
      for (const k of ['location_id', 'location_dest_id', 'partner_id', 'company_id', 'picking_type_id']) if (vals[k] === undefined) vals[k] = picking[k] ?? false;
      vals.reference ??= picking.name;
      vals.origin ??= picking.origin ?? false;
    }
    return vals;
  }

  override afterCreate(env: Env, id: number): void {
    const move = this.table.get(id)!;
    if (move.picking_id) syncPickingState(env, move.picking_id as number);
  }

  /** Writing `quantity` or `picked` on a move changes its lines (Odoo's inverse methods); demand changes its state. */
  override afterWrite(env: Env, ids: number[], vals: Record<string, unknown>): void {
    for (const id of ids) {
      const move = this.table.get(id);
      if (!move || move.state === 'done' || move.state === 'cancel') continue;
      if ('quantity' in vals) setMoveQuantity(env, id, Number(vals.quantity) || 0);
      if ('picked' in vals) {
        const lines = env.model('stock.move.line').table;
        for (const lid of lines.lookup('move_id', id)) lines.update(lid, { picked: Boolean(vals.picked), write_date: env.now, write_uid: env.uid });
        this.table.update(id, { picked: Boolean(vals.picked) });
      }
      if ('quantity' in vals || 'product_uom_qty' in vals) syncMove(env, id);
    }
  }
}

/** A move's lines, oldest first. */
export function linesOf(env: Env, moveId: number): Rec[] {
  const lines = env.model('stock.move.line').table;
  return [...lines.lookup('move_id', moveId)].sort((a, b) => a - b).map((id) => lines.get(id)!);
}

/** Creates a move line for a move, reserving what the source location has for it (non-storable goods: all of it). */
export function createMoveLine(env: Env, move: Rec, qty: number, extra: Record<string, unknown> = {}): number {
  const reserved = reservationFor(env, move, qty);
  return env.model('stock.move.line').createInternal(env, {
    move_id: move.id, picking_id: move.picking_id, product_id: move.product_id, product_uom_id: move.product_uom ?? 1,
    location_id: move.location_id, location_dest_id: move.location_dest_id, company_id: move.company_id, quantity: roundQty(qty),
    reserved_qty: reserved, picked: Boolean(move.picked), reference: move.reference, date: env.now, package_id: false,
    result_package_id: false, lot_id: false, owner_id: false, ...extra,
  });
}

function reservationFor(env: Env, move: Rec, qty: number): number {
  if (qty <= 0 || !isStorable(env, move.product_id as number) || bypassesReservation(env, move.location_id as number)) return 0;
  return reserveQuants(env, move.product_id as number, move.location_id as number, qty);
}

/**
 * Reserves what a confirmed move still misses (`_action_assign`): storable goods as far as the source location has
 * free stock, the others entirely. Returns the quantity the move now holds.
 */
export function assignMove(env: Env, moveId: number): number {
  const move = env.model('stock.move').table.get(moveId)!;
  const held = linesOf(env, moveId).reduce((s, l) => s + ((l.quantity as number) || 0), 0);
  const missing = roundQty(((move.product_uom_qty as number) || 0) - held);
  if (missing > 0) {
    const storable = isStorable(env, move.product_id as number) && !bypassesReservation(env, move.location_id as number);
    const take = storable ? reserveQuants(env, move.product_id as number, move.location_id as number, missing) : missing;
    if (take > 0) {
      const line = linesOf(env, moveId).find((l) => !l.result_package_id && !l.package_id);
      const lines = env.model('stock.move.line').table;
      if (line) lines.update(line.id, { quantity: roundQty(((line.quantity as number) || 0) + take), reserved_qty: roundQty(((line.reserved_qty as number) || 0) + (storable ? take : 0)) });
      else {
        const id = createMoveLine(env, move, 0);
        lines.update(id, { quantity: take, reserved_qty: storable ? take : 0 });
      }
    }
  }
  syncMove(env, moveId);
  return (env.model('stock.move').table.get(moveId)!.quantity as number) || 0;
}

/** Sets a line's quantity: its reservation follows (what the location can give; the rest is a forced quantity). */
export function setLineQuantity(env: Env, lineId: number, qty: number): void {
  const lines = env.model('stock.move.line').table;
  const line = lines.get(lineId)!;
  releaseLine(env, line);
  const move = env.model('stock.move').table.get(line.move_id as number);
  const reserved = move ? reservationFor(env, { ...move, location_id: line.location_id }, qty) : 0;
  lines.update(lineId, { quantity: roundQty(qty), reserved_qty: reserved });
}

/** Gives back what a line reserved. */
export function releaseLine(env: Env, line: Rec): void {
  const reserved = (line.reserved_qty as number) || 0;
  if (reserved > 0) unreserveQuants(env, line.product_id as number, line.location_id as number, reserved, (line.package_id as number) || false);
  env.model('stock.move.line').table.update(line.id, { reserved_qty: 0 });
}

/** `_set_quantity`: more goes to the move's last line (or a new one), less is taken from the newest lines first. */
export function setMoveQuantity(env: Env, moveId: number, qty: number): void {
  const move = env.model('stock.move').table.get(moveId)!;
  const lines = linesOf(env, moveId).filter((l) => l.state !== 'done');
  const current = lines.reduce((s, l) => s + ((l.quantity as number) || 0), 0);
  let delta = roundQty(qty - current);
  if (delta > 0) {
    const last = lines[lines.length - 1];
    if (last) setLineQuantity(env, last.id, roundQty(((last.quantity as number) || 0) + delta));
    else createMoveLine(env, move, delta);
    return;
  }
  const doomed: number[] = [];
  for (const line of [...lines].reverse()) {
    if (delta >= 0) break;
    const lineQty = (line.quantity as number) || 0;
    const take = Math.min(lineQty, -delta);
    if (take >= lineQty) doomed.push(line.id);
    else setLineQuantity(env, line.id, roundQty(lineQty - take));
    delta = roundQty(delta + take);
  }
  for (const id of doomed) {
    releaseLine(env, env.model('stock.move.line').table.get(id)!);
    env.model('stock.move.line').table.delete(id);
  }
}

/** A move's quantity, picked flag and state from its lines; then its picking's state. */
export function syncMove(env: Env, moveId: number): void {
  const moves = env.model('stock.move').table;
  const move = moves.get(moveId);
  if (!move) return;
  const lines = linesOf(env, moveId);
  const quantity = roundQty(lines.reduce((s, l) => s + ((l.quantity as number) || 0), 0));
  const changes: Record<string, unknown> = { quantity };
  if (lines.length) changes.picked = lines.some((l) => l.picked);
  if (move.state !== 'draft' && move.state !== 'done' && move.state !== 'cancel') {
    const demand = (move.product_uom_qty as number) || 0;
    changes.state = quantity >= demand && demand > 0 ? 'assigned' : quantity > 0 ? 'partially_available' : 'confirmed';
  }
  moves.update(moveId, changes);
  for (const line of lines) if (line.state !== move.state) env.model('stock.move.line').table.update(line.id, { state: changes.state ?? move.state });
  if (move.picking_id) syncPickingState(env, move.picking_id as number);
}

/**
 * `stock.picking._compute_state`: draft while a move is draft, done/cancel when every move is, otherwise "assigned"
 * as soon as a move holds goods (shipping policy "as soon as possible") or when all do ("when all products are
 * ready"), else "confirmed".
 */
export function syncPickingState(env: Env, pickingId: number): void {
  const pickings = env.model('stock.picking').table;
  const picking = pickings.get(pickingId);
  if (!picking) return;
  const moves = [...env.model('stock.move').table.lookup('picking_id', pickingId)].map((id) => env.model('stock.move').table.get(id)!);
  let state: string;
  if (!moves.length) state = picking.state === 'cancel' || picking.state === 'done' ? (picking.state as string) : 'draft';
  else if (moves.some((m) => m.state === 'draft')) state = 'draft';
  else if (moves.every((m) => m.state === 'cancel')) state = 'cancel';
  else if (moves.every((m) => m.state === 'cancel' || m.state === 'done')) state = 'done';
  else {
    const open = moves.filter((m) => m.state !== 'cancel' && m.state !== 'done');
    const ready = (m: Rec) => m.state === 'assigned';
    const some = (m: Rec) => m.state === 'assigned' || m.state === 'partially_available';
    state = picking.move_type === 'one' ? (open.every(ready) ? 'assigned' : 'confirmed') : open.some(some) ? 'assigned' : 'confirmed';
  }
  if (state !== picking.state) pickings.update(pickingId, { state });
}
