import { FieldCheck, SandboxApiError, notFound } from './poleepo-sandbox.errors.ts';
import type { SandboxOrders, OrderRec } from './poleepo-sandbox.orders.ts';
import type { SandboxAddress } from './poleepo-sandbox.people.ts';
import { buildLabelPdf } from './poleepo-sandbox.pdf.ts';
import { PRICE_CURRENCY, servicePrice, type ServiceTariff } from './poleepo-sandbox.rates.ts';
import { isPlainObject, round2 } from './poleepo-sandbox.util.ts';

export const SHIPPING_STATUSES = ['CREATED', 'LABEL_READY', 'HANDED_TO_CARRIER', 'IN_TRANSIT', 'DELIVERED', 'EXCEPTION', 'CANCELED'] as const;
export type ShippingStatus = (typeof SHIPPING_STATUSES)[number];

export interface CarrierServiceRec {
  code: string;
  name: string;
  /** What the service costs (docs/poleepo-api.md §4.8, assumed); the wire shows the resulting `price`. */
  tariff: ServiceTariff;
}

export interface CarrierRec {
  id: number;
  code: string;
  name: string;
  services: CarrierServiceRec[];
}

/** A carrier that refuses new shippings: for the next `remaining` attempts, or until accepted again (null). */
export interface CarrierRefusal {
  remaining: number | null;
  message: string;
}

export interface PackageTypeRec {
  id: number;
  name: string;
  weight: number;
  width: number;
  height: number;
  depth: number;
}

export interface PickupAddressRec {
  id: number;
  name: string;
  company: string;
  address: string;
  postcode: string;
  city: string;
  state_iso: string;
  country_iso: string;
  phone: string;
  is_default: boolean;
}

export interface ParcelRec {
  /** Each parcel has its own package type (several types in one shipping); the shipping's is the default. */
  package_type_id: number;
  weight: number;
  width?: number;
  height?: number;
  depth?: number;
}

export interface ShippingRec {
  id: number;
  order_id: number;
  carrier_id: number;
  service: string;
  status: ShippingStatus;
  tracking_code: string;
  parcel_id: string;
  reference: string;
  package_type_id: number;
  pickup_address_id: number;
  parcels: ParcelRec[];
  cod_amount: number;
  /** What the carrier charges for it (EUR, VAT excluded; assumed, §4.8): the service's price for the total weight. */
  price: number;
  currency: string;
  notes: string | null;
  delivery_address: SandboxAddress;
  created_at: number;
  updated_at: number;
  label: Buffer;
}

/** `deliver: false`: the event is recorded (it can be replayed later) but not sent now: a lost or late webhook. */
export type ShippingChange = { shipping: ShippingRec; previous: ShippingStatus | null; deliver: boolean };

const DIMENSIONS = ['width', 'height', 'depth'] as const;

/** Shippings with couriers, labels (real PDFs), tracking and status changes (docs/poleepo-api.md §4.7). */
export class SandboxShippings {
  readonly shippings = new Map<number, ShippingRec>();
  readonly carriers = new Map<number, CarrierRec>();
  readonly packageTypes = new Map<number, PackageTypeRec>();
  readonly pickupAddresses = new Map<number, PickupAddressRec>();
  /** By carrier id: refusals set through the control API (a courier that is down or over capacity). */
  readonly refusals = new Map<number, CarrierRefusal>();
  private nextId = 501;
  onStatus: (change: ShippingChange) => void = () => undefined;

  constructor(private readonly orders: SandboxOrders) {}

  shipping(id: number | string): ShippingRec {
    const s = this.shippings.get(Number(id));
    if (!s) throw notFound(`Shipping ${id}`);
    return s;
  }

  carrierOf(s: ShippingRec): CarrierRec {
    return this.carriers.get(s.carrier_id)!;
  }

  /** A carrier by id or code (`1`, `BRT`, `brt`), for the control API. */
  carrierByRef(ref: string): CarrierRec {
    const byId = /^\d+$/.test(ref) ? this.carriers.get(Number(ref)) : undefined;
    const carrier = byId ?? [...this.carriers.values()].find((c) => c.code.toUpperCase() === ref.trim().toUpperCase());
    if (!carrier) throw notFound(`Carrier ${ref}`);
    return carrier;
  }

  /** The carrier refuses the next `count` shippings (null: every one until `accept`). */
  refuse(carrier: CarrierRec, count: number | null, message: string | undefined): CarrierRefusal {
    const refusal = { remaining: count, message: message ?? `${carrier.name} is not accepting new shipments at the moment` };
    this.refusals.set(carrier.id, refusal);
    return refusal;
  }

  accept(carrier: CarrierRec): boolean {
    return this.refusals.delete(carrier.id);
  }

