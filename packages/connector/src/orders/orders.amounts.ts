import type { PoleepoOrder, PoleepoOrderLine } from '../poleepo/poleepo.types.ts';
import { priceLine, type LinePricing, type TaxSetup } from './orders.taxes.ts';

/**
 * Everything a marketplace order is paid with, as sale order lines whose Odoo total equals Poleepo's to the cent
 * (DESIGN §4.6; the order contract is docs/poleepo-api.md §4.5):
 *
 *   total_price = Σ (line price × quantity − line discount) + shipping_cost − Σ voucher amounts   (all tax included)
 *
 * - each line at the marketplace's unit price (orders.taxes.ts picks the taxes that keep it);
 * - a line's discount (a marketplace promotion on that item) as a **discount line** right under it: the company's
 *   Discount product, minus the discount, with the item's taxes (a discount reduces the taxable amount of what it
 *   discounts);
 * - the shipping cost on the carrier's product with its VAT: Poleepo's `shipping_vat_rate` when given, else the
 *   goods' taxes when they share one set (shipping follows the goods it carries, as Italian VAT has it), else the
 *   carrier product's own taxes;
 * - each voucher as discount lines at the end, split over the goods' tax sets in proportion to what they cost (what
 *   Odoo's own Discount button and its loyalty programs do), to the cent.
 * Discount lines rather than the line's Discount (%): a percentage with Odoo's two decimals cannot hit every amount to
 * the cent, and its column is hidden unless the Discounts setting is on; a line with a name is seen and summed by
 * everyone, on the order, the invoice and the reports.
 */

/** The amounts part of a Poleepo order, with the fields docs/poleepo-api.md §4.5 marks assumed. */
export interface PoleepoAmountsLine extends PoleepoOrderLine {
  /** The marketplace's discount on the whole line (all units), tax included (assumed). */
  discount?: number | null;
}

export interface PoleepoVoucher {
  code?: string | null;
  name?: string | null;
  /** Taken off the order's total, tax included (assumed). */
  amount: number;
}

export type PoleepoOrderAmounts = Omit<PoleepoOrder, 'lines'> & {
  lines?: PoleepoAmountsLine[];
  /** Vouchers, coupons, gift cards on the whole order (assumed). */
  vouchers?: PoleepoVoucher[] | null;
  /** VAT rate of the shipping cost (assumed). */
  shipping_vat_rate?: number | null;
};

export type PlannedKind = 'product' | 'discount' | 'shipping' | 'voucher';

export interface PlannedLine {
  kind: PlannedKind;
  productId: number;
  /** The description; absent for products (Odoo's own: the product's name). */
  name?: string;
  quantity: number;
  priceUnit: number;
  taxIds: number[];
  /** The marketplace's amount of this line, tax included. */
  target: number;
  /** What Odoo computes for it, tax included. */
  lineTotal: number;
}

export interface AmountNotes {
  /** Always worth a flag (taxes that are not the marketplace's rate). */
  flags: string[];
  /** Only worth saying when the order's total differs. */
  gaps: string[];
}

export interface PlanInput {
  setup: TaxSetup;
  order: PoleepoOrderAmounts;
  /** Odoo variant and its sales taxes for each line, in the order's line order. */
  products: { id: number; taxIds: number[] }[];
  /** The carrier whose product carries the shipping cost (required when there is one). */
  carrier: { productId: number; name: string; taxIds: number[] } | null;
  /** The product of discount and voucher lines (required when there are any). */
  discountProduct: { id: number; name: string } | null;
  /** sale.order.line's tax field names, to describe tax sets on voucher lines. */
  taxName?: (id: number) => string;
}

export interface OrderPlan {
  lines: PlannedLine[];
  notes: AmountNotes;
  /** The marketplace's amounts added up (what Odoo's total should be). */
  sum: number;
}

export function lineDiscount(line: PoleepoAmountsLine): number {
  const d = Number(line.discount ?? 0);
  return Number.isFinite(d) && d > 0 ? round2(d) : 0;
}

export function vouchersOf(order: PoleepoOrderAmounts): { label: string; amount: number }[] {
  return (order.vouchers ?? [])
    .filter((v) => Number.isFinite(Number(v?.amount)) && Number(v.amount) > 0)
    .map((v, i) => {
      const code = (v.code ?? '').trim();
      const name = (v.name ?? '').trim();
      const label = code && name && name !== code ? `${code} – ${name}` : code || name || `#${i + 1}`;
      return { label, amount: round2(Number(v.amount)) };
    });
}

/** Whether the order needs the Discount product at all. */
export function needsDiscountProduct(order: PoleepoOrderAmounts): boolean {
  return (order.lines ?? []).some((l) => lineDiscount(l) > 0) || vouchersOf(order).length > 0;
}

