import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { PermanentError, RetryableError } from '../shared/errors.ts';
import type { OrderConnection } from '../orders/orders.connections.ts';
import { PoleepoNotFoundError, PoleepoValidationError } from '../poleepo/poleepo.errors.ts';
import type { PoleepoShipping } from '../poleepo/poleepo.types.ts';
import { cashOnDeliveryAmount } from './shipping.cod.ts';
import { escapeHtml, ShippingOdoo } from './shipping.odoo.ts';
import { parseShipRequest, shippingNotes } from './shipping.request.ts';
import { shippingStatusRank } from './shipping.status.ts';
import { stepForStatus, type ShipmentTracker } from './shipping.tracker.ts';
import type { ShipmentPatch, ShipmentsRepo } from './shipments.repo.ts';
import type { ShipmentRow } from './shipping.tables.ts';

export interface ShipmentRunnerDeps {
  repo: ShipmentsRepo;
  tracker: ShipmentTracker;
  clock: Clock;
  logger: Logger;
  connection(connectionId: number): Promise<OrderConnection>;
}

export interface ShipOutcome {
  step: ShipmentRow['step'];
  shippingId: number | null;
  trackingCode: string | null;
  /** The shipping found on Poleepo after a lost reply instead of being created again. */
  recovered?: boolean;
  error?: string;
}

/**
 * The `shipping.ship` task: from the recorded intent to the label in Odoo, one step at a time, each recorded before
 * its side effect (the batch outbox's discipline):
 * 1. `creating`: `create_sent_at` is written, then POST /shippings. A refusal (422: courier, data) ends in `refused`
 *    with Poleepo's words, nothing created. No answer (timeout, 5xx, dropped connection): the task retries, and a run
 *    that finds `create_sent_at` set first looks for the shipping on Poleepo (`GET /shippings?order=`, recognised by
 *    the delivery's name in its notes) and adopts it: never a second shipping.
 * 2. `labelling`: the picking gets `x_poleepo_shipment_id`, courier, status and tracking; the label PDF is fetched,
 *    attached to the picking and to the sale order (an attachment with the same name is found, not duplicated), and
 *    posted in the sale order's chatter (a note carrying the shipment's marker is found, not posted twice).
 * 3. `ready`: waiting for "Consegnato al corriere".
 */
export class ShipmentRunner {
  constructor(private readonly deps: ShipmentRunnerDeps) {}

  async run(shipmentId: number, signal: AbortSignal): Promise<ShipOutcome> {
    let s = await this.deps.repo.get(shipmentId);
    if (!s) throw new PermanentError(`Shipment ${shipmentId} no longer exists`);
    const conn = await this.deps.connection(s.connection_id);
    let recovered = false;
    if (s.step === 'creating') {
      const created = await this.create(conn, s, signal);
      s = created.shipment;
      recovered = created.recovered;
    }
    if (s.step === 'labelling') s = await this.label(conn, s, signal);
    return { step: s.step, shippingId: s.poleepo_shipping_id, trackingCode: s.tracking_code, ...(recovered ? { recovered } : {}), ...(s.error && s.step === 'refused' ? { error: s.error } : {}) };
  }

  private async create(conn: OrderConnection, s: ShipmentRow, signal: AbortSignal): Promise<{ shipment: ShipmentRow; recovered: boolean }> {
    const request = parseShipRequest(s.request);
    const notes = shippingNotes(s.picking_name, s.id);
    if (s.create_sent_at !== null) {
      const found = await this.findCreated(conn, s, notes, signal);
      if (found) {
        this.deps.logger.warn({ shipmentId: s.id, shippingId: found.id, picking: s.picking_name }, 'shipping found on Poleepo after a lost reply: adopted, not created again');
        return { shipment: await this.adopt(s, found), recovered: true };
      }
    }
    const order = await conn.poleepo.getOrder(s.poleepo_order_id, { signal });
    const cod = cashOnDeliveryAmount(order);
    // The intent, written before the call: from here on a retry looks on Poleepo before creating.
    await this.deps.repo.update(s.id, { create_sent_at: this.deps.clock.now(), cod_amount: cod, updated_at: this.deps.clock.now() });
    let shipping: PoleepoShipping;
    try {
      shipping = await conn.poleepo.createShipping({
        order_id: Number(s.poleepo_order_id),
        carrier_id: request.carrierId,
        ...(request.service ? { service: request.service } : {}),
        package_type_id: request.parcels[0]!.package_type_id,
        pickup_address_id: request.pickupAddressId,
        parcels: request.parcels.map((p) => ({ weight: p.weight, width: p.width, height: p.height, depth: p.depth, package_type_id: p.package_type_id })),
        ...(cod > 0 ? { cod_amount: cod } : {}),
        notes,
      }, { signal });
    } catch (error) {
      if (error instanceof PoleepoValidationError) {
        // Answered, so nothing was created: the operator may ship again with other choices.
        const fields = error.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
        const reason = `Poleepo refused the shipping: ${error.message}${fields ? ` (${fields})` : ''}`;
        await this.deps.repo.update(s.id, { step: 'refused', error: reason.slice(0, 2000), create_sent_at: null, updated_at: this.deps.clock.now() });
        this.deps.logger.warn({ shipmentId: s.id, picking: s.picking_name, reason }, 'shipping refused by Poleepo');
        return { shipment: (await this.deps.repo.get(s.id))!, recovered: false };
      }
      throw error;
    }
    return { shipment: await this.adopt(s, shipping), recovered: false };
  }

