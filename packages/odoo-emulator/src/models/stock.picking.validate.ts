/**
 * Validating transfers (`stock.picking.button_validate`), as Odoo's stock_picking.py does it:
 *
 * 1. 18/19 leave out pickings already done (a retry answers true); 17 keeps them and refuses them below.
 * 2. Draft pickings are confirmed, and a move that got nothing takes its demand as quantity.
 * 3. `_sanity_check` (unless `skip_sanity_check`): a picking without moves, or whose moves to process all have a
 *    zero quantity, is a UserError (the version's text).
 * 4. `_pre_action_done_hook`: when nothing is picked but quantities are set, everything is picked; unless
 *    `skip_backorder`, a picking of an "ask" operation type with a move not picked or picked short answers the
 *    backorder wizard action (stock.backorder.confirmation) instead of validating.
 * 5. `_action_done`: picked quantities leave the source quants (their reservation released) and arrive at the
 *    destination, in the destination package; short moves are split, the rest goes to a backorder (or is
 *    cancelled: `picking_ids_not_to_backorder`, operation type "never"). The picking gets `date_done`.
 * 6. stock_delivery's `_send_confirmation_email`: with a "rate and ship" carrier and no tracking reference yet,
 *    the shipment is sent to the carrier: `carrier_price` is set and "Shipment sent to carrier ..." is posted.
 * 7. The state change is tracked in the chatter (an empty note with a tracking value).
 * The order's `qty_delivered` and `delivery_status` follow from the done moves (sale.model.ts).
 */
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { userError } from '../errors/odoo.errors.ts';
import { postMessage, postTracking } from './mail.thread.ts';
import { assignMove, linesOf, releaseLine, syncMove, syncPickingState } from './stock.move.model.ts';
import { isStorable, roundQty, updateAvailable } from './stock.quant.ops.ts';
import { parseOrder } from '../orm/order.ts';
import type { StockPicking } from './stock.picking.model.ts';
import { nextPickingName } from './stock.picking.names.ts';
import { sendShipping } from './delivery.carrier.model.ts';

const OPEN = (m: Rec) => m.state !== 'done' && m.state !== 'cancel';

function movesOf(env: Env, pickingId: number): Rec[] {
  const moves = env.model('stock.move');
  return moves.childrenOf(pickingId, 'picking_id', env).map((id) => moves.table.get(id)!);
}

export function buttonValidate(env: Env, requested: number[]): unknown {
  const pickings = env.model('stock.picking') as StockPicking;
  let ids = requested;
  if (env.profile.stock.validateSkipsDone) ids = ids.filter((id) => pickings.table.get(id)!.state !== 'done');
  for (const id of ids) {
    if (pickings.table.get(id)!.state !== 'draft') continue;
    pickings.confirmPicking(env, id);
    for (const move of movesOf(env, id)) {
      if (!((move.quantity as number) || 0) && ((move.product_uom_qty as number) || 0)) env.model('stock.move').writeRecords(env, [move.id], { quantity: move.product_uom_qty });
    }
  }
  if (!env.context.skip_sanity_check) sanityCheck(env, ids);
  const validateEnv = env.context.button_validate_picking_ids ? env : env.withContext({ button_validate_picking_ids: ids });
  const hook = preActionDoneHook(validateEnv, ids);
  if (hook !== true) return hook;
  const types = env.model('stock.picking.type').table;
  const typeOf = (id: number) => types.get(pickings.table.get(id)!.picking_type_id as number);
  const notToBackorder = new Set(ids.filter((id) => typeOf(id)?.create_backorder === 'never'));
  const listed = env.context.picking_ids_not_to_backorder;
  if (Array.isArray(listed)) for (const id of listed.map(Number)) if (ids.includes(id) && typeOf(id)?.create_backorder !== 'always') notToBackorder.add(id);
  for (const id of ids) actionDone(env, id, notToBackorder.has(id));
  return true;
}

function sanityCheck(env: Env, ids: number[]): void {
  const lines = env.model('stock.move.line').table;
  for (const id of ids) {
    const moves = movesOf(env, id);
    if (!moves.length && !lines.lookup('picking_id', id).size) throw userError(env.profile.stock.emptyTransferError);
  }
  for (const id of ids) {
    const open = movesOf(env, id).filter(OPEN);
    const hasPick = open.some((m) => m.picked);
    if (open.filter((m) => !hasPick || m.picked).every((m) => !((m.quantity as number) || 0))) throw userError(env.profile.stock.noQuantitiesError);
  }
}