  /**
   * `POST /shippings`: validated, label generated at once (status LABEL_READY), tracking and parcel id assigned.
   * Checks in the order a real service would meet them: the request itself (VALIDATION_ERROR, every field at once),
   * then the order's cash on delivery (COD_MISMATCH), then the carrier (CARRIER_REFUSED); a refusal creates nothing.
   */
  create(body: unknown, now: number): ShippingRec {
    if (!isPlainObject(body)) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'The request body must be a JSON object');
    const c = new FieldCheck(body);
    const orderId = c.number('order_id', { required: true, integer: true });
    const carrierId = c.number('carrier_id', { required: true, integer: true });
    const pickupId = c.number('pickup_address_id', { required: true, integer: true });
    const cod = c.number('cod_amount', { min: 0 });
    const notes = c.optionalString('notes');
    const service = c.optionalString('service');
    let order: OrderRec | undefined;
    if (orderId !== undefined) {
      order = this.orders.orders.get(orderId);
      if (!order) c.add('order_id', `order ${orderId} does not exist`, 'NOT_FOUND');
      else if (order.status === 'CANCELED') c.add('order_id', `order ${orderId} is canceled`, 'ORDER_CANCELED');
    }
    const carrier = carrierId === undefined ? undefined : this.carriers.get(carrierId);
    if (carrierId !== undefined && !carrier) c.add('carrier_id', `carrier ${carrierId} is not available`, 'NOT_FOUND');
    if (carrier && service && !carrier.services.some((s) => s.code === service)) c.add('service', `service ${service} is not offered by ${carrier.code}`);
    if (pickupId !== undefined && !this.pickupAddresses.has(pickupId)) c.add('pickup_address_id', `pickup address ${pickupId} does not exist`, 'NOT_FOUND');
    const { packageTypeId, parcels } = this.checkParcels(body, c);
    c.throwIfAny('The shipping cannot be created');

    // Cash on delivery: the carrier collects exactly what the order says, and nothing on a prepaid order.
    const expectedCod = order!.cash_on_delivery;
    if (round2(cod ?? 0) !== round2(expectedCod)) {
      const message = expectedCod > 0
        ? `order ${order!.id} is cash on delivery: cod_amount must be ${expectedCod.toFixed(2)} (got ${(cod ?? 0).toFixed(2)})`
        : `order ${order!.id} is prepaid (${order!.payment_method}): cod_amount must be 0 or absent (got ${(cod ?? 0).toFixed(2)})`;
      throw new SandboxApiError(422, 'COD_MISMATCH', `The shipping cannot be created: ${message}`, [{ field: 'cod_amount', code: 'COD_MISMATCH', message }]);
    }
    const refusal = this.refusals.get(carrier!.id);
    if (refusal) {
      if (refusal.remaining !== null && --refusal.remaining <= 0) this.refusals.delete(carrier!.id);
      throw new SandboxApiError(422, 'CARRIER_REFUSED', refusal.message, [{ field: 'carrier_id', code: 'CARRIER_REFUSED', message: refusal.message }]);
    }

