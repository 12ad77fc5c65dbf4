import type { SandboxCatalog } from './poleepo-sandbox.catalog.ts';
import { FieldCheck, SandboxApiError, notFound } from './poleepo-sandbox.errors.ts';
import { CHANNELS, generatePerson, resolveChannel, type SandboxAddress, type SandboxCustomer } from './poleepo-sandbox.people.ts';
import { Rng, isPlainObject, round2 } from './poleepo-sandbox.util.ts';

export const ORDER_STATUSES = ['PAYMENT_ACCEPTED', 'IN_PROCESS', 'SHIPPED', 'DELIVERED', 'CANCELED', 'REFUNDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_STATUS_NAMES: Record<OrderStatus, string> = {
  PAYMENT_ACCEPTED: 'Pagamento accettato', IN_PROCESS: 'In lavorazione', SHIPPED: 'Spedito', DELIVERED: 'Consegnato',
  CANCELED: 'Annullato', REFUNDED: 'Rimborsato',
};

/** Moves an API client may make (docs/poleepo-api.md §4.5); the control API may set anything. */
export const ORDER_TRANSITIONS: Record<OrderStatus, OrderStatus[]> = {
  PAYMENT_ACCEPTED: ['IN_PROCESS', 'SHIPPED', 'CANCELED'],
  IN_PROCESS: ['SHIPPED', 'CANCELED'],
  SHIPPED: ['DELIVERED', 'REFUNDED'],
  DELIVERED: ['REFUNDED'],
  CANCELED: [],
  REFUNDED: [],
};

export interface OrderLineRec {
  id: number;
  sku: string;
  product_id: number | null;
  title: string;
  quantity: number;
  /** Unit price, tax included, in the order's currency. */
  price: number;
  vat_rate: number;
  /** The marketplace's discount on the whole line (all units), tax included (assumed, docs/poleepo-api.md §4.5). */
  discount: number;
}

/** A voucher (coupon, gift card, promotion code) taken off the order's total, tax included (assumed, §4.5). */
export interface VoucherRec {
  code: string;
  name: string;
  amount: number;
}

export interface OrderRec {
  id: number;
  reference_id: string;
  source: { id: string; name: string };
  status: OrderStatus;
  customer: SandboxCustomer;
  invoice_address: SandboxAddress;
  delivery_address: SandboxAddress;
  lines: OrderLineRec[];
  shipping_cost: number;
  /**
   * VAT rate of the shipping cost (assumed): the goods' rate when they share one; null when they do not (Italian VAT
   * then splits the shipping over the goods' rates: there is no one rate to give).
   */
  shipping_vat_rate: number | null;
  vouchers: VoucherRec[];
  payment_method: string;
  cash_on_delivery: number;
  /** ISO 4217; every amount of the order is in it. */
  currency: string;
  order_date: number;
  created_at: number;
  updated_at: number;
  shipping_ids: number[];
}

export interface DocumentRec {
  id: number;
  order_id: number;
  type: string;
  number: string | null;
  date: string | null;
  file_name: string;
  content: Buffer;
  created_at: number;
}

export interface CreateOrderInput {
  channel?: string;
  customer?: Record<string, unknown>;
  /**
   * `price`: unit price, tax included (default the product's, converted to the currency); `discount`: amount off the
   * line; `vat_rate`: default the product's (22 for an SKU the catalogue does not have).
   */
  lines: { sku: string; quantity: number; price?: number; discount?: number; vat_rate?: number }[];
  shipping_cost?: number;
  /** Default: the goods' VAT rate when they share one, else none. */
  shipping_vat_rate?: number;
  vouchers?: { code?: string; name?: string; amount: number }[];
  /** ISO 4217 (default EUR). */
  currency?: string;
  /** Absent: one of the channel's prepaid methods. `CASH_ON_DELIVERY` makes a COD order. */
  payment_method?: string;
  /** The amount the carrier collects; implies `CASH_ON_DELIVERY`; default the order total. */
  cash_on_delivery?: number;
  /**
   * Draw what the generator draws and the input does not say: cash on delivery, a promotion on a line, a voucher, a
   * foreign currency, each for a small share of orders (the demo's customers). Off by default, so an order a test
   * makes has exactly the amounts the test chose.
   */
  random_extras?: boolean;
}

export const CASH_ON_DELIVERY = 'CASH_ON_DELIVERY';

/**
 * Shares of generated orders (and of `random_extras` ones). About one in eight is cash on delivery (Italian
 * deliveries in euros only: carriers collect at home, in cash).
 */
