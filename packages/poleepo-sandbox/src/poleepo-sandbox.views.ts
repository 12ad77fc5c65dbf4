import type { ProductRec, SandboxCatalog } from './poleepo-sandbox.catalog.ts';
import type { DocumentRec, OrderRec } from './poleepo-sandbox.orders.ts';
import { ORDER_STATUS_NAMES, lineTotal, total } from './poleepo-sandbox.orders.ts';
import { PRICE_CURRENCY, servicePrice } from './poleepo-sandbox.rates.ts';
import type { CarrierRec, SandboxShippings, ShippingRec } from './poleepo-sandbox.shippings.ts';
import type { PoleepoSandboxKnobs, SandboxPermissions } from './poleepo-sandbox.types.ts';
import { isoSeconds } from './poleepo-sandbox.util.ts';

/** How records look on the wire (docs/poleepo-api.md §4), with what the key hides left out. */
const TYPE_NAMES = { SIMPLE: 'Semplice', PARENT: 'Padre', VARIANT: 'Variante' } as const;

export function productView(p: ProductRec, catalog: SandboxCatalog): Record<string, unknown> {
  const category = p.main_category_id === null ? undefined : catalog.categories.get(p.main_category_id);
  return {
    id: p.id, sku: p.sku, title: p.title, type: { id: p.type, name: TYPE_NAMES[p.type] }, parent_sku: p.parent_sku,
    price: p.price, price_with_tax: p.price_with_tax, vat_rate: p.vat_rate, quantity: p.quantity, active: p.active,
    main_category_id: p.main_category_id, main_category_path: category?.path ?? null,
    ean: p.ean, upc: p.upc, isbn: p.isbn, mpn: p.mpn, short_description: p.short_description, long_description: p.long_description,
    weight: p.weight, width: p.width, height: p.height, depth: p.depth,
    images: p.images, attributes: p.attributes, tags: p.tags, provisions: [], sales: p.sales,
    creation_date: isoSeconds(p.created_at), update_date: isoSeconds(p.updated_at),
  };
}

export function orderView(o: OrderRec, knobs: PoleepoSandboxKnobs, hide: SandboxPermissions = {}): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: o.id, reference_id: o.reference_id, source_id: o.reference_id, source: o.source,
    status: knobs.orderStatusFormat === 'object' ? { id: o.status, name: ORDER_STATUS_NAMES[o.status] } : o.status,
    customer: o.customer, invoice_address: o.invoice_address, delivery_address: o.delivery_address,
    lines: o.lines.map((l) => ({ ...l, total_price: lineTotal(l) })),
    shipping_cost: o.shipping_cost, shipping_vat_rate: o.shipping_vat_rate, vouchers: o.vouchers.map((v) => ({ ...v })),
    payment_method: o.payment_method, cash_on_delivery: o.cash_on_delivery,
    total_price: total(o), currency: o.currency,
    order_date: isoSeconds(o.order_date), creation_date: isoSeconds(o.created_at), update_date: isoSeconds(o.updated_at),
    shippings: o.shipping_ids.map((id) => ({ id })),
  };
  if (hide.hideCustomerData) {
    delete view.customer;
    delete view.invoice_address;
    delete view.delivery_address;
  }
  if (hide.hidePrices) {
    view.lines = o.lines.map(({ price: _p, discount: _d, ...rest }) => rest);
    delete view.total_price;
    delete view.shipping_cost;
    delete view.vouchers;
    delete view.cash_on_delivery;
  }
  return view;
}

export function shippingView(s: ShippingRec, shippings: SandboxShippings, hide: SandboxPermissions = {}): Record<string, unknown> {
  const carrier = shippings.carrierOf(s);
  const view: Record<string, unknown> = {
    id: s.id, order_id: s.order_id, carrier: shippings.carrierName(s), carrier_id: carrier.id, carrier_code: carrier.code,
    service: s.service, status: s.status, tracking_code: s.tracking_code, parcel_id: s.parcel_id, reference: s.reference,
    package_type_id: s.package_type_id, pickup_address_id: s.pickup_address_id, parcels: s.parcels.map((p) => ({ ...p })), cod_amount: s.cod_amount,
    price: s.price, currency: s.currency, delivery_address: s.delivery_address, creation_date: isoSeconds(s.created_at), update_date: isoSeconds(s.updated_at),
  };
  if (hide.hideCustomerData) delete view.delivery_address;
  return view;
}

/** A carrier with each service's price for a parcel of `weightKg` to `countryIso` (§4.8; the tariff stays inside). */
export function carrierView(c: CarrierRec, countryIso: string, weightKg: number): Record<string, unknown> {
  return {
    id: c.id, code: c.code, name: c.name,
    services: c.services.map((s) => ({ code: s.code, name: s.name, price: servicePrice(s.tariff, countryIso, weightKg), currency: PRICE_CURRENCY })),
  };
}

export function documentView(d: DocumentRec, withContent: boolean): Record<string, unknown> {
  return {
    id: d.id, order_id: d.order_id, type: d.type, number: d.number, date: d.date, file_name: d.file_name,
    creation_date: isoSeconds(d.created_at), ...(withContent ? { content_base64: d.content.toString('base64') } : {}),
  };
}
