/**
 * Delivery, packing, validation and the chatter over real HTTP, per version: an order of two storable products is
 * confirmed, its delivery picked, put in two packages of two package types and shipping weights (the second through
 * the wizard a carrier opens), validated; the packages are read back through the version's package model, the order
 * is delivered and the stock went down. A label attached and posted on the order is in its chatter. Validating with
 * nothing reserved, retries, backorders and the `packAndValidateDelivery` helper complete it.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startOdooEmulator, type OdooEmulator } from '../src/emulator.ts';
import { packAndValidateDelivery, type CallOdoo } from '../src/index.ts';
import { json2, kw, kwError } from './helpers/odoo-emulator-client.ts';

/** A one-page PDF (the one of flows/e_attachment_chatter.json is of the same kind). */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n').toString('base64');

let emu: OdooEmulator | null = null;
afterEach(async () => {
  await emu?.stop();
  emu = null;
});

type Row = Record<string, unknown> & { id: number };
type M2o = [number, string] | false;

const PACKAGE_MODEL = { 17: 'stock.quant.package', 18: 'stock.quant.package', 19: 'stock.package' } as const;
const NO_QUANTITIES = {
  17: 'You cannot validate a transfer if no quantities are reserved. To force the transfer, encode quantities.',
  18: "Transfer trouble alert! Validating a zero quantity transfer? You're not moving invisible goods around are you?\nSet some quantities and let's get moving!",
  19: "Transfer trouble alert! Validating a zero quantity transfer? You're not moving invisible goods around are you?\nSet some quantities and let's get moving!",
};

async function productId(odoo: OdooEmulator, code: string): Promise<number> {
  return (await kw<number[]>(odoo, 'product.product', 'search', [[['default_code', '=', code]]]))[0];
}

async function onHand(odoo: OdooEmulator, ids: number[]): Promise<number[]> {
  const rows = await kw<Row[]>(odoo, 'product.product', 'read', [ids], { fields: ['qty_available'], context: { allowed_company_ids: [1] } });
  return ids.map((id) => rows.find((r) => r.id === id)!.qty_available as number);
}

/** A confirmed order of 1 desk and 2 cabinets (or the given lines); its delivery picking. */
async function confirmedOrder(odoo: OdooEmulator, lines: [number, number][]): Promise<{ orderId: number; pickingId: number }> {
  const orderId = await kw<number>(odoo, 'sale.order', 'create', [{ partner_id: 9, order_line: lines.map(([product, qty]) => [0, 0, { product_id: product, product_uom_qty: qty }]) }]);
  await kw(odoo, 'sale.order', 'action_confirm', [[orderId]]);
  const [order] = await kw<Row[]>(odoo, 'sale.order', 'read', [[orderId]], { fields: ['picking_ids'] });
  return { orderId, pickingId: (order.picking_ids as number[])[0] };
}

/** The package id a put-in-pack answer names: 17/18 "stock.quant.package(3,)", 19 [3]. */
function packageOf(version: 17 | 18 | 19, answer: unknown): number {
  if (version === 19) {
    expect(answer).toEqual([expect.any(Number)]);
    return (answer as number[])[0];
  }
  expect(answer).toMatch(/^stock\.quant\.package\(\d+,\)$/);
  return Number(/\((\d+),\)/.exec(answer as string)![1]);
}

