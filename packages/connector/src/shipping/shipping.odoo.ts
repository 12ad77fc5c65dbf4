import type { OdooClient } from '../odoo/odoo.client.ts';
import type { OdooRecord } from '../odoo/odoo.types.ts';
import { m2oId, m2oName } from '../orders/orders.odoo-data.ts';
import { toCentimetres, toKilograms } from './shipping.units.ts';

/** A delivery order (`stock.picking`) as shipping reads it. */
export interface DeliveryPicking {
  id: number;
  name: string;
  state: string;
  /** `outgoing` for deliveries. */
  typeCode: string | null;
  companyId: number | null;
  saleOrderId: number | null;
  saleOrderName: string | null;
  /** The sale order's `x_poleepo_order_id`: set only on orders imported from Poleepo. */
  poleepoOrderId: string | null;
  partnerName: string | null;
  dateDone: string | null;
  shipmentId: string | null;
  courier: string | null;
  status: string | null;
  trackingRef: string | null;
  /** What the Odoo buttons recorded (`x_poleepo_requested`). */
  requested: string | null;
  writeDate: string | null;
}

/** A package of a done delivery, with its weight in kilograms. */
export interface DeliveryPackage {
  id: number;
  name: string;
  packageTypeId: number | null;
  packageTypeName: string | null;
  /** The shipping weight the packer entered, else the computed weight; null when Odoo knows neither. */
  weightKg: number | null;
}

/** An Odoo package type (`stock.package.type`), converted to centimetres and kilograms. */
export interface OdooPackageType {
  id: number;
  name: string;
  maxWeightKg: number | null;
  lengthCm: number | null;
  widthCm: number | null;
  heightCm: number | null;
  /** Odoo's own units, shown beside the converted values. */
  lengthUnit: string;
  weightUnit: string;
}

const PICKING_FIELDS = [
  'name', 'state', 'picking_type_code', 'company_id', 'sale_id', 'partner_id', 'date_done', 'carrier_tracking_ref',
  'x_poleepo_shipment_id', 'x_poleepo_courier', 'x_poleepo_status', 'x_poleepo_requested', 'write_date',
];

/**
 * Everything shipping reads and writes in Odoo, by the external API only: deliveries, their packages (17/18
 * `stock.quant.package`, 19 `stock.package`, found through the move lines' `result_package_id`), package types,
 * the label as an attachment on the picking and as a note with the label in the sale order's chatter.
 * Each write that Odoo does not make idempotent is looked up first, so a retry after a lost reply finds it.
 */
export class ShippingOdoo {
  constructor(private readonly client: OdooClient, private readonly companyId: number | null) {}

  /** By id (a number, or digits) or by name (`WH/OUT/00015`); null when there is no such delivery in this company. */
  async findPicking(ref: string | number, signal?: AbortSignal): Promise<DeliveryPicking | null> {
    const text = String(ref).trim();
    const domain: unknown[] = /^\d+$/.test(text) ? [['id', '=', Number(text)]] : [['name', '=', text]];
    if (this.companyId) domain.push(['company_id', '=', this.companyId]);
    const rows = await this.client.searchRead('stock.picking', domain, { fields: PICKING_FIELDS, limit: 1, signal });
    if (!rows[0]) return null;
    return (await this.withOrders(rows, signal))[0] ?? null;
  }

  /** Deliveries of these sale orders (the Shipping page's list), newest first. */
  async pickingsOfOrders(saleOrderIds: readonly number[], signal?: AbortSignal): Promise<DeliveryPicking[]> {
    if (saleOrderIds.length === 0) return [];
    const rows = await this.client.searchRead('stock.picking', [['sale_id', 'in', [...saleOrderIds]]], { fields: PICKING_FIELDS, order: 'id desc', signal });
    return (await this.withOrders(rows, signal)).filter((p) => p.typeCode === 'outgoing');
  }

  /**
   * Deliveries whose buttons were pressed, page by page on the `(write_date, id)` cursor from `since` (inclusive:
   * 19 rewrites `write_date > S` into `>= S + 1 s`, and 17/18 compare microseconds, so `>` loses a press made in the
   * same second as the last read; re-reading a press is harmless, the shipment says whether it was acted on).
   */
  async *pickingsRequestedSince(since: string | null, signal?: AbortSignal): AsyncGenerator<DeliveryPicking[]> {
    const domain: unknown[] = [['x_poleepo_requested', '!=', false]];
    if (this.companyId) domain.push(['company_id', '=', this.companyId]);
    for await (const page of this.client.searchReadAll('stock.picking', domain, { fields: PICKING_FIELDS, since: since ?? undefined, pageSize: 500, signal })) {
      if (page.records.length) yield await this.withOrders(page.records, signal);
    }
  }

