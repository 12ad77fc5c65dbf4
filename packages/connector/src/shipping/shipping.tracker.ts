import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { PermanentError, ValidationError } from '../shared/errors.ts';
import type { OrderConnection } from '../orders/orders.connections.ts';
import { PoleepoValidationError } from '../poleepo/poleepo.errors.ts';
import type { PoleepoShipping } from '../poleepo/poleepo.types.ts';
import { escapeHtml, ShippingOdoo } from './shipping.odoo.ts';
import { hasLeft, isFinalStatus, isShippingStatus, pickingStatusText, shippingStatusRank, shouldApplyStatus, STATUS_ITALIAN } from './shipping.status.ts';
import type { ShipmentsRepo } from './shipments.repo.ts';
import type { ShipmentRow, ShipmentStep } from './shipping.tables.ts';

export interface ShipmentTrackerDeps {
  repo: ShipmentsRepo;
  clock: Clock;
  logger: Logger;
  connection(connectionId: number): Promise<OrderConnection>;
  /** The parcel left (handed over or later): the order's own status on Poleepo moved too, so it is read again. */
  onLeft(shipment: ShipmentRow): Promise<void>;
}

export interface TrackOutcome {
  status: string | null;
  previous: string | null;
  changed: boolean;
  trackingCode: string | null;
}

/** The step a shipment is at once its label is in Odoo, for a Poleepo status. */
export function stepForStatus(status: string | null): ShipmentStep {
  if (isFinalStatus(status)) return 'done';
  return hasLeft(status) ? 'shipped' : 'ready';
}

/**
 * Tracking back (DESIGN §4.7): Poleepo's shipping is re-read (a webhook only says "look"), and what changed lands on
 * the picking (`x_poleepo_status`, `carrier_tracking_ref`, `x_poleepo_courier`), so it shows in the order's Poleepo
 * tab, with a note in the sale order's chatter. A status of lower rank than the one applied is ignored, so duplicated
 * and reordered events never move a parcel backwards. Also the hand-over ("Consegnato al corriere").
 */
export class ShipmentTracker {
  constructor(private readonly deps: ShipmentTrackerDeps) {}

  /** The `shipping.sync` task: one shipment, from Poleepo's current state. */
  async sync(shipmentId: number, signal: AbortSignal): Promise<TrackOutcome> {
    const s = await this.shipment(shipmentId);
    if (s.poleepo_shipping_id === null) return { status: s.poleepo_status, previous: s.poleepo_status, changed: false, trackingCode: s.tracking_code };
    const conn = await this.deps.connection(s.connection_id);
    const shipping = await conn.poleepo.getShipping(s.poleepo_shipping_id, { signal });
    return this.apply(conn, s, shipping, signal);
  }

  /** The `shipping.handover` task: tells Poleepo the courier has the parcel, then follows the new status. */
  async handOver(shipmentId: number, signal: AbortSignal): Promise<TrackOutcome> {
    const s = await this.shipment(shipmentId);
    if (s.poleepo_shipping_id === null || s.step === 'creating' || s.step === 'refused') {
      throw new PermanentError(`${s.picking_name} has no Poleepo shipping to hand over`);
    }
    const conn = await this.deps.connection(s.connection_id);
    let shipping: PoleepoShipping;
    if (hasLeft(s.poleepo_status)) {
      shipping = await conn.poleepo.getShipping(s.poleepo_shipping_id, { signal });
    } else {
      try {
        shipping = await conn.poleepo.markHandedToCarrier(s.poleepo_shipping_id, { signal });
      } catch (error) {
        if (!(error instanceof PoleepoValidationError)) throw error;
        // A repeated hand-over (its first reply lost) is refused as a transition Poleepo already made: look.
        shipping = await conn.poleepo.getShipping(s.poleepo_shipping_id, { signal });
        if (!hasLeft(shipping.status)) throw new PermanentError(`Poleepo refused the hand-over of ${s.picking_name}: ${error.message}`, { cause: error });
      }
    }
    return this.apply(conn, s, shipping, signal);
  }