for (const version of [17, 18, 19] as const) {
  describe(`delivery on Odoo ${version}`, () => {
    it('picks, packs in two package types with shipping weights, validates: packages, delivered quantities and stock follow', async () => {
      emu = await startOdooEmulator({ version });
      const desk = await productId(emu, 'FURN_0098');
      const cabinet = await productId(emu, 'E-COM07');
      const before = await onHand(emu, [desk, cabinet]);
      const { orderId, pickingId } = await confirmedOrder(emu, [[desk, 1], [cabinet, 2]]);

      const [picking] = await kw<Row[]>(emu, 'stock.picking', 'read', [[pickingId]], { fields: ['state', 'move_ids', 'move_line_ids', 'weight', 'shipping_weight'] });
      expect(picking).toMatchObject({ state: 'assigned', weight: 0.67, shipping_weight: 0.67 });
      const moves = await kw<Row[]>(emu, 'stock.move', 'read', [picking.move_ids], { fields: ['product_id', 'product_uom_qty', 'quantity', 'picked', 'state', 'sale_line_id', 'move_line_ids'] });
      expect(moves.map((m) => [(m.product_id as M2o as [number, string])[0], m.product_uom_qty, m.quantity, m.picked, m.state])).toEqual([[desk, 1, 1, false, 'assigned'], [cabinet, 2, 2, false, 'assigned']]);
      expect(moves.every((m) => (m.sale_line_id as M2o) !== false && (m.move_line_ids as number[]).length === 1)).toBe(true);
      const [deskMove, cabinetMove] = moves;
      const lineFields = ['product_id', 'quantity', 'picked', 'location_id', 'location_dest_id', 'package_id', 'result_package_id', 'lot_id', 'picking_id', 'move_id'];
      const [deskLine] = await kw<Row[]>(emu, 'stock.move.line', 'read', [deskMove.move_line_ids], { fields: lineFields });
      expect(deskLine).toMatchObject({ quantity: 1, picked: false, package_id: false, result_package_id: false, lot_id: false, picking_id: [pickingId, expect.any(String)], move_id: [deskMove.id, expect.any(String)] });

      // The desk line is picked and packed alone, without a carrier: a Pallet of 12.5 kg.
      expect(await kw(emu, 'stock.move.line', 'write', [[deskLine.id], { quantity: 1, picked: true }])).toBe(true);
      const first = packageOf(version, await kw(emu, 'stock.picking', 'action_put_in_pack', [[pickingId]]));
      await kw(emu, PACKAGE_MODEL[version], 'write', [[first], { package_type_id: 1, shipping_weight: 12.5 }]);
      const [packedDesk] = await kw<Row[]>(emu, 'stock.move.line', 'read', [[deskLine.id]], { fields: ['result_package_id'] });
      expect(packedDesk.result_package_id).toEqual([first, 'PACK0000001']);

      // With a carrier, Put in Pack opens the version's wizard: the cabinets go in a Box of 41 kg.
      await kw(emu, 'stock.picking', 'write', [[pickingId], { carrier_id: 1 }]);
      await kw(emu, 'stock.move', 'write', [[cabinetMove.id], { quantity: 2, picked: true }]);
      const action = await kw<{ res_model: string; context: Record<string, unknown> }>(emu, 'stock.picking', 'action_put_in_pack', [[pickingId]]);
      let second: number;
      if (version === 19) {
        expect(action).toMatchObject({ res_model: 'stock.put.in.pack', context: { dialog_size: 'medium', default_move_line_ids: cabinetMove.move_line_ids, picking_ids: [pickingId], default_package_carrier_type: 'none' } });
        const wizard = await kw<number>(emu, 'stock.put.in.pack', 'create', [{ package_type_id: 2, shipping_weight: 41 }], { context: action.context });
        second = packageOf(version, await kw(emu, 'stock.put.in.pack', 'action_put_in_pack', [[wizard]], { context: action.context }));
        // Every line is packed: 19 offers to put the packages themselves in a container.
        const again = await kw<{ res_model: string; context: Record<string, unknown> }>(emu, 'stock.picking', 'action_put_in_pack', [[pickingId]]);
        expect(again).toMatchObject({ res_model: 'stock.put.in.pack', context: { default_package_ids: [first, second] } });
      } else {
        expect(action).toMatchObject({ res_model: 'choose.delivery.package', context: { current_package_carrier_type: 'none', default_picking_id: pickingId, batch_pack: false } });
        const wizard = await kw<number>(emu, 'choose.delivery.package', 'create', [{ delivery_package_type_id: 2, shipping_weight: 41 }], { context: action.context });
        expect(await kw(emu, 'choose.delivery.package', 'read', [[wizard]], { fields: ['picking_id', 'delivery_package_type_id', 'shipping_weight'] }))
          .toEqual([{ id: wizard, picking_id: [pickingId, expect.any(String)], delivery_package_type_id: [2, 'Box'], shipping_weight: 41 }]);
        second = packageOf(version, await kw(emu, 'choose.delivery.package', 'action_put_in_pack', [[wizard]], { context: action.context }));
        const nothing = await kwError(emu, 'stock.picking', 'action_put_in_pack', [[pickingId]]);
        expect(nothing.name).toBe('odoo.exceptions.UserError');
        expect(nothing.message).toMatch(/^There is nothing eligible to put in a pack/);
      }
      const [beforeValidation] = await kw<Row[]>(emu, 'stock.picking', 'read', [[pickingId]], { fields: ['shipping_weight', 'state'] });
      expect(beforeValidation).toEqual({ id: pickingId, shipping_weight: 53.5, state: 'assigned' });

      expect(await kw(emu, 'stock.picking', 'button_validate', [[pickingId]], { context: { skip_backorder: true, skip_sms: true } })).toBe(true);
      const [done] = await kw<Row[]>(emu, 'stock.picking', 'read', [[pickingId]], { fields: ['state', 'date_done', 'carrier_price', 'carrier_id'] });
      expect(done).toMatchObject({ state: 'done', date_done: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/), carrier_price: 0, carrier_id: [1, 'Standard delivery'] });

      // The picking's packages, read through the version's model: types, weights, content at the customer's.
      const lines = await kw<Row[]>(emu, 'stock.move.line', 'search_read', [[['picking_id', '=', pickingId]]], { fields: ['result_package_id'] });
      const packageIds = [...new Set(lines.map((l) => (l.result_package_id as [number, string])[0]))].sort((a, b) => a - b);
      expect(packageIds).toEqual([first, second]);
      const packages = await kw<Row[]>(emu, PACKAGE_MODEL[version], 'read', [packageIds], { fields: ['name', 'package_type_id', 'shipping_weight', 'weight', 'weight_uom_name', 'location_id', 'quant_ids'] });
      expect(packages.map((p) => [p.package_type_id, p.shipping_weight, p.weight, p.weight_uom_name, (p.location_id as [number, string])[1]]))
        .toEqual([[[1, 'Pallet'], 12.5, 0.01, 'kg', version === 19 ? 'Customers' : 'Partners/Customers'], [[2, 'Box'], 41, 0.66, 'kg', version === 19 ? 'Customers' : 'Partners/Customers']]);
      expect(packages.every((p) => (p.quant_ids as number[]).length === 1)).toBe(true);
      expect(packages[1].name).toBe(version === 19 ? 'BOX0000001' : 'PACK0000002');
      if (version === 19) expect(await kw(emu, 'stock.picking', 'read', [[pickingId]], { fields: ['packages_count'] })).toEqual([{ id: pickingId, packages_count: 2 }]);
      else expect(await kw(emu, 'stock.picking', 'read', [[pickingId]], { fields: ['has_packages', 'package_level_ids'] })).toEqual([{ id: pickingId, has_packages: true, package_level_ids: [expect.any(Number), expect.any(Number)] }]);
      const types = await kw<Row[]>(emu, 'stock.package.type', 'read', [[1, 2]], { fields: ['name', 'packaging_length', 'width', 'height', 'max_weight', 'length_uom_name', 'weight_uom_name'] });
      expect(types).toEqual([
        { id: 1, name: 'Pallet', packaging_length: 1200, width: 800, height: 130, max_weight: 4000, length_uom_name: 'mm', weight_uom_name: 'kg' },
        { id: 2, name: 'Box', packaging_length: 562, width: 362, height: 374, max_weight: 30, length_uom_name: 'mm', weight_uom_name: 'kg' },
      ]);

      // The order is delivered and the stock went down.
      const orderLines = await kw<Row[]>(emu, 'sale.order.line', 'search_read', [[['order_id', '=', orderId]]], { fields: ['qty_delivered'] });
      expect(orderLines.map((l) => l.qty_delivered)).toEqual([1, 2]);
      expect(await kw(emu, 'sale.order', 'read', [[orderId]], { fields: ['delivery_status'] })).toEqual([{ id: orderId, delivery_status: 'full' }]);
      expect(await onHand(emu, [desk, cabinet])).toEqual([before[0] - 1, before[1] - 2]);
      const chatter = await kw<Row[]>(emu, 'mail.message', 'search_read', [[['model', '=', 'stock.picking'], ['res_id', '=', pickingId]]], { fields: ['body'], order: 'id asc' });
      expect(chatter.map((m) => m.body)).toContain('<p>Shipment sent to carrier Standard delivery for shipping with tracking number False<br>Cost: 0.00 USD</p>');

      // A retry of the validation: 17 refuses it, 18/19 answer true; put in pack on it answers None.
      if (version === 17) expect((await kwError(emu, 'stock.picking', 'button_validate', [[pickingId]])).message).toBe(NO_QUANTITIES[17]);
      else expect(await kw(emu, 'stock.picking', 'button_validate', [[pickingId]])).toBe(true);
      expect(await kw(emu, 'stock.picking', 'action_put_in_pack', [[pickingId]])).toBeUndefined();
      await kw(emu, 'stock.picking', 'write', [[pickingId], { carrier_tracking_ref: 'TRK1' }]);
      expect(await kw(emu, 'stock.picking', 'read', [[pickingId]], { fields: ['carrier_tracking_ref', 'carrier_tracking_url'] })).toEqual([{ id: pickingId, carrier_tracking_ref: 'TRK1', carrier_tracking_url: false }]);
    });

    it('attaches a label to the order and posts it in the chatter, where it is read back with its attachment', async () => {
      emu = await startOdooEmulator({ version });
      const { orderId, pickingId } = await confirmedOrder(emu, [[await productId(emu, 'FURN_0098'), 1]]);
      const created = await kw<number>(emu, 'ir.attachment', 'create', [{ name: 'label.pdf', type: 'binary', datas: PDF, res_model: 'sale.order', res_id: orderId }]);
      const [att] = await kw<Row[]>(emu, 'ir.attachment', 'read', [[created]], { fields: ['name', 'mimetype', 'file_size', 'checksum', 'res_model', 'res_id', 'res_name', 'datas'] });
      const bytes = Buffer.from(PDF, 'base64');
      expect(att).toEqual({ id: created, name: 'label.pdf', mimetype: 'application/pdf', file_size: bytes.length, checksum: createHash('sha1').update(bytes).digest('hex'), res_model: 'sale.order', res_id: orderId, res_name: expect.stringMatching(/^S\d{5}$/), datas: PDF });
      // A label of the picking posted on the order stays the picking's; a file still pending in a composer moves to the order.
      const onPicking = await kw<number>(emu, 'ir.attachment', 'create', [{ name: 'picking-label.zpl', datas: Buffer.from('^XA^XZ').toString('base64'), res_model: 'stock.picking', res_id: pickingId }]);
      const pending = await kw<number>(emu, 'ir.attachment', 'create', [{ name: 'notes.txt', raw: 'hello', res_model: 'mail.compose.message', res_id: 0 }]);

      const posted = await kw(emu, 'sale.order', 'message_post', [[orderId]], { body: '<p>Shipment created: label attached.</p>', body_is_html: true, message_type: 'comment', subtype_xmlid: 'mail.mt_note', attachment_ids: [created, onPicking, pending] });
      const messageId = version === 19 ? (posted as number[])[0] : (posted as number);
      if (version === 19) expect(posted).toEqual([expect.any(Number)]);
      else expect(posted).toEqual(expect.any(Number));
      const chatter = await kw<Row[]>(emu, 'mail.message', 'search_read', [[['model', '=', 'sale.order'], ['res_id', '=', orderId]]], { fields: ['body', 'message_type', 'subtype_id', 'attachment_ids'], order: 'id asc' });
      const message = chatter.find((m) => m.id === messageId)!;
      expect(message).toEqual({ id: messageId, body: '<p>Shipment created: label attached.</p>', message_type: 'comment', subtype_id: [2, 'Note'], attachment_ids: [pending, onPicking, created] });
      const where = await kw<Row[]>(emu, 'ir.attachment', 'read', [[created, onPicking, pending]], { fields: ['res_model', 'res_id', 'mimetype'] });
      expect(where.map((a) => [a.res_model, a.res_id, a.mimetype])).toEqual([['sale.order', orderId, 'application/pdf'], ['stock.picking', pickingId, 'application/octet-stream'], ['sale.order', orderId, 'text/plain']]);
      expect(await kw(emu, 'ir.attachment', 'search', [[['res_model', '=', 'sale.order'], ['res_id', '=', orderId], ['name', '=', 'label.pdf']]])).toEqual([created]);
      expect(await kw(emu, 'ir.attachment', 'unlink', [[onPicking]])).toBe(true);
      expect(await kw(emu, 'ir.attachment', 'search_count', [[['res_model', '=', 'stock.picking'], ['res_id', '=', pickingId]]])).toBe(0);
    });

    it("validating a delivery with nothing reserved is the version's UserError", async () => {
      emu = await startOdooEmulator({ version });
      const { pickingId } = await confirmedOrder(emu, [[await productId(emu, 'FURN_0098'), 1]]);
      await kw(emu, 'stock.picking', 'do_unreserve', [[pickingId]]);
      expect(await kw(emu, 'stock.picking', 'read', [[pickingId]], { fields: ['state'] })).toEqual([{ id: pickingId, state: 'confirmed' }]);
      const refused = await kwError(emu, 'stock.picking', 'button_validate', [[pickingId]], { context: { skip_backorder: true } });
      expect(refused.name).toBe('odoo.exceptions.UserError');
      expect(refused.message).toBe(NO_QUANTITIES[version]);
      expect(await kw(emu, 'stock.picking', 'read', [[pickingId]], { fields: ['state'] })).toEqual([{ id: pickingId, state: 'confirmed' }]);
    });

    it('asks for a backorder when goods are missing, and makes one when told to', async () => {
      emu = await startOdooEmulator({ version });
      const desk = await productId(emu, 'FURN_0098');
      const [available] = await onHand(emu, [desk]);
      const { orderId, pickingId } = await confirmedOrder(emu, [[desk, available + 5]]);
      const [move] = await kw<Row[]>(emu, 'stock.move', 'search_read', [[['picking_id', '=', pickingId]]], { fields: ['quantity', 'state'] });
      expect(move).toMatchObject({ quantity: available, state: 'partially_available' });
      const action = await kw<{ res_model: string; context: Record<string, unknown> }>(emu, 'stock.picking', 'button_validate', [[pickingId]]);
      expect(action).toMatchObject({ res_model: 'stock.backorder.confirmation', target: 'new', context: { button_validate_picking_ids: [pickingId], default_show_transfers: false, default_pick_ids: [[4, pickingId]] } });
      expect(await kw(emu, 'stock.picking', 'read', [[pickingId]], { fields: ['state'] })).toEqual([{ id: pickingId, state: 'assigned' }]);
      const wizard = await kw<number>(emu, 'stock.backorder.confirmation', 'create', [{}], { context: action.context });
      expect(await kw(emu, 'stock.backorder.confirmation', 'process', [[wizard]], { context: action.context })).toBe(true);
      const backorders = await kw<Row[]>(emu, 'stock.picking', 'search_read', [[['backorder_id', '=', pickingId]]], { fields: ['state', 'move_ids'] });
      expect(backorders).toHaveLength(1);
      const [rest] = await kw<Row[]>(emu, 'stock.move', 'read', [backorders[0].move_ids], { fields: ['product_uom_qty', 'quantity'] });
      expect(rest).toMatchObject({ product_uom_qty: 5, quantity: 0 });
      expect(backorders[0].state).toBe('confirmed');
      expect(await kw(emu, 'sale.order.line', 'search_read', [[['order_id', '=', orderId]]], { fields: ['qty_delivered'] })).toEqual([{ id: expect.any(Number), qty_delivered: available }]);
      expect(await kw(emu, 'sale.order', 'read', [[orderId]], { fields: ['delivery_status'] })).toEqual([{ id: orderId, delivery_status: 'partial' }]);
    });

    it('packAndValidateDelivery does the merchant steps through the API (with and without a carrier)', async () => {
      emu = await startOdooEmulator({ version });
      const odoo = emu;
      const call: CallOdoo = (model, method, args, kwargs) => odoo.call(model, method, args, kwargs);
      const desk = await productId(emu, 'FURN_0098');
      const cabinet = await productId(emu, 'E-COM07');
      for (const carrier of [false, 1] as const) {
        const { orderId, pickingId } = await confirmedOrder(emu, [[desk, 1], [cabinet, 2]]);
        if (carrier) await kw(emu, 'stock.picking', 'write', [[pickingId], { carrier_id: carrier }]);
        const [deskMove] = await kw<number[]>(emu, 'stock.move', 'search', [[['picking_id', '=', pickingId], ['product_id', '=', desk]]]);
        const result = await packAndValidateDelivery(call, {
          version, pickingId,
          packages: [{ packageTypeId: 2, shippingWeight: 3.2, lines: [deskMove] }, { packageTypeId: 1, shippingWeight: 80 }],
        });
        expect(result).toEqual({ packageModel: PACKAGE_MODEL[version], packageIds: [expect.any(Number), expect.any(Number)], state: 'done', backorderIds: [] });
        const packages = await kw<Row[]>(emu, result.packageModel, 'read', [result.packageIds], { fields: ['package_type_id', 'shipping_weight', 'quant_ids'] });
        expect(packages.map((p) => [p.package_type_id, p.shipping_weight, (p.quant_ids as number[]).length])).toEqual([[[2, 'Box'], 3.2, 1], [[1, 'Pallet'], 80, 1]]);
        const orderLines = await kw<Row[]>(emu, 'sale.order.line', 'search_read', [[['order_id', '=', orderId]]], { fields: ['qty_delivered'] });
        expect(orderLines.map((l) => l.qty_delivered)).toEqual([1, 2]);
      }
    });
  });
}

describe('put in pack on 19 over JSON-2', () => {
  it('takes the package type keyword-only and names the package by the type\'s sequence', async () => {
    emu = await startOdooEmulator({ version: 19 });
    const { pickingId } = await confirmedOrder(emu, [[await productId(emu, 'FURN_0098'), 1]]);
    const positional = await kwError(emu, 'stock.picking', 'action_put_in_pack', [[pickingId], 1]);
    expect(positional.message).toBe('StockPicking.action_put_in_pack() takes 1 positional argument but 2 were given');
    const res = await json2(emu, 'stock.picking', 'action_put_in_pack', { ids: [pickingId], package_type_id: 1 });
    expect(res.status).toBe(200);
    const [id] = res.body as number[];
    expect(await kw(emu, 'stock.package', 'read', [[id]], { fields: ['name', 'package_type_id', 'picking_ids', 'outermost_package_id'] }))
      .toEqual([{ id, name: 'PAL0000001', package_type_id: [1, 'Pallet'], picking_ids: [pickingId], outermost_package_id: [id, 'PAL0000001'] }]);
  });
});