    const id = this.nextId++;
    const code = carrier!.code;
    const serviceRec = carrier!.services.find((x) => x.code === service) ?? carrier!.services[0];
    const weight = parcels.reduce((s, p) => s + p.weight, 0);
    const rec: ShippingRec = {
      id, order_id: order!.id, carrier_id: carrier!.id, service: serviceRec?.code ?? 'STANDARD',
      status: 'LABEL_READY', tracking_code: trackingCode(code, id), parcel_id: `${String(id).padStart(6, '0')}${String(order!.id).padStart(6, '0')}`,
      reference: String(order!.id), package_type_id: packageTypeId!, pickup_address_id: pickupId!, parcels,
      cod_amount: cod ?? 0, price: serviceRec ? servicePrice(serviceRec.tariff, order!.delivery_address.country_iso, weight) : 0, currency: PRICE_CURRENCY,
      notes: notes ?? null, delivery_address: { ...order!.delivery_address }, created_at: now, updated_at: now,
      label: Buffer.alloc(0),
    };
    const pickup = this.pickupAddresses.get(pickupId!)!;
    const d = rec.delivery_address;
    rec.label = buildLabelPdf({
      carrier: this.carrierName(rec), trackingCode: rec.tracking_code, parcelId: rec.parcel_id, orderId: order!.id, reference: order!.reference_id,
      recipient: [[d.name, d.surname].filter(Boolean).join(' '), d.company ?? '', d.address, `${d.postcode} ${d.city} (${d.state_iso}) ${d.country_iso}`].filter(Boolean),
      sender: [pickup.company, pickup.address, `${pickup.postcode} ${pickup.city} (${pickup.state_iso})`],
      parcels: parcels.length, weightKg: weight,
    });
    this.shippings.set(id, rec);
    order!.shipping_ids.push(id);
    order!.updated_at = now;
    this.orders.addDocument(order!.id, { type: 'WAYBILL', number: rec.tracking_code, date: new Date(now).toISOString().slice(0, 10), file_name: `waybill_${rec.tracking_code}.pdf`, content: rec.label }, now);
    return rec;
  }

  /**
   * The parcels, each with its package type: its own `package_type_id`, else the shipping's. The shipping's type is
   * required unless the first parcel names one (then it is that one). A parcel's weight may not exceed its own
   * type's maximum; missing dimensions are its type's. Problems are named `parcels[i].<field>`.
   */
  private checkParcels(body: Record<string, unknown>, c: FieldCheck): { packageTypeId: number | undefined; parcels: ParcelRec[] } {
    const list = body.parcels;
    const given = c.number('package_type_id', { integer: true });
    const first = Array.isArray(list) && isPlainObject(list[0]) ? list[0].package_type_id : undefined;
    let packageTypeId = given;
    if (body.package_type_id === undefined || body.package_type_id === null) {
      if (first === undefined || first === null) c.add('package_type_id', 'package_type_id is required (on the shipping or on its first parcel)', 'REQUIRED');
      else if (Number.isInteger(first)) packageTypeId = first as number; // its existence is checked as parcels[0]'s
    } else if (given !== undefined && !this.packageTypes.has(given)) {
      c.add('package_type_id', `package type ${given} does not exist`, 'NOT_FOUND');
    }
    const fallback = packageTypeId === undefined ? undefined : this.packageTypes.get(packageTypeId);
    const parcels: ParcelRec[] = [];
    if (!Array.isArray(list) || list.length === 0) {
      c.add('parcels', 'parcels must be a non-empty list', 'REQUIRED');
      return { packageTypeId, parcels };
    }
    list.forEach((p, i) => {
      const at = `parcels[${i}]`;
      if (!isPlainObject(p)) return c.add(at, 'each parcel must be an object {weight, package_type_id?, width?, height?, depth?}');
      let type = fallback;
      const ownType = p.package_type_id;
      if (ownType !== undefined && ownType !== null) {
        type = Number.isInteger(ownType) ? this.packageTypes.get(ownType as number) : undefined;
        if (!Number.isInteger(ownType)) c.add(`${at}.package_type_id`, 'package_type_id must be a whole number');
        else if (!type) c.add(`${at}.package_type_id`, `package type ${ownType} does not exist`, 'NOT_FOUND');
      }
      const w = p.weight;
      if (typeof w !== 'number' || !(w > 0)) c.add(`${at}.weight`, 'weight must be a number greater than 0');
      else if (type && w > type.weight) c.add(`${at}.weight`, `weight ${w} kg exceeds the ${type.weight} kg of package type ${type.id} (${type.name})`);
      for (const k of DIMENSIONS) {
        const v = p[k];
        if (v !== undefined && v !== null && (typeof v !== 'number' || !(v > 0))) c.add(`${at}.${k}`, `${k} must be a number greater than 0 (cm)`);
      }
      if (!type || typeof w !== 'number') return;
      const dim = (k: (typeof DIMENSIONS)[number]) => (typeof p[k] === 'number' ? (p[k] as number) : type[k]);
      parcels.push({ package_type_id: type.id, weight: w, width: dim('width'), height: dim('height'), depth: dim('depth') });
    });
    return { packageTypeId, parcels };
  }

  /** `carrier` as Poleepo shows it: starting with the carrier code (confirmed), e.g. "BRT Standard". */
  carrierName(s: ShippingRec): string {
    const carrier = this.carrierOf(s);
    const service = carrier.services.find((x) => x.code === s.service);
    return `${carrier.code} ${service?.name ?? s.service}`;
  }

  /**
   * A status change. API clients (`strict`) may only hand a labelled parcel to the carrier or cancel before that;
   * the carrier's later states come through the control API. Handing over ships an order that is IN_PROCESS.
   */
  setStatus(id: number | string, status: unknown, strict: boolean, now: number, deliver = true): ShippingRec {
    const s = this.shipping(id);
    if (typeof status !== 'string' || !(SHIPPING_STATUSES as readonly string[]).includes(status)) {
      throw new SandboxApiError(422, 'VALIDATION_ERROR', `status must be one of ${SHIPPING_STATUSES.join(', ')}`, [{ field: 'status', code: 'INVALID', message: `status must be one of ${SHIPPING_STATUSES.join(', ')}` }]);
    }
    const next = status as ShippingStatus;
    if (strict) {
      const allowed = (next === 'HANDED_TO_CARRIER' && s.status === 'LABEL_READY') || (next === 'CANCELED' && (s.status === 'CREATED' || s.status === 'LABEL_READY'));
      if (!allowed) throw new SandboxApiError(422, 'INVALID_STATUS_TRANSITION', `A shipping in ${s.status} cannot move to ${next} through the API`);
    }
    if (next === s.status) return s;
    const previous = s.status;
    s.status = next;
    s.updated_at = now;
    this.onStatus({ shipping: s, previous, deliver });
    const order = this.orders.orders.get(s.order_id);
    if (next === 'HANDED_TO_CARRIER' && order?.status === 'IN_PROCESS') this.orders.setStatus(order.id, 'SHIPPED', false, now);
    return s;
  }

  list(filter: { order?: string | null }): ShippingRec[] {
    return [...this.shippings.values()].filter((s) => !filter.order || String(s.order_id) === filter.order).sort((a, b) => a.id - b.id);
  }
}

function trackingCode(carrier: string, id: number): string {
  const n = String(id).padStart(10, '0');
  if (carrier === 'POSTE') return `PI${n}IT`;
  return `${carrier}${n}`;
}
