import { flattenTaxes, taxRepr, type FlatTax } from './tax.flatten.ts';
import { floatRound18 } from './tax.rounding.ts';
import type { ComputeAllOptions, ComputeAllResult, ComputeAllTaxLine, TaxDefinition } from './tax.types.ts';

type SpecialMode = false | 'total_excluded' | 'total_included';

interface TaxState {
  flat: FlatTax;
  index: number;
  priceInclude: boolean;
  batch: TaxState[];
  extraBaseForTax: number;
  extraBaseForBase: number;
  taxAmount?: number;
  base?: number;
  subsequent: number[];
}

/**
 * Odoo 18/19's tax engine (`_get_tax_details` + the `compute_all` wrapper): taxes are grouped in batches (adjacent
 * taxes of the same kind computed together, e.g. two price-included percentages share one divisor), fixed taxes are
 * evaluated first, then price-included taxes backwards, then price-excluded taxes forwards; each computed amount is
 * propagated to the bases of the taxes it affects. Amounts are rounded per tax only with round_per_line; the
 * `compute_all` answer rounds each tax amount and the two totals to the currency, never the bases or `total_void`.
 */
export function computeAll18(taxes: readonly TaxDefinition[], priceUnit: number, options: ComputeAllOptions): ComputeAllResult {
  const quantity = options.quantity ?? 1;
  const step = options.currencyRounding ?? 0.01;
  const context = options.context ?? {};
  const perLine = options.roundingMethod === 'round_per_line';
  const specialMode: SpecialMode = context.force_price_include !== undefined
    ? (context.force_price_include ? 'total_included' : 'total_excluded')
    : options.handlePriceInclude === false ? 'total_excluded' : false;
  const priceIncluded = (tax: TaxDefinition) => isPriceIncluded18(tax, options.companyPriceInclude);

  const sorted: TaxState[] = flattenTaxes(taxes, options, true).map((flat, index) => ({
    flat, index, batch: [], extraBaseForTax: 0, extraBaseForBase: 0, subsequent: [],
    priceInclude: specialMode === 'total_included' ? true : specialMode === 'total_excluded' ? false : priceIncluded(flat.tax),
  }));
  assignBatches(sorted, specialMode, priceIncluded);

  let rawBase = quantity * priceUnit;
  if (perLine) rawBase = floatRound18(rawBase, step);

  const evaluate = (state: TaxState, fn: (state: TaxState, base: number) => number | null) => {
    if (state.taxAmount !== undefined) return;
    const amount = fn(state, rawBase + state.extraBaseForTax);
    if (amount === null) return;
    state.taxAmount = perLine ? floatRound18(amount, step) : amount;
    propagateExtraBase(state, sorted, specialMode, priceIncluded);
  };
  // Fixed taxes first (they can change the base of a price-included batch), then included backwards, excluded forwards.
  for (const s of [...sorted].reverse()) evaluate(s, (st) => fixedAmount(st.flat.tax, priceUnit, quantity));
  for (const s of [...sorted].reverse()) if (s.priceInclude) evaluate(s, priceIncludedAmount);
  for (const s of sorted) if (!s.priceInclude) evaluate(s, priceExcludedAmount);

  const subsequent: number[] = [];
  for (const s of [...sorted].reverse()) {
    if (s.taxAmount === undefined) continue;
    const batchTotal = s.batch.reduce((sum, other) => sum + (other.taxAmount ?? 0), 0);
    let base = rawBase + s.extraBaseForBase;
    if (s.priceInclude && (specialMode === false || specialMode === 'total_included')) base -= batchTotal;
    s.base = base;
    s.subsequent = s.flat.tax.include_base_amount ? [...subsequent] : [];
    if (s.flat.tax.is_base_affected ?? true) subsequent.push(s.flat.tax.id);
  }

  const computed = sorted.filter((s) => s.taxAmount !== undefined);
  const rawTotalExcluded = computed.length ? computed[0].base! : rawBase;
  const rawTotalIncluded = computed.length ? rawTotalExcluded + computed.reduce((sum, s) => sum + s.taxAmount!, 0) : rawBase;

  const round = (v: number) => floatRound18(v, step);
  let totalVoid = rawTotalExcluded;
  const lines: ComputeAllTaxLine[] = computed.map((s) => {
    const tax = s.flat.tax;
    const repartition = (options.isRefund ? tax.refund_repartition : tax.invoice_repartition) ?? {};
    const amount = round(s.taxAmount!);
    if (!repartition.account_id) totalVoid += amount;
    return {
      id: tax.id,
      name: tax.name ?? '',
      amount,
      base: s.base!,
      sequence: tax.sequence ?? 1,
      account_id: repartition.account_id || false,
      analytic: tax.analytic ?? false,
      use_in_tax_closing: repartition.use_in_tax_closing ?? Boolean(repartition.account_id),
      is_reverse_charge: false,
      price_include: priceIncluded(tax),
      tax_exigibility: tax.tax_exigibility ?? 'on_invoice',
      tax_repartition_line_id: repartition.id ?? false,
      group: taxRepr(s.flat.group),
      tag_ids: [],
      tax_ids: s.subsequent,
    };
  });

  const roundBase = context.round_base ?? true;
  return {
    base_tags: [],
    taxes: lines,
    total_excluded: roundBase ? round(rawTotalExcluded) : rawTotalExcluded,
    total_included: roundBase ? round(rawTotalIncluded) : rawTotalIncluded,
    total_void: totalVoid,
  };
}