const GENERATED_COD_SHARE = 1 / 8;
/** A marketplace promotion on one line (10–20 % off, or a few euros). */
const GENERATED_LINE_DISCOUNT_SHARE = 1 / 6;
/** A voucher on the order. */
const GENERATED_VOUCHER_SHARE = 1 / 10;
/** Bought on a foreign marketplace (amazon.co.uk, ebay.co.uk, a Swiss or US Shopify store), paid in its currency. */
const GENERATED_FOREIGN_CURRENCY_SHARE = 1 / 12;
const FOREIGN_CURRENCIES: Record<string, string[]> = { AMAZON: ['GBP'], EBAY: ['GBP'], SHOPIFY: ['CHF', 'USD'] };
/** Sandbox exchange rates from the euro (catalogue prices are in euros). */
const EUR_RATES: Record<string, number> = { EUR: 1, GBP: 0.85, CHF: 0.94, USD: 1.08 };
const VOUCHERS: { code: string; name: string; amount: number }[] = [
  { code: 'BENVENUTO5', name: 'Buono di benvenuto', amount: 5 },
  { code: 'SCONTO10', name: 'Codice sconto', amount: 10 },
  { code: 'GIFT-25', name: 'Carta regalo', amount: 25 },
];

/** `deliver: false`: the event is recorded (it can be replayed later) but not sent now: a lost or late webhook. */
export type StatusChange = { order: OrderRec; previous: OrderStatus | null; deliver: boolean };

/** Orders and their documents. Status changes are reported to `onStatus` (the webhook emitter). */
export class SandboxOrders {
  readonly orders = new Map<number, OrderRec>();
  readonly documents = new Map<number, DocumentRec>();
  private nextId = 1001;
  private nextLineId = 1;
  private nextCustomerId = 501;
  private nextDocumentId = 7001;
  onStatus: (change: StatusChange) => void = () => undefined;

  constructor(private readonly catalog: SandboxCatalog, private readonly rng: Rng) {}

  order(id: number | string): OrderRec {
    const o = this.orders.get(Number(id));
    if (!o) throw notFound(`Order ${id}`);
    return o;
  }

  /**
   * `POST /__sandbox/orders`: the given lines (prices default to the product's), a generated customer unless given.
   * Cash on delivery only when asked for (`payment_method` or `cash_on_delivery`), so an order a test makes never
   * needs a `cod_amount` the test did not choose.
   */
  create(input: unknown, now: number): OrderRec {
    return this.createOrder(input, now, isPlainObject(input) && input.random_extras === true);
  }

