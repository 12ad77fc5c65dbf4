/**
 * Amounts of a taxed document (a sale order or an invoice), computed the same way for both so that an invoice of a
 * whole order has the order's amounts to the cent: each line through the tax engine (`account.tax.computeFor`, the
 * version's `compute_all`), then the document's tax rounded per line or globally as the company says
 * (`tax_calculation_rounding_method`). 17 takes a line's tax as its rounded total less its rounded base; 18/19 take
 * the total as the rounded sum of the base and the taxes. When the company rounds globally, 18/19 then round the
 * document as Odoo 18's `_round_base_lines_tax_details` does: each tax's amount is its rounded raw sum, and the
 * untaxed amount takes the delta that keeps the exact total (price-included taxes: the rounded raw total included;
 * otherwise the rounded raw total excluded), spread over the lines like `_distribute_delta_amount_smoothly`.
 * Amounts are in the document's currency, rounded to its `rounding`.
 */
import type { Env } from '../orm/env.ts';
import { roundTo } from '../orm/model.ts';
import type { AccountTax } from './account.tax.model.ts';

export interface TaxedLine {
  priceUnit: number;
  /** Percent. */
  discount: number;
  quantity: number;
  taxIds: number[];
}

export interface LineTax {
  id: number;
  /** Rounded to the cent. */
  amount: number;
  base: number;
  /** The repartition line's account (the tax's account), or false. */
  accountId: number | false;
}

export interface LineAmounts {
  subtotal: number;
  tax: number;
  total: number;
  /** Unrounded tax per tax id (for the global rounding). */
  raw: Map<number, number>;
  taxes: LineTax[];
  /** Unrounded base and taxes (18/19 global rounding, `raw_total_excluded` / `raw_tax_amount`). */
  rawExcluded: number;
  rawTaxes: { id: number; amount: number; base: number; priceInclude: boolean }[];
  /** The currency rounding the line was computed with. */
  rounding: number;
}

export interface DocumentAmounts {
  untaxed: number;
  tax: number;
  total: number;
  /** What each line's subtotal takes of the global rounding's delta (18/19 round_globally), so that they add up to `untaxed`. */
  lineDeltas: number[];
  /** The document's tax per tax id (what its tax lines hold); they add up to `tax`. */
  perTax: Map<number, { amount: number; base: number; accountId: number | false }>;
}

/** One line's subtotal, tax and total (the company's rounding per line). */
export function computeLineAmounts(env: Env, line: TaxedLine, companyId: number, isRefund = false, rounding = 0.01): LineAmounts {
  const taxes = env.model('account.tax') as AccountTax;
  const price = (line.priceUnit || 0) * (1 - (line.discount || 0) / 100);
  const qty = line.quantity || 0;
  const digits = roundingDigits(rounding);
  const rounded = taxes.computeFor(env, line.taxIds, price, { quantity: qty, companyId, isRefund, currencyRounding: rounding });
  // Unrounded amounts (a tiny currency rounding) for the global rounding of the document's taxes.
  const raw = new Map<number, number>();
  const exact = taxes.computeFor(env.withContext({ round: false }), line.taxIds, price, { quantity: qty, companyId, currencyRounding: 1e-9, isRefund });
  for (const t of exact.taxes) raw.set(t.id, (raw.get(t.id) ?? 0) + t.amount);
  const subtotal = roundTo(rounded.total_excluded, digits);
  let tax: number;
  let total: number;
  if (env.profile.major === 17) {
    tax = roundTo(rounded.total_included - rounded.total_excluded, digits);
    total = roundTo(rounded.total_included, digits);
  } else {
    // 18/19: the total is the rounded sum of subtotal and taxes; the tax is what remains (float noise kept).
    total = roundTo(subtotal + rounded.taxes.reduce((s, t) => s + t.amount, 0), digits);
    tax = total - subtotal;
  }
  const lineTaxes = rounded.taxes.map((t) => ({ id: t.id, amount: roundTo(t.amount, digits), base: roundTo(t.base, digits), accountId: (t.account_id || false) as number | false }));
  const rawTaxes = exact.taxes.map((t) => ({ id: t.id, amount: t.amount, base: t.base, priceInclude: Boolean(t.price_include) }));
  return { subtotal, tax, total, raw, taxes: lineTaxes, rawExcluded: exact.total_excluded, rawTaxes, rounding };
}

/** Decimal places of a currency rounding (0.01 → 2). */
export function roundingDigits(rounding: number): number {
  return rounding > 0 && rounding < 1 ? Math.max(0, Math.round(-Math.log10(rounding))) : 0;
}

/** `_distribute_delta_amount_smoothly`: a delta in whole units of `step` spread over the factors, largest first. */
export function distributeDelta(delta: number, factors: number[], step: number): number[] {
  const out = factors.map(() => 0);
  const errors = Math.round(Math.abs(delta / step));
  if (!errors || !factors.length) return out;
  const sign = delta < 0 ? -1 : 1;
  const sum = factors.reduce((s, f) => s + Math.abs(f), 0);
  const order = factors.map((f, i) => [i, sum ? Math.abs(f) / sum : 1 / factors.length] as const).sort((a, b) => b[1] - a[1]);
  let remaining = errors;
  for (const [i, f] of order) {
    if (!remaining) break;
    const n = Math.min(pyRound(f * errors), remaining);
    remaining -= n;
    out[i] += sign * n * step;
  }
  for (let k = 0; k < remaining; k++) out[order[k % order.length]![0]] += sign * step;
  return out;
}