/** 18+: `price_include` is computed from the tax's override, else the company's default. */
export function isPriceIncluded18(tax: TaxDefinition, companyDefault: ComputeAllOptions['companyPriceInclude']): boolean {
  if (tax.price_include_override === 'tax_included') return true;
  if (tax.price_include_override === 'tax_excluded') return false;
  if (tax.price_include_override === false || tax.price_include_override === null) return companyDefault === 'tax_included';
  // The override is unknown (not read): trust the computed flag as read, else the company's default.
  return tax.price_include ?? companyDefault === 'tax_included';
}

/** Adjacent taxes of the same type, inclusion and base behaviour form one batch (walked from the end). */
function assignBatches(sorted: TaxState[], specialMode: SpecialMode, priceIncluded: (t: TaxDefinition) => boolean): void {
  let batch: TaxState[] = [];
  let isBaseAffected = false;
  const close = () => {
    for (const member of batch) member.batch = batch;
    batch = [];
  };
  for (const s of [...sorted].reverse()) {
    const tax = s.flat.tax;
    if (batch.length) {
      const first = batch[0].flat.tax;
      const includeBase = Boolean(tax.include_base_amount);
      const sameBatch = tax.amount_type === first.amount_type
        && (specialMode !== false || priceIncluded(tax) === priceIncluded(first))
        && includeBase === Boolean(first.include_base_amount)
        && ((includeBase && !isBaseAffected) || !includeBase);
      if (!sameBatch) close();
    }
    isBaseAffected = tax.is_base_affected ?? true;
    batch.push(s);
  }
  if (batch.length) close();
}

/** Adds a computed amount to the bases of the taxes it affects (before/after it, per inclusion and special mode). */
function propagateExtraBase(state: TaxState, sorted: TaxState[], specialMode: SpecialMode, priceIncluded: (t: TaxDefinition) => boolean): void {
  const tax = state.flat.tax;
  const before = () => { const out: TaxState[] = []; for (const s of sorted) { if (state.batch.includes(s)) break; out.push(s); } return out; };
  const after = () => { const out: TaxState[] = []; for (const s of [...sorted].reverse()) { if (state.batch.includes(s)) break; out.push(s); } return out; };
  const add = (other: TaxState, sign: number) => {
    const amount = state.taxAmount!;
    if (other.taxAmount === undefined) other.extraBaseForTax += sign * amount;
    other.extraBaseForBase += sign * amount;
  };
  const affected = (s: TaxState) => s.flat.tax.is_base_affected ?? true;

  if (priceIncluded(tax)) {
    if (specialMode === false || specialMode === 'total_included') {
      if (tax.include_base_amount) { for (const o of after()) if (!affected(o)) add(o, -1); }
      else for (const o of after()) add(o, -1);
      for (const o of before()) add(o, -1);
    } else if (tax.include_base_amount) {
      for (const o of after()) if (affected(o)) add(o, 1);
    }
  } else if (specialMode === false || specialMode === 'total_excluded') {
    if (tax.include_base_amount) for (const o of after()) if (affected(o)) add(o, 1);
  } else {
    if (!tax.include_base_amount) for (const o of after()) add(o, -1);
    for (const o of before()) add(o, -1);
  }
}

function fixedAmount(tax: TaxDefinition, priceUnit: number, quantity: number): number | null {
  if (tax.amount_type !== 'fixed') return null;
  const sign = priceUnit < 0 ? -1 : 1;
  return sign * quantity * tax.amount;
}

function priceIncludedAmount(state: TaxState, rawBase: number): number | null {
  const tax = state.flat.tax;
  if (tax.amount_type === 'percent') {
    const totalPercentage = state.batch.reduce((sum, s) => sum + s.flat.tax.amount, 0) / 100.0;
    const toExcludedFactor = totalPercentage !== -1 ? 1 / (1 + totalPercentage) : 0.0;
    return rawBase * toExcludedFactor * tax.amount / 100.0;
  }
  if (tax.amount_type === 'division') return rawBase * tax.amount / 100.0;
  return null;
}

function priceExcludedAmount(state: TaxState, rawBase: number): number | null {
  const tax = state.flat.tax;
  if (tax.amount_type === 'percent') return rawBase * tax.amount / 100.0;
  if (tax.amount_type === 'division') {
    const totalPercentage = state.batch.reduce((sum, s) => sum + s.flat.tax.amount, 0) / 100.0;
    const multiplicator = totalPercentage === 1.0 ? 1.0 : 1 - totalPercentage;
    return rawBase * tax.amount / 100.0 / multiplicator;
  }
  return null;
}