/** Lines, discounts, shipping and vouchers as sale order lines, with what could not follow the marketplace. */
export function planOrderLines(input: PlanInput): OrderPlan {
  const { setup, order } = input;
  const notes: AmountNotes = { flags: [], gaps: [] };
  const lines: PlannedLine[] = [];
  const goods: { taxIds: number[]; net: number }[] = [];
  const add = (kind: PlannedKind, label: string, productId: number, pricing: LinePricing, quantity: number, name?: string) => {
    if (pricing.note) notes.flags.push(`${label}: ${pricing.note}`);
    if (pricing.gap) notes.gaps.push(`${label}: ${pricing.gap}`);
    lines.push({ kind, productId, ...(name ? { name } : {}), quantity, priceUnit: pricing.priceUnit, taxIds: pricing.taxIds, target: pricing.target, lineTotal: pricing.lineTotal });
  };
  const discountProduct = () => {
    if (!input.discountProduct) throw new Error('planOrderLines: a discount or voucher needs the Discount product');
    return input.discountProduct;
  };

  (order.lines ?? []).forEach((line, i) => {
    const product = input.products[i]!;
    const pricing = priceLine(setup, product.taxIds, line.price!, line.quantity, line.vat_rate);
    add('product', line.sku, product.id, pricing, line.quantity);
    const discount = lineDiscount(line);
    if (discount > 0) {
      // The item's own taxes, already chosen: the discount reduces exactly what it was charged on.
      const off = priceLine(setup, pricing.taxIds, -discount, 1, null);
      const dp = discountProduct();
      add('discount', `${line.sku} discount`, dp.id, off, 1, `${dp.name}: ${line.title?.trim() || line.sku}`);
    }
    goods.push({ taxIds: pricing.taxIds, net: round2(pricing.target - discount) });
  });

  const shippingCost = round2(Number(order.shipping_cost ?? 0));
  let shippingTaxes: number[] | null = null;
  if (shippingCost > 0 && input.carrier) {
    const carrier = input.carrier;
    const rate = typeof order.shipping_vat_rate === 'number' ? order.shipping_vat_rate : null;
    const sets = new Set(goods.map((g) => taxKey(g.taxIds)));
    const pricing = rate !== null
      ? priceLine(setup, carrier.taxIds, shippingCost, 1, rate)
      : priceLine(setup, sets.size === 1 && goods.length ? goods[0]!.taxIds : carrier.taxIds, shippingCost, 1, null);
    shippingTaxes = pricing.taxIds;
    add('shipping', 'shipping', carrier.productId, pricing, 1, carrier.name);
  }

  // Vouchers over the goods' tax sets, in proportion to what each set costs after its discounts.
  const groups = new Map<string, { taxIds: number[]; weight: number }>();
  for (const g of goods) {
    const key = taxKey(g.taxIds);
    const group = groups.get(key) ?? { taxIds: g.taxIds, weight: 0 };
    group.weight += g.net;
    groups.set(key, group);
  }
  let bases = [...groups.values()].filter((g) => g.weight > 0);
  if (bases.length === 0) bases = [{ taxIds: shippingTaxes ?? [], weight: 1 }];
  for (const voucher of vouchersOf(order)) {
    const shares = allocate(voucher.amount, bases.map((b) => b.weight));
    bases.forEach((base, i) => {
      const share = shares[i]!;
      if (share <= 0) return;
      const off = priceLine(setup, base.taxIds, -share, 1, null);
      const dp = discountProduct();
      const taxes = bases.length > 1 ? ` (${base.taxIds.map((id) => input.taxName?.(id) ?? String(id)).join(', ') || 'no tax'})` : '';
      add('voucher', `voucher ${voucher.label}`, dp.id, off, 1, `${dp.name}: ${voucher.label}${taxes}`);
    });
  }

  const sum = round2(lines.reduce((s, l) => s + l.target, 0));
  if (typeof order.total_price === 'number' && Math.abs(sum - order.total_price) >= 0.005) {
    notes.gaps.push(`Poleepo's total ${order.total_price.toFixed(2)} is not the sum of its lines, discounts, shipping and vouchers (${sum.toFixed(2)}): Poleepo charged something the order does not detail`);
  }
  return { lines, notes, sum };
}

/**
 * `amount` split in proportion to `weights`, in cents, adding up exactly (largest remainder; ties to the first).
 */
export function allocate(amount: number, weights: readonly number[]): number[] {
  const cents = Math.round(amount * 100);
  const total = weights.reduce((s, w) => s + Math.max(0, w), 0);
  if (weights.length === 0) return [];
  if (total <= 0) return weights.map((_, i) => (i === 0 ? cents / 100 : 0));
  const exact = weights.map((w) => (cents * Math.max(0, w)) / total);
  const floors = exact.map((e) => Math.floor(e + 1e-9));
  let left = cents - floors.reduce((s, f) => s + f, 0);
  const order = exact.map((e, i) => ({ i, r: e - floors[i]! })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]! += 1;
    left -= 1;
  }
  return floors.map((f) => f / 100);
}

function taxKey(ids: readonly number[]): string {
  return [...ids].sort((a, b) => a - b).join(',');
}

function round2(value: number): number {
  return Math.round((value + Number.EPSILON * Math.sign(value)) * 100) / 100;
}