  private createOrder(input: unknown, now: number, extras: boolean): OrderRec {
    if (!isPlainObject(input)) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'The body must be a JSON object');
    const givenLines = input.lines;
    if (!Array.isArray(givenLines) || givenLines.length === 0) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'lines must be a non-empty list of {sku, quantity, price?}');
    const checked = givenLines.map((l, i) => {
      if (!isPlainObject(l)) throw new SandboxApiError(400, 'VALIDATION_ERROR', `lines[${i}] must be an object`);
      const c = new FieldCheck(l);
      const sku = c.requiredString('sku');
      const quantity = c.number('quantity', { required: true, min: 1, integer: true });
      const price = c.number('price', { min: 0 });
      const discount = c.number('discount', { min: 0 });
      const vatRate = c.number('vat_rate', { min: 0, max: 100 });
      if (c.errors.length) throw new SandboxApiError(400, 'VALIDATION_ERROR', `lines[${i}]: ${c.errors.map((e) => e.message).join('; ')}`);
      return { sku: sku!, quantity: quantity!, price, discount, vatRate };
    });
    if (input.channel !== undefined && typeof input.channel !== 'string') throw new SandboxApiError(400, 'VALIDATION_ERROR', 'channel must be a string');
    if (input.customer !== undefined && !isPlainObject(input.customer)) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'customer must be an object');
    if (input.shipping_cost !== undefined && (typeof input.shipping_cost !== 'number' || input.shipping_cost < 0)) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'shipping_cost must be a number ≥ 0');
    if (input.payment_method !== undefined && (typeof input.payment_method !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(input.payment_method))) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'payment_method must be an upper-case code such as CASH_ON_DELIVERY or PAYPAL');
    const codGiven = input.cash_on_delivery;
    if (codGiven !== undefined && (typeof codGiven !== 'number' || !(codGiven > 0))) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'cash_on_delivery must be an amount greater than 0');
    if (codGiven !== undefined && input.payment_method !== undefined && input.payment_method !== CASH_ON_DELIVERY) throw new SandboxApiError(400, 'VALIDATION_ERROR', `cash_on_delivery goes with payment_method ${CASH_ON_DELIVERY}`);
    if (input.currency !== undefined && (typeof input.currency !== 'string' || !/^[A-Z]{3}$/.test(input.currency))) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'currency must be an ISO 4217 code such as EUR or GBP');
    if (input.shipping_vat_rate !== undefined && (typeof input.shipping_vat_rate !== 'number' || input.shipping_vat_rate < 0 || input.shipping_vat_rate > 100)) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'shipping_vat_rate must be a percentage between 0 and 100');
    const vouchersGiven = parseVouchers(input.vouchers);
    const source = resolveChannel(input.channel as string | undefined, this.rng);
    const person = generatePerson(this.rng);
    const given = (input.customer ?? {}) as Record<string, unknown>;
    const customer: SandboxCustomer = { id: this.nextCustomerId++, ...person.customer, ...pick(given, ['firstname', 'lastname', 'email', 'phone', 'fiscal_code', 'company', 'vat_number', 'sdi_code', 'pec']) };
    const addressOverrides = pick(given, ['address', 'postcode', 'city', 'state_iso', 'country_iso']);
    const invoice: SandboxAddress = {
      ...person.invoice_address, name: customer.firstname, surname: customer.lastname, company: customer.company,
      vat_number: customer.vat_number, fiscal_code: customer.fiscal_code, sdi_code: customer.sdi_code, pec: customer.pec,
      email: customer.email, phone: customer.phone, ...addressOverrides,
      ...(isPlainObject(given.invoice_address) ? given.invoice_address : {}),
    } as SandboxAddress;
    // Delivery: as given; else the given invoice address (an address was given, so it is where the buyer is); else
    // the generated one, which sometimes differs from the invoice address.
    const givenAddress = isPlainObject(given.invoice_address) || Object.keys(addressOverrides).length > 0;
    const deliveryBase = givenAddress ? { ...invoice, vat_number: null, fiscal_code: null, sdi_code: null, pec: null } : person.delivery_address;
    const delivery: SandboxAddress = {
      ...deliveryBase, name: customer.firstname, surname: customer.lastname, email: customer.email, phone: customer.phone,
      ...(isPlainObject(given.delivery_address) ? given.delivery_address : {}),
    } as SandboxAddress;
    const channel = CHANNELS[source.id];
    // One draw whatever is asked, so an explicit payment method does not shift the generator's later orders.
    const prepaid = channel ? this.rng.pick(channel.payments) : 'OTHER';
    // The extras are drawn only for generated orders (each a fixed number of draws), never for a test's own.
    const drawn = extras ? this.drawExtras(source.id, checked.length) : null;
    const currency = (input.currency as string | undefined) ?? drawn?.currency ?? 'EUR';
    const rate = EUR_RATES[currency] ?? 1;
    const codAsked = input.payment_method === CASH_ON_DELIVERY || codGiven !== undefined;
    const codDrawn = Boolean(drawn?.cod) && input.payment_method === undefined && currency === 'EUR' && delivery.country_iso === 'IT';
    const payment = codAsked || codDrawn ? CASH_ON_DELIVERY : (input.payment_method as string | undefined) ?? prepaid;
    const priced = checked.map((l, i) => {
      const product = this.catalog.productBySku(l.sku);
      const price = round2(l.price ?? (product?.price_with_tax ?? 10) * rate);
      const gross = round2(price * l.quantity);
      const promotion = drawn?.discountLine === i && l.discount === undefined ? drawn.discountOf(gross) : 0;
      const discount = round2(l.discount ?? promotion);
      if (discount > gross) throw new SandboxApiError(400, 'VALIDATION_ERROR', `lines[${i}]: discount ${discount.toFixed(2)} is more than the line's ${gross.toFixed(2)}`);
      return { sku: l.sku, product_id: product?.id ?? null, title: product?.title ?? `Articolo ${l.sku}`, quantity: l.quantity, price, vat_rate: l.vatRate ?? product?.vat_rate ?? 22, discount };
    });
    const rates = new Set(priced.map((l) => l.vat_rate));
    const goods = round2(priced.reduce((s, l) => s + l.price * l.quantity - l.discount, 0));
    const shippingCost = round2((input.shipping_cost as number | undefined) ?? 0);
    const vouchers = vouchersGiven ?? (drawn?.voucher && goods > 0 ? [{ ...drawn.voucher, amount: Math.min(round2(drawn.voucher.amount * rate), round2(goods / 2)) }] : []);
    const voucherTotal = round2(vouchers.reduce((s, v) => s + v.amount, 0));
    if (voucherTotal > round2(goods + shippingCost)) throw new SandboxApiError(400, 'VALIDATION_ERROR', `the vouchers (${voucherTotal.toFixed(2)}) are more than the order's ${(goods + shippingCost).toFixed(2)}`);
    const order: OrderRec = {
      id: this.nextId++,
      reference_id: channel ? channel.reference(this.rng) : `${source.id}-${this.rng.digits(6)}`,
      source, status: 'PAYMENT_ACCEPTED', customer, invoice_address: invoice, delivery_address: delivery,
      lines: priced.map((l) => ({ id: this.nextLineId++, ...l })),
      shipping_cost: shippingCost,
      shipping_vat_rate: (input.shipping_vat_rate as number | undefined) ?? (rates.size === 1 ? [...rates][0]! : null),
      vouchers,
      payment_method: payment, cash_on_delivery: 0, currency,
      order_date: now - this.rng.int(30, 600) * 1000, created_at: now, updated_at: now, shipping_ids: [],
    };
    if (payment === CASH_ON_DELIVERY) order.cash_on_delivery = round2((codGiven as number | undefined) ?? total(order));
    this.orders.set(order.id, order);
    this.onStatus({ order, previous: null, deliver: true });
    return order;
  }

  /**
   * The generator's extras for one order, always the same number of draws (so one order's extras do not shift the
   * next order's customer): cash on delivery, a promotion on one line, a voucher, a foreign currency.
   */
  private drawExtras(channelId: string, lineCount: number): DrawnExtras {
    const cod = this.rng.chance(GENERATED_COD_SHARE);
    const promoted = this.rng.chance(GENERATED_LINE_DISCOUNT_SHARE);
    const discountLine = this.rng.int(0, Math.max(0, lineCount - 1));
    const percent = this.rng.pick([10, 15, 20, 0]);
    const fixed = this.rng.pick([1, 2, 3, 5]);
    const voucher = this.rng.chance(GENERATED_VOUCHER_SHARE) ? this.rng.pick(VOUCHERS) : null;
    const foreign = this.rng.chance(GENERATED_FOREIGN_CURRENCY_SHARE);
    const options = FOREIGN_CURRENCIES[channelId];
    const currency = foreign && options ? this.rng.pick(options) : null;
    return {
      cod, currency, voucher,
      discountLine: promoted ? discountLine : null,
      // A percentage of the line, or a few units of money (never more than half the line).
      discountOf: (gross) => round2(percent ? gross * percent / 100 : Math.min(fixed, gross / 2)),
    };
  }

  /** Random orders: several lines from the catalogue (or invented SKUs), Italian customers, assorted channels. */
  generate(count: number, now: number): OrderRec[] {
    const products = [...this.catalog.products.values()].filter((p) => p.active && p.type !== 'PARENT');
    const out: OrderRec[] = [];
    for (let i = 0; i < count; i++) {
      const n = this.rng.int(1, 4);
      const lines = Array.from({ length: n }, () => {
        const p = products.length ? this.rng.pick(products) : null;
        return { sku: p?.sku ?? `SKU-${this.rng.int(100, 999)}`, quantity: this.rng.int(1, 3), ...(p ? {} : { price: this.rng.int(500, 9000) / 100 }) };
      });
      const unique = lines.filter((l, idx) => lines.findIndex((m) => m.sku === l.sku) === idx);
      out.push(this.createOrder({ lines: unique, shipping_cost: this.rng.pick([0, 4.9, 5.9, 6.9]) }, now, true));
    }
    return out;
  }

  /** A status change; `strict` (API clients) enforces the transition table. */
  setStatus(id: number | string, status: unknown, strict: boolean, now: number, deliver = true): OrderRec {
    const order = this.order(id);
    if (typeof status !== 'string' || !(ORDER_STATUSES as readonly string[]).includes(status)) {
      throw new SandboxApiError(422, 'VALIDATION_ERROR', `status must be one of ${ORDER_STATUSES.join(', ')}`, [{ field: 'status', code: 'INVALID', message: `status must be one of ${ORDER_STATUSES.join(', ')}` }]);
    }
    const next = status as OrderStatus;
    if (next === order.status) return order;
    if (strict && !ORDER_TRANSITIONS[order.status].includes(next)) {
      throw new SandboxApiError(422, 'INVALID_STATUS_TRANSITION', `An order in ${order.status} cannot move to ${next}`);
    }
    const previous = order.status;
    order.status = next;
    order.updated_at = now;
    this.onStatus({ order, previous, deliver });
    return order;
  }

  /** Orders changed at or after `since`, oldest change first. */
  changedSince(since: number | null): OrderRec[] {
    return [...this.orders.values()].filter((o) => since === null || o.updated_at >= since)
      .sort((a, b) => a.updated_at - b.updated_at || a.id - b.id);
  }

  addDocument(orderId: number, doc: Omit<DocumentRec, 'id' | 'order_id' | 'created_at'>, now: number): DocumentRec {
    const rec = { id: this.nextDocumentId++, order_id: orderId, created_at: now, ...doc };
    this.documents.set(rec.id, rec);
    return rec;
  }

  /** `POST /orders/{id}/documents` (assumed shape, docs/poleepo-api.md §4.6). */
  uploadDocument(orderId: number | string, body: unknown, now: number): DocumentRec {
    const order = this.order(orderId);
    if (!isPlainObject(body)) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'The request body must be a JSON object');
    const c = new FieldCheck(body);
    const type = c.requiredString('type');
    if (type && type !== 'INVOICE' && type !== 'CREDIT_NOTE') c.add('type', 'type must be INVOICE or CREDIT_NOTE');
    const number = c.requiredString('number');
    const date = c.requiredString('date');
    if (date && !/^\d{4}-\d{2}-\d{2}$/.test(date)) c.add('date', 'date must be YYYY-MM-DD');
    const fileName = c.requiredString('file_name');
    const content = c.requiredString('content_base64');
    let bytes = Buffer.alloc(0);
    if (content) {
      bytes = Buffer.from(content, 'base64');
      if (bytes.length === 0 || bytes.toString('base64').replace(/=+$/, '') !== content.replace(/\s/g, '').replace(/=+$/, '')) c.add('content_base64', 'content_base64 must be base64 data');
    }
    c.throwIfAny('The document cannot be stored');
    return this.addDocument(order.id, { type: type!, number: number!, date: date!, file_name: fileName!, content: bytes }, now);
  }

  documentsOf(orderId: number | string): DocumentRec[] {
    const order = this.order(orderId);
    return [...this.documents.values()].filter((d) => d.order_id === order.id).sort((a, b) => a.id - b.id);
  }

  document(orderId: number | string, documentId: number | string): DocumentRec {
    const d = this.documents.get(Number(documentId));
    if (!d || d.order_id !== this.order(orderId).id) throw notFound(`Document ${documentId}`);
    return d;
  }
}