  /** Applies a shipping as Poleepo shows it; the same call twice changes nothing the second time. */
  async apply(conn: OrderConnection, s: ShipmentRow, shipping: PoleepoShipping, signal: AbortSignal): Promise<TrackOutcome> {
    const next = typeof shipping.status === 'string' ? shipping.status : null;
    const statusChanged = next !== null && shouldApplyStatus({ status: s.poleepo_status, rank: s.status_rank }, next);
    const tracking = shipping.tracking_code || s.tracking_code;
    const trackingChanged = tracking !== s.tracking_code;
    const carrier = shipping.carrier || s.carrier;
    const status = statusChanged ? next : s.poleepo_status;
    const labelled = s.step !== 'creating' && s.step !== 'labelling' && s.step !== 'refused';
    const pendingNote = s.note_pending;
    if (!statusChanged && !trackingChanged && pendingNote === null && s.odoo_status === status) {
      return { status, previous: s.poleepo_status, changed: false, trackingCode: tracking };
    }
    const odoo = new ShippingOdoo(conn.odoo, conn.view.odoo.companyId);
    await this.writePicking(odoo, s, { status, trackingCode: tracking, carrier }, signal);
    const announce = statusChanged && labelled ? next : pendingNote;
    if (announce) {
      // The note's intent first: after a crash the marker finds the note in the chatter instead of posting it again.
      await this.deps.repo.update(s.id, { note_pending: announce, updated_at: this.deps.clock.now() });
      await odoo.postNote('sale.order', s.sale_order_id, statusNote(s, announce, tracking), statusMarker(s.poleepo_shipping_id!, announce), [], signal);
    }
    const now = this.deps.clock.now();
    const left = hasLeft(status) && !hasLeft(s.poleepo_status);
    await this.deps.repo.update(s.id, {
      poleepo_status: status, status_rank: Math.max(s.status_rank, shippingStatusRank(status)), tracking_code: tracking, carrier,
      odoo_status: status, note_pending: null, updated_at: now,
      ...(labelled ? { step: stepForStatus(status) } : {}),
      ...(left ? { shipped_at: now } : {}),
      ...(status === 'DELIVERED' && s.delivered_at === null ? { delivered_at: now } : {}),
    });
    if (statusChanged) this.deps.logger.info({ shipmentId: s.id, picking: s.picking_name, from: s.poleepo_status, to: status, tracking }, 'shipment status');
    if (left) await this.deps.onLeft(s);
    return { status, previous: s.poleepo_status, changed: statusChanged || trackingChanged, trackingCode: tracking };
  }

  /** The picking's Poleepo fields (and the tracking reference Odoo shows on deliveries); an idempotent write. */
  async writePicking(odoo: ShippingOdoo, s: ShipmentRow, v: { status: string | null; trackingCode: string | null; carrier: string | null }, signal: AbortSignal): Promise<void> {
    const values: Record<string, unknown> = { x_poleepo_shipment_id: String(s.poleepo_shipping_id) };
    if (v.carrier) values.x_poleepo_courier = v.carrier;
    if (v.status) values.x_poleepo_status = pickingStatusText(v.status);
    if (v.trackingCode) values.carrier_tracking_ref = v.trackingCode;
    await odoo.writePicking(s.picking_id, values, signal);
  }

  private async shipment(id: number): Promise<ShipmentRow> {
    const s = await this.deps.repo.get(id);
    if (!s) throw new ValidationError(`Shipment ${id} does not exist`);
    return s;
  }
}

/** Plain text at the start of a status note: how the chatter is searched for it. */
export function statusMarker(shippingId: number, status: string): string {
  return `Spedizione Poleepo ${shippingId}: ${status}`;
}

function statusNote(s: ShipmentRow, status: string, tracking: string | null): string {
  const words = isShippingStatus(status) ? ` (${STATUS_ITALIAN[status]})` : '';
  return `<p>${statusMarker(s.poleepo_shipping_id!, status)}${words} — ${escapeHtml(s.picking_name)}${tracking ? `, tracking ${escapeHtml(tracking)}` : ''}${s.carrier ? `, ${escapeHtml(s.carrier)}` : ''}.</p>`;
}
