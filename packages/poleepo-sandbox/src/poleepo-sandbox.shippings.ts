import { FieldCheck, SandboxApiError, notFound } from './poleepo-sandbox.errors.ts';
import type { SandboxOrders, OrderRec } from './poleepo-sandbox.orders.ts';
import type { SandboxAddress } from './poleepo-sandbox.people.ts';
import { buildLabelPdf } from './poleepo-sandbox.pdf.ts';
import { isPlainObject } from './poleepo-sandbox.util.ts';

export const SHIPPING_STATUSES = ['CREATED', 'LABEL_READY', 'HANDED_TO_CARRIER', 'IN_TRANSIT', 'DELIVERED', 'EXCEPTION', 'CANCELED'] as const;
export type ShippingStatus = (typeof SHIPPING_STATUSES)[number];

export interface CarrierRec {
  id: number;
  code: string;
  name: string;
  services: { code: string; name: string }[];
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
  notes: string | null;
  delivery_address: SandboxAddress;
  created_at: number;
  updated_at: number;
  label: Buffer;
}

export type ShippingChange = { shipping: ShippingRec; previous: ShippingStatus | null };

/** Shippings with couriers, labels (real PDFs), tracking and status changes (docs/poleepo-api.md §4.7). */
export class SandboxShippings {
  readonly shippings = new Map<number, ShippingRec>();
  readonly carriers = new Map<number, CarrierRec>();
  readonly packageTypes = new Map<number, PackageTypeRec>();
  readonly pickupAddresses = new Map<number, PickupAddressRec>();
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

  /** `POST /shippings`: validated, label generated at once (status LABEL_READY), tracking and parcel id assigned. */
  create(body: unknown, now: number): ShippingRec {
    if (!isPlainObject(body)) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'The request body must be a JSON object');
    const c = new FieldCheck(body);
    const orderId = c.number('order_id', { required: true, integer: true });
    const carrierId = c.number('carrier_id', { required: true, integer: true });
    const packageTypeId = c.number('package_type_id', { required: true, integer: true });
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
    const packageType = packageTypeId === undefined ? undefined : this.packageTypes.get(packageTypeId);
    if (packageTypeId !== undefined && !packageType) c.add('package_type_id', `package type ${packageTypeId} does not exist`, 'NOT_FOUND');
    if (pickupId !== undefined && !this.pickupAddresses.has(pickupId)) c.add('pickup_address_id', `pickup address ${pickupId} does not exist`, 'NOT_FOUND');
    const parcels: ParcelRec[] = [];
    if (!Array.isArray(body.parcels) || body.parcels.length === 0) c.add('parcels', 'parcels must be a non-empty list', 'REQUIRED');
    else body.parcels.forEach((p, i) => {
      const w = isPlainObject(p) ? p.weight : undefined;
      if (typeof w !== 'number' || !(w > 0)) return c.add(`parcels[${i}].weight`, 'weight must be a number greater than 0');
      if (packageType && w > packageType.weight) return c.add(`parcels[${i}].weight`, `weight ${w} kg exceeds the package type's ${packageType.weight} kg`);
      const q = p as Record<string, unknown>;
      const dim = (k: string) => (typeof q[k] === 'number' ? (q[k] as number) : packageType ? (packageType as unknown as Record<string, number>)[k] : undefined);
      parcels.push({ weight: w, width: dim('width'), height: dim('height'), depth: dim('depth') });
    });
    c.throwIfAny('The shipping cannot be created');
    const id = this.nextId++;
    const code = carrier!.code;
    const rec: ShippingRec = {
      id, order_id: order!.id, carrier_id: carrier!.id, service: service ?? carrier!.services[0]?.code ?? 'STANDARD',
      status: 'LABEL_READY', tracking_code: trackingCode(code, id), parcel_id: `${String(id).padStart(6, '0')}${String(order!.id).padStart(6, '0')}`,
      reference: String(order!.id), package_type_id: packageType!.id, pickup_address_id: pickupId!, parcels,
      cod_amount: cod ?? 0, notes: notes ?? null, delivery_address: { ...order!.delivery_address }, created_at: now, updated_at: now,
      label: Buffer.alloc(0),
    };
    const pickup = this.pickupAddresses.get(pickupId!)!;
    const d = rec.delivery_address;
    rec.label = buildLabelPdf({
      carrier: this.carrierName(rec), trackingCode: rec.tracking_code, parcelId: rec.parcel_id, orderId: order!.id, reference: order!.reference_id,
      recipient: [[d.name, d.surname].filter(Boolean).join(' '), d.company ?? '', d.address, `${d.postcode} ${d.city} (${d.state_iso}) ${d.country_iso}`].filter(Boolean),
      sender: [pickup.company, pickup.address, `${pickup.postcode} ${pickup.city} (${pickup.state_iso})`],
      parcels: parcels.length, weightKg: parcels.reduce((s, p) => s + p.weight, 0),
    });
    this.shippings.set(id, rec);
    order!.shipping_ids.push(id);
    order!.updated_at = now;
    this.orders.addDocument(order!.id, { type: 'WAYBILL', number: rec.tracking_code, date: new Date(now).toISOString().slice(0, 10), file_name: `waybill_${rec.tracking_code}.pdf`, content: rec.label }, now);
    return rec;
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
  setStatus(id: number | string, status: unknown, strict: boolean, now: number): ShippingRec {
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
    this.onStatus({ shipping: s, previous });
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
