/**
 * Amounts of a taxed document (a sale order or an invoice), computed the same way for both so that an invoice of a
 * whole order has the order's amounts to the cent: each line through the tax engine (`account.tax.computeFor`, the
 * version's `compute_all`), then the document's tax rounded per line or globally as the company says
 * (`tax_calculation_rounding_method`). 17 takes a line's tax as its rounded total less its rounded base; 18/19 take
 * the total as the rounded sum of the base and the taxes.
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
}

export interface DocumentAmounts {
  untaxed: number;
  tax: number;
  total: number;
  /** The document's tax per tax id (what its tax lines hold); they add up to `tax`. */
  perTax: Map<number, { amount: number; base: number; accountId: number | false }>;
}

/** One line's subtotal, tax and total (the company's rounding per line). */
export function computeLineAmounts(env: Env, line: TaxedLine, companyId: number, isRefund = false): LineAmounts {
  const taxes = env.model('account.tax') as AccountTax;
  const price = (line.priceUnit || 0) * (1 - (line.discount || 0) / 100);
  const qty = line.quantity || 0;
  const rounded = taxes.computeFor(env, line.taxIds, price, { quantity: qty, companyId, isRefund });
  // Unrounded amounts (a tiny currency rounding) for the global rounding of the document's taxes.
  const raw = new Map<number, number>();
  const exact = taxes.computeFor(env.withContext({ round: false }), line.taxIds, price, { quantity: qty, companyId, currencyRounding: 1e-9, isRefund });
  for (const t of exact.taxes) raw.set(t.id, (raw.get(t.id) ?? 0) + t.amount);
  const subtotal = roundTo(rounded.total_excluded, 2);
  let tax: number;
  let total: number;
  if (env.profile.major === 17) {
    tax = roundTo(rounded.total_included - rounded.total_excluded, 2);
    total = roundTo(rounded.total_included, 2);
  } else {
    // 18/19: the total is the rounded sum of subtotal and taxes; the tax is what remains (float noise kept).
    total = roundTo(subtotal + rounded.taxes.reduce((s, t) => s + t.amount, 0), 2);
    tax = total - subtotal;
  }
  const lineTaxes = rounded.taxes.map((t) => ({ id: t.id, amount: roundTo(t.amount, 2), base: roundTo(t.base, 2), accountId: (t.account_id || false) as number | false }));
  return { subtotal, tax, total, raw, taxes: lineTaxes };
}

/** The document's amounts from its lines' (per line or global rounding of the taxes). */
export function documentAmounts(env: Env, lines: LineAmounts[], companyId: number): DocumentAmounts {
  const company = env.model('res.company').table.get(companyId);
  const globally = company?.tax_calculation_rounding_method === 'round_globally';
  let untaxed = 0;
  let tax = 0;
  const perTaxRaw = new Map<number, number>();
  const perTax = new Map<number, { amount: number; base: number; accountId: number | false }>();
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
  if (globally) {
    tax = 0;
    for (const v of perTaxRaw.values()) tax += roundTo(v, 2);
    for (const [t, cur] of perTax) cur.amount = roundTo(perTaxRaw.get(t) ?? 0, 2);
  }
  untaxed = roundTo(untaxed, 2);
  tax = roundTo(tax, 2);
  for (const cur of perTax.values()) {
    cur.amount = roundTo(cur.amount, 2);
    cur.base = roundTo(cur.base, 2);
  }
  // A line's tax rounded as a whole (17) can differ by a cent from its taxes rounded one by one: the last tax line
  // takes the difference, so that the tax lines add up to the document's tax.
  const sum = roundTo([...perTax.values()].reduce((s, t) => s + t.amount, 0), 2);
  const last = [...perTax.values()].pop();
  if (last && sum !== tax) last.amount = roundTo(last.amount + tax - sum, 2);
  return { untaxed, tax, total: roundTo(untaxed + tax, 2), perTax };
}