  private async withOrders(rows: OdooRecord[], signal?: AbortSignal): Promise<DeliveryPicking[]> {
    const orderIds = [...new Set(rows.map((r) => m2oId(r.sale_id)).filter((id): id is number => id !== null))];
    const orders = new Map((await this.client.read('sale.order', orderIds, ['name', 'x_poleepo_order_id'], { signal })).map((o) => [o.id, o]));
    return rows.map((r) => {
      const saleOrderId = m2oId(r.sale_id);
      const order = saleOrderId === null ? undefined : orders.get(saleOrderId);
      return {
        id: r.id, name: String(r.name), state: String(r.state), typeCode: text(r.picking_type_code), companyId: m2oId(r.company_id),
        saleOrderId, saleOrderName: order ? String(order.name) : m2oName(r.sale_id), poleepoOrderId: text(order?.x_poleepo_order_id),
        partnerName: m2oName(r.partner_id), dateDone: text(r.date_done), shipmentId: text(r.x_poleepo_shipment_id),
        courier: text(r.x_poleepo_courier), status: text(r.x_poleepo_status), trackingRef: text(r.carrier_tracking_ref),
        requested: text(r.x_poleepo_requested), writeDate: text(r.write_date),
      };
    });
  }

  /** The packages the delivery's move lines were packed into, in the order they were made. */
  async packages(pickingId: number, signal?: AbortSignal): Promise<DeliveryPackage[]> {
    const lines = await this.client.searchRead('stock.move.line', [['picking_id', '=', pickingId]], { fields: ['result_package_id'], signal });
    const ids = [...new Set(lines.map((l) => m2oId(l.result_package_id)).filter((id): id is number => id !== null))].sort((a, b) => a - b);
    if (ids.length === 0) return [];
    const { packageModel } = await this.client.capabilities();
    const rows = await this.client.read(packageModel, ids, ['name', 'package_type_id', 'shipping_weight', 'weight', 'weight_uom_name'], { signal });
    return rows.map((p) => {
      const shipping = Number(p.shipping_weight) || 0;
      const computed = Number(p.weight) || 0;
      const raw = shipping > 0 ? shipping : computed > 0 ? computed : null;
      return {
        id: p.id, name: String(p.name), packageTypeId: m2oId(p.package_type_id), packageTypeName: m2oName(p.package_type_id),
        weightKg: raw === null ? null : toKilograms(raw, text(p.weight_uom_name)),
      };
    });
  }

  /** Odoo's package types (all of them, or these ids), in Poleepo's units. */
  async packageTypes(ids?: readonly number[], signal?: AbortSignal): Promise<OdooPackageType[]> {
    const fields = ['name', 'max_weight', 'packaging_length', 'width', 'height', 'length_uom_name', 'weight_uom_name'];
    const rows = ids ? await this.client.read('stock.package.type', ids, fields, { signal }) : await this.client.searchRead('stock.package.type', [], { fields, order: 'name asc, id asc', signal });
    return rows.map((t) => {
      const lengthUnit = text(t.length_uom_name) ?? 'mm';
      const weightUnit = text(t.weight_uom_name) ?? 'kg';
      const dim = (v: unknown) => (Number(v) > 0 ? toCentimetres(Number(v), lengthUnit) : null);
      return {
        id: t.id, name: String(t.name), maxWeightKg: Number(t.max_weight) > 0 ? toKilograms(Number(t.max_weight), weightUnit) : null,
        lengthCm: dim(t.packaging_length), widthCm: dim(t.width), heightCm: dim(t.height), lengthUnit, weightUnit,
      };
    });
  }

  async writePicking(pickingId: number, values: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
    await this.client.write('stock.picking', [pickingId], values, { signal });
  }

  /** The label as an attachment of the record; the one already there (same name) is kept. */
  async attach(model: string, resId: number, fileName: string, pdf: Buffer, signal?: AbortSignal): Promise<number> {
    const found = await this.client.createIdempotent('ir.attachment', {
      name: fileName, type: 'binary', datas: pdf.toString('base64'), res_model: model, res_id: resId, mimetype: 'application/pdf',
    }, [['res_model', '=', model], ['res_id', '=', resId], ['name', '=', fileName]], { signal });
    return found.id;
  }

  /** The chatter message carrying `marker` on this record, if one was posted (reconciles a post whose reply was lost). */
  async findMessage(model: string, resId: number, marker: string, signal?: AbortSignal): Promise<number | null> {
    const ids = await this.client.search('mail.message', [['model', '=', model], ['res_id', '=', resId], ['body', 'ilike', marker]], { limit: 1, order: 'id asc', signal });
    return ids[0] ?? null;
  }

  /**
   * A note in the record's chatter (internal: the customer gets no e-mail), with attachments. `marker` is text of
   * the body that identifies it: when it is already in the chatter the note is not posted again.
   */
  async postNote(model: string, resId: number, html: string, marker: string, attachmentIds: number[] = [], signal?: AbortSignal): Promise<number> {
    const existing = await this.findMessage(model, resId, marker, signal);
    if (existing !== null) return existing;
    const result = await this.client.call<number | number[]>(model, 'message_post', [[resId]], {
      body: html, body_is_html: true, message_type: 'comment', subtype_xmlid: 'mail.mt_note', ...(attachmentIds.length ? { attachment_ids: attachmentIds } : {}),
    }, { signal, retry: false });
    // 17/18 answer the message id; 19's JSON-2 answers a list of ids.
    const id = Array.isArray(result) ? result[0] : result;
    return typeof id === 'number' ? id : 0;
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Text for an HTML body: the few characters HTML gives a meaning to. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