function preActionDoneHook(env: Env, ids: number[]): unknown {
  const moves = env.model('stock.move');
  for (const id of ids) {
    const all = movesOf(env, id);
    if (all.some((m) => (m.quantity as number) > 0) && !all.some((m) => m.picked)) moves.writeRecords(env, all.filter(OPEN).map((m) => m.id), { picked: true });
  }
  if (env.context.skip_backorder) return true;
  const toBackorder = ids.filter((id) => needsBackorder(env, id));
  if (!toBackorder.length) return true;
  return {
    name: 'Create Backorder?', type: 'ir.actions.act_window', view_mode: 'form', res_model: 'stock.backorder.confirmation',
    // The wizard's form view id belongs to the database; no recording shows it.
    views: [[false, 'form']], view_id: false, target: 'new',
    context: { ...env.context, default_show_transfers: ids.length > 1, default_pick_ids: toBackorder.map((id) => [4, id]) },
  };
}

/** `_check_backorder`: an "ask" operation type and a move not picked, or picked short of its demand. */
function needsBackorder(env: Env, pickingId: number): boolean {
  const picking = env.model('stock.picking').table.get(pickingId)!;
  const type = env.model('stock.picking.type').table.get(picking.picking_type_id as number);
  if ((type?.create_backorder ?? 'ask') !== 'ask') return false;
  return movesOf(env, pickingId).filter((m) => m.state !== 'cancel').some((m) => {
    const demand = (m.product_uom_qty as number) || 0;
    if (demand && !m.picked) return true;
    const picked = linesOf(env, m.id).filter((l) => l.picked).reduce((s, l) => s + ((l.quantity as number) || 0), 0);
    return roundQty(picked) < demand;
  });
}

/** `_action_done` of one picking. */
export function actionDone(env: Env, pickingId: number, cancelBackorder: boolean): void {
  const moves = env.model('stock.move');
  const mls = env.model('stock.move.line');
  const picking = env.model('stock.picking').table.get(pickingId)!;
  const done: number[] = [];
  const backorder: number[] = [];
  const cancel: number[] = [];
  for (const move of movesOf(env, pickingId).filter(OPEN)) {
    if (move.picked) {
      // Lines left unpicked in a picked move are not delivered: their reservation is released.
      for (const line of linesOf(env, move.id)) if (!line.picked) {
        releaseLine(env, line);
        mls.table.delete(line.id);
      }
      syncMove(env, move.id);
    }
    const fresh = moves.table.get(move.id)!;
    const qty = (fresh.quantity as number) || 0;
    const demand = (fresh.product_uom_qty as number) || 0;
    if (qty <= 0 || !fresh.picked) {
      (demand === 0 || cancelBackorder ? cancel : backorder).push(move.id);
      continue;
    }
    done.push(move.id);
    if (qty < demand) {
      // `_split`: the remainder becomes a new move, for the backorder (or cancelled).
      const rest = moves.createInternal(env, {
        ...Object.fromEntries(Object.entries(fresh).filter(([k]) => !['id', 'create_date', 'write_date', 'create_uid', 'write_uid', '__display_name'].includes(k))),
        product_uom_qty: roundQty(demand - qty), quantity: 0, picked: false, state: 'confirmed',
      });
      moves.table.update(move.id, { product_uom_qty: qty });
      (cancelBackorder ? cancel : backorder).push(rest);
    }
  }
  for (const id of cancel) {
    for (const line of linesOf(env, id)) {
      releaseLine(env, line);
      mls.table.delete(line.id);
    }
    moves.table.update(id, { state: 'cancel', quantity: 0, picked: false, write_date: env.now });
  }
  // The goods move line by line, in the lines' order (`move_line_ids.sorted()`), oldest quant first.
  const lineIds = mls.sortIds(done.flatMap((m) => linesOf(env, m).map((l) => l.id)), parseOrder(mls, mls.order, env), env);
  for (const lid of lineIds) doneLine(env, mls.table.get(lid)!);
  for (const id of done) moves.table.update(id, { state: 'done', date: env.now, write_date: env.now, write_uid: env.uid });
  for (const lid of lineIds) mls.table.update(lid, { state: 'done', date: env.now });
  if (env.profile.stock.packageModel === 'stock.package') applyPackageDestinations(env, lineIds);
  env.model('stock.picking').table.update(pickingId, { date_done: env.now, priority: '0', write_date: env.now, write_uid: env.uid });
  if (backorder.length && !cancelBackorder) createBackorder(env, picking, backorder);
  syncPickingState(env, pickingId);
  sendToShipper(env, pickingId);
  postTracking(env, 'stock.picking', pickingId, 'mail.mt_note', 1);
}

/** `stock.move.line._action_done`: release the reservation, take the goods from the source, put them at the destination. */
function doneLine(env: Env, line: Rec): void {
  releaseLine(env, line);
  const qty = (line.quantity as number) || 0;
  if (!qty || !isStorable(env, line.product_id as number)) return;
  const taken = updateAvailable(env, line.product_id as number, line.location_id as number, -qty, (line.package_id as number) || false);
  updateAvailable(env, line.product_id as number, line.location_dest_id as number, qty, (line.result_package_id as number) || false, taken.inDate);
}