/** Python's round() of a float to an integer (half to even). */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * 18/19 round_globally (`_round_tax_details_tax_amounts` then `_round_tax_details_base_lines`, one currency): per tax
 * the rounded raw sum; the untaxed amount the one that keeps the rounded raw total.
 */
function globalAmounts18(lines: LineAmounts[], rounding: number): { untaxed: number; lineDeltas: number[]; perTaxAmount: Map<number, number>; perTaxBase: Map<number, number> } {
  const digits = roundingDigits(rounding);
  const r = (x: number) => roundTo(x, digits);
  const perTaxAmount = new Map<number, number>();
  const perTaxBase = new Map<number, number>();
  const rawTax = new Map<number, number>();
  const rawBase = new Map<number, number>();
  let included = true;
  let rawExcluded = 0;
  let rawTaxTotal = 0;
  let excluded = 0;
  for (const l of lines) {
    rawExcluded += l.rawExcluded;
    excluded += l.subtotal;
    for (const t of l.rawTaxes) {
      if (!t.priceInclude) included = false;
      rawTaxTotal += t.amount;
      rawTax.set(t.id, (rawTax.get(t.id) ?? 0) + t.amount);
      rawBase.set(t.id, (rawBase.get(t.id) ?? 0) + t.base);
    }
  }
  // Each tax: its rounded raw sum (the delta to the sum of rounded amounts goes to its lines).
  let taxTotal = 0;
  for (const [id, raw] of rawTax) {
    perTaxAmount.set(id, r(raw));
    perTaxBase.set(id, r(rawBase.get(id)!));
    taxTotal += r(raw);
  }
  const target = included ? r(rawExcluded + rawTaxTotal) - taxTotal : r(rawExcluded);
  const delta = r(target - excluded);
  const spread = distributeDelta(delta, lines.map((l) => l.rawExcluded + (included ? l.rawTaxes.reduce((s, t) => s + t.amount, 0) : 0)), rounding);
  const untaxed = r(lines.reduce((s, l, i) => s + l.subtotal + spread[i]!, 0));
  return { untaxed, lineDeltas: spread.map(r), perTaxAmount, perTaxBase };
}

/** The document's amounts from its lines' (per line or global rounding of the taxes). */
export function documentAmounts(env: Env, lines: LineAmounts[], companyId: number, rounding = lines[0]?.rounding ?? 0.01): DocumentAmounts {
  const company = env.model('res.company').table.get(companyId);
  const globally = company?.tax_calculation_rounding_method === 'round_globally';
  const digits = roundingDigits(rounding);
  let untaxed = 0;
  let tax = 0;
  const perTaxRaw = new Map<number, number>();
  const perTax = new Map<number, { amount: number; base: number; accountId: number | false }>();
  let lineDeltas = lines.map(() => 0);
  for (const a of lines) {
    untaxed += a.subtotal;
    tax += a.tax;
    for (const [t, v] of a.raw) perTaxRaw.set(t, (perTaxRaw.get(t) ?? 0) + v);
    for (const t of a.taxes) {
      const cur = perTax.get(t.id) ?? { amount: 0, base: 0, accountId: t.accountId };
      cur.amount += t.amount;
      cur.base += t.base;
      perTax.set(t.id, cur);
    }
  }
  if (globally && env.profile.major >= 18) {
    const g = globalAmounts18(lines, rounding);
    untaxed = g.untaxed;
    lineDeltas = g.lineDeltas;
    tax = 0;
    for (const [t, cur] of perTax) {
      cur.amount = g.perTaxAmount.get(t) ?? 0;
      cur.base = g.perTaxBase.get(t) ?? cur.base;
      tax += cur.amount;
    }
  } else if (globally) {
    tax = 0;
    for (const v of perTaxRaw.values()) tax += roundTo(v, digits);
    for (const [t, cur] of perTax) cur.amount = roundTo(perTaxRaw.get(t) ?? 0, digits);
  }
  untaxed = roundTo(untaxed, digits);
  tax = roundTo(tax, digits);
  for (const cur of perTax.values()) {
    cur.amount = roundTo(cur.amount, digits);
    cur.base = roundTo(cur.base, digits);
  }
  // A line's tax rounded as a whole (17) can differ by a cent from its taxes rounded one by one: the last tax line
  // takes the difference, so that the tax lines add up to the document's tax.
  const sum = roundTo([...perTax.values()].reduce((s, t) => s + t.amount, 0), digits);
  const last = [...perTax.values()].pop();
  if (last && sum !== tax) last.amount = roundTo(last.amount + tax - sum, digits);
  return { untaxed, tax, total: roundTo(untaxed + tax, digits), lineDeltas, perTax };
}