  /** A shipping of the order that no other shipment knows and that names this delivery in its notes. */
  private async findCreated(conn: OrderConnection, s: ShipmentRow, notes: string, signal: AbortSignal): Promise<PoleepoShipping | null> {
    const known = await this.deps.repo.knownShippingIds(s.connection_id, s.poleepo_order_id);
    const candidates: PoleepoShipping[] = [];
    for await (const shipping of conn.poleepo.listShippings({ orderId: s.poleepo_order_id }, { signal })) {
      if (!known.has(shipping.id) && shipping.status !== 'CANCELED') candidates.push(shipping);
    }
    const named = candidates.find((c) => typeof c.notes === 'string' && c.notes === notes);
    if (named) return named;
    // Poleepo may not echo the notes (assumed field): one unknown shipping of this order is ours; several are a
    // person's to sort out (a shipping made in Poleepo by hand), never a reason to create one more.
    const unnamed = candidates.filter((c) => c.notes === undefined || c.notes === null);
    if (unnamed.length === 1) return unnamed[0]!;
    if (unnamed.length > 1) {
      throw new PermanentError(`Order ${s.poleepo_order_id} has ${unnamed.length} shippings on Poleepo that the connector cannot tell apart (${unnamed.map((c) => c.id).join(', ')}); the reply to the create was lost. Check them on Poleepo, cancel the extra one, and retry.`);
    }
    return null;
  }

  private async adopt(s: ShipmentRow, shipping: PoleepoShipping): Promise<ShipmentRow> {
    const now = this.deps.clock.now();
    await this.deps.repo.update(s.id, {
      step: 'labelling', poleepo_shipping_id: shipping.id, carrier: shipping.carrier ?? null, service: shipping.service ?? null,
      poleepo_status: shipping.status ?? null, status_rank: shippingStatusRank(shipping.status), tracking_code: shipping.tracking_code ?? null,
      error: null, updated_at: now,
    });
    return (await this.deps.repo.get(s.id))!;
  }

  private async label(conn: OrderConnection, s: ShipmentRow, signal: AbortSignal): Promise<ShipmentRow> {
    const odoo = new ShippingOdoo(conn.odoo, conn.view.odoo.companyId);
    const shippingId = s.poleepo_shipping_id!;
    // The picking first: "Consegnato al corriere" appears in Odoo once x_poleepo_shipment_id is set.
    await this.deps.tracker.writePicking(odoo, s, { status: s.poleepo_status, trackingCode: s.tracking_code, carrier: s.carrier }, signal);
    let label;
    try {
      label = await conn.poleepo.getShippingLabel(shippingId, { signal });
    } catch (error) {
      // The label is made with the shipping; 404 means "not yet" (assumed): try again later.
      if (error instanceof PoleepoNotFoundError) throw new LabelNotReadyError(shippingId, error);
      throw error;
    }
    const fileName = labelFileName(label.file_name, s);
    if (s.picking_attachment_id === null) {
      await this.save(s.id, { label_file_name: fileName, picking_attachment_id: await odoo.attach('stock.picking', s.picking_id, fileName, label.pdf, signal) });
    }
    const orderAttachment = s.order_attachment_id ?? await odoo.attach('sale.order', s.sale_order_id, fileName, label.pdf, signal);
    if (s.order_attachment_id === null) await this.save(s.id, { order_attachment_id: orderAttachment });
    if (s.order_message_id === null) {
      const marker = labelMarker(shippingId);
      const carrier = s.carrier ?? 'il corriere';
      const html = `<p>${marker} ${escapeHtml(fileName)} (${escapeHtml(carrier)}${s.tracking_code ? `, tracking ${escapeHtml(s.tracking_code)}` : ''}) per la consegna ${escapeHtml(s.picking_name)}.</p>`;
      const messageId = await odoo.postNote('sale.order', s.sale_order_id, html, marker, [orderAttachment], signal);
      await this.save(s.id, { order_message_id: messageId });
    }
    // A status that moved while the label was being attached (a fast hand-over) decides where the shipment now is.
    const current = (await this.deps.repo.get(s.id))!;
    await this.save(s.id, { step: stepForStatus(current.poleepo_status), error: null });
    this.deps.logger.info({ shipmentId: s.id, shippingId, picking: s.picking_name, tracking: s.tracking_code }, 'shipment ready: label in Odoo');
    return (await this.deps.repo.get(s.id))!;
  }

  private async save(id: number, patch: ShipmentPatch): Promise<void> {
    await this.deps.repo.update(id, { ...patch, updated_at: this.deps.clock.now() });
  }
}

/** The label's chatter note starts with this (plain text, so the chatter can be searched for it). */
export function labelMarker(shippingId: number): string {
  return `Etichetta Poleepo ${shippingId}:`;
}

/** Retried by the task runner: the label comes a little after the shipping. */
export class LabelNotReadyError extends RetryableError {
  constructor(shippingId: number, cause: unknown) {
    super(`Poleepo has no label for shipping ${shippingId} yet`, { cause, code: 'label_not_ready' });
  }
}

/** Poleepo's file name when it is a plain PDF name; otherwise one made from the tracking code. */
function labelFileName(given: string | undefined, s: ShipmentRow): string {
  if (given && /^[\w.\- ]{1,120}\.pdf$/i.test(given)) return given;
  return `etichetta_${(s.tracking_code ?? String(s.poleepo_shipping_id)).replace(/[^\w-]/g, '_')}.pdf`;
}