/** 19 `_apply_dest_to_package`: a package destined to a container is now in it. */
function applyPackageDestinations(env: Env, lineIds: number[]): void {
  const packages = env.model('stock.package').table;
  const lines = env.model('stock.move.line').table;
  const seen = new Set<number>();
  const queue = [...new Set(lineIds.map((l) => lines.get(l)!.result_package_id as number).filter(Boolean))];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const pkg = packages.get(id);
    if (!pkg) continue;
    if (pkg.package_dest_id) {
      queue.push(pkg.package_dest_id as number);
      packages.update(id, { parent_package_id: pkg.package_dest_id, package_dest_id: false });
    } else if (pkg.parent_package_id) packages.update(id, { parent_package_id: false });
  }
}

/** `_create_backorder`: the moves left go to a copy of the picking, reserved again, and the original says so. */
function createBackorder(env: Env, picking: Rec, moveIds: number[]): number {
  const pickings = env.model('stock.picking');
  const type = env.model('stock.picking.type').table.get(picking.picking_type_id as number);
  const copy: Record<string, unknown> = {};
  for (const k of ['origin', 'partner_id', 'picking_type_id', 'location_id', 'location_dest_id', 'company_id', 'sale_id', 'carrier_id', 'move_type', 'scheduled_date', 'priority', 'note']) {
    if (picking[k] !== undefined) copy[k] = picking[k];
  }
  const id = pickings.createInternal(env, { ...copy, name: type ? nextPickingName(env, type) : '/', backorder_id: picking.id, state: 'confirmed' });
  const moves = env.model('stock.move').table;
  const lines = env.model('stock.move.line').table;
  const name = pickings.table.get(id)!.name as string;
  for (const m of moveIds) {
    moves.update(m, { picking_id: id, picked: false, reference: name });
    for (const line of linesOf(env, m)) lines.update(line.id, { picking_id: id, picked: false, reference: name });
  }
  postMessage(env, 'stock.picking', picking.id, {
    body: `<p>The backorder <a href="#" data-oe-model="stock.picking" data-oe-id="${id}">${name}</a> has been created.</p>`,
    messageType: 'notification', subtypeXmlid: 'mail.mt_note',
  });
  if ((type?.reservation_method ?? 'at_confirm') === 'at_confirm') for (const m of moveIds.sort((a, b) => a - b)) assignMove(env, m);
  syncPickingState(env, id);
  return id;
}

/** stock_delivery: ship with the carrier at validation ("rate and ship", outgoing, labels printed, no reference yet). */
function sendToShipper(env: Env, pickingId: number): void {
  const picking = env.model('stock.picking').table.get(pickingId)!;
  const carrier = env.model('delivery.carrier').table.get(picking.carrier_id as number);
  const type = env.model('stock.picking.type').table.get(picking.picking_type_id as number);
  if (!carrier || carrier.integration_level !== 'rate_and_ship' || type?.code !== 'outgoing' || picking.carrier_tracking_ref) return;
  if (!env.model('stock.picking.type').getter('print_label')(type, env)) return;
  const order = env.model('sale.order').table.get(picking.sale_id as number);
  const shipped = sendShipping(env, carrier, picking, order);
  const values: Record<string, unknown> = { carrier_price: shipped.price };
  if (shipped.trackingNumber) values.carrier_tracking_ref = shipped.trackingNumber;
  env.model('stock.picking').writeRecords(env, [pickingId], values);
  const currencyId = (order?.currency_id as number) || (env.model('res.company').table.get(picking.company_id as number)?.currency_id as number);
  const currency = env.model('res.currency').table.get(currencyId)?.name ?? '';
  const ref = shipped.trackingNumber || (picking.carrier_tracking_ref as string) || 'False';
  postMessage(env, 'stock.picking', pickingId, {
    body: `<p>Shipment sent to carrier ${carrier.name} for shipping with tracking number ${ref}<br>Cost: ${shipped.price.toFixed(2)} ${currency}</p>`,
    messageType: 'notification', subtypeXmlid: 'mail.mt_note',
  });
  addDeliveryCostToOrder(env, carrier, order, shipped.price);
}

/** `_add_delivery_cost_to_so`: a carrier invoiced at real cost puts the price on the order's delivery line. */
function addDeliveryCostToOrder(env: Env, carrier: Rec, order: Rec | undefined, price: number): void {
  if (!order || carrier.invoice_policy !== 'real' || !price) return;
  const lines = env.model('sale.order.line');
  const existing = [...lines.table.lookup('order_id', order.id)].map((id) => lines.table.get(id)!)
    .find((l) => l.is_delivery && !((l.price_unit as number) || 0) && l.product_id === carrier.product_id);
  if (existing) lines.writeRecords(env, [existing.id], { price_unit: price, name: carrier.name });
  else lines.createOne(env, { order_id: order.id, product_id: carrier.product_id, name: carrier.name, product_uom_qty: 1, price_unit: price, is_delivery: true });
}