/** What the buyer paid: lines (tax included) less their discounts, plus shipping, less the vouchers. */
export function total(order: OrderRec): number {
  return round2(order.lines.reduce((s, l) => s + l.price * l.quantity - l.discount, 0) + order.shipping_cost - order.vouchers.reduce((s, v) => s + v.amount, 0));
}

/** A line's amount: price × quantity less its discount. */
export function lineTotal(line: OrderLineRec): number {
  return round2(line.price * line.quantity - line.discount);
}

interface DrawnExtras {
  cod: boolean;
  currency: string | null;
  voucher: { code: string; name: string; amount: number } | null;
  /** Index of the line with a promotion, or null. */
  discountLine: number | null;
  discountOf(gross: number): number;
}

function parseVouchers(value: unknown): VoucherRec[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'vouchers must be a list of {code?, name?, amount}');
  return value.map((v, i) => {
    if (!isPlainObject(v) || typeof v.amount !== 'number' || !(v.amount > 0)) throw new SandboxApiError(400, 'VALIDATION_ERROR', `vouchers[${i}].amount must be an amount greater than 0`);
    if (v.code !== undefined && typeof v.code !== 'string') throw new SandboxApiError(400, 'VALIDATION_ERROR', `vouchers[${i}].code must be a string`);
    if (v.name !== undefined && typeof v.name !== 'string') throw new SandboxApiError(400, 'VALIDATION_ERROR', `vouchers[${i}].name must be a string`);
    const code = (v.code as string | undefined) ?? `VOUCHER${i + 1}`;
    return { code, name: (v.name as string | undefined) ?? code, amount: round2(v.amount) };
  });
}

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (source[k] !== undefined) out[k] = source[k];
  return out;
}
