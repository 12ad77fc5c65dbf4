import { flattenTaxes, taxRepr } from './tax.flatten.ts';
import { floatIsZero, floatRound17 } from './tax.rounding.ts';
import type { ComputeAllOptions, ComputeAllResult, ComputeAllTaxLine, TaxDefinition } from './tax.types.ts';

/**
 * Odoo 17's `account.tax.compute_all` (the pre-18 engine): walk the taxes backwards to strip price-included ones and
 * find the untaxed base (rounded to the currency), then forwards to compute each amount, using "checkpoints" (the
 * total a run of price-included taxes must reach) so that included taxes add up exactly to the price.
 * Under round_globally amounts are rounded to the currency step × 1e-5 (7 decimals for cents), not to the cent.
 * Every float operation is kept in Odoo's order so the results carry the same noise (`19.900000000000002`).
 */
export function computeAll17(taxes: readonly TaxDefinition[], priceUnit: number, options: ComputeAllOptions): ComputeAllResult {
  const flat = flattenTaxes(taxes, options, false);
  const quantity = options.quantity ?? 1;
  const currencyStep = options.currencyRounding ?? 0.01;
  const context = options.context ?? {};
  const fixedMultiplicator = options.fixedMultiplicator ?? 1;
  const handlePriceInclude = options.handlePriceInclude ?? true;
  const roundBase = context.round_base ?? true;
  const currencyRound = (v: number) => floatRound17(v, currencyStep);

  let roundTax = options.roundingMethod !== 'round_globally';
  if (context.round !== undefined) roundTax = Boolean(context.round);
  const prec = roundTax ? currencyStep : currencyStep * 1e-5;
  const round = (v: number) => floatRound17(v, prec);
  const isPriceIncluded = (tax: TaxDefinition) => context.force_price_include ?? Boolean(tax.price_include);
  // The engine models one "tax" repartition line of 100 % per tax (Odoo's default); its factor is 1.
  const factor: number = 1;

  let base = priceUnit * quantity;
  if (roundBase) base = currencyRound(base);

  // Negative lines are computed on positive values and negated at the end.
  let sign = 1;
  if (floatIsZero(base, currencyStep, 'legacy17')) sign = fixedMultiplicator < 0 ? -1 : 1;
  else if (base < 0) {
    sign = -1;
    base = -base;
  }

  // Backwards: accumulate the price-included taxes of each run and remember the total each run must reach.
  const checkpoints = new Map<number, number>();
  let included = { percent: 0, division: 0, fixed: 0 };
  const recomputeBase = (amount: number) => {
    const out = (amount - included.fixed) / (1.0 + included.percent / 100.0) * (100 - included.division) / 100;
    included = { percent: 0, division: 0, fixed: 0 };
    return out;
  };
  if (handlePriceInclude) {
    let storeCheckpoint = true;
    let isBaseAffected = true;
    for (let i = flat.length - 1; i >= 0; i--) {
      const tax = flat[i].tax;
      if (tax.include_base_amount && isBaseAffected) {
        base = recomputeBase(base);
        storeCheckpoint = true;
      }
      if (isPriceIncluded(tax)) {
        if (tax.amount_type === 'percent') included.percent += tax.amount * factor;
        else if (tax.amount_type === 'division') included.division += tax.amount * factor;
        else if (tax.amount_type === 'fixed') included.fixed += Math.abs(quantity) * tax.amount * factor * Math.abs(fixedMultiplicator);
        // A zero tax has nothing to reach: no checkpoint for it.
        if (storeCheckpoint && tax.amount) {
          checkpoints.set(i, base);
          storeCheckpoint = false;
        }
      }
      isBaseAffected = tax.is_base_affected ?? true;
    }
  }

  let totalExcluded = recomputeBase(base);
  if (roundBase) totalExcluded = currencyRound(totalExcluded);

  // Forwards: each tax's amount, on the base as affected by earlier include_base_amount taxes.
  base = totalExcluded;
  let totalIncluded = totalExcluded;
  let totalVoid = totalExcluded;
  let skipCheckpoint = false;
  let cumulatedIncluded = 0;
  const lines: ComputeAllTaxLine[] = [];
  flat.forEach(({ tax, group }, i) => {
    const priceInclude = isPriceIncluded(tax);
    const taxBase = priceInclude || (tax.is_base_affected ?? true) ? base : totalExcluded;
    let taxAmount: number;
    const checkpoint = checkpoints.get(i);
    if (!skipCheckpoint && priceInclude && checkpoint !== undefined && factor !== 0) {
      // The total to reach is known: subtract, so included taxes never drift by a cent.
      taxAmount = checkpoint - (base + cumulatedIncluded);
      cumulatedIncluded = 0;
    } else {
      taxAmount = amountOf(tax, taxBase, quantity, fixedMultiplicator);
    }
    taxAmount = round(taxAmount);
    const factorized = round(taxAmount * factor);
    if (priceInclude && checkpoint === undefined) cumulatedIncluded += factorized;

    const subsequent = tax.include_base_amount ? flat.slice(i + 1).filter((f) => f.tax.is_base_affected ?? true).map((f) => f.tax.id) : [];
    const repartition = (options.isRefund ? tax.refund_repartition : tax.invoice_repartition) ?? {};
    const lineAmount = round(taxAmount * factor);
    lines.push({
      id: tax.id,
      name: tax.name ?? '',
      amount: sign * lineAmount,
      base: round(sign * taxBase),
      sequence: tax.sequence ?? 1,
      account_id: repartition.account_id || false,
      analytic: tax.analytic ?? false,
      use_in_tax_closing: repartition.use_in_tax_closing ?? Boolean(repartition.account_id),
      price_include: priceInclude,
      tax_exigibility: tax.tax_exigibility ?? 'on_invoice',
      tax_repartition_line_id: repartition.id ?? false,
      group: group ? taxRepr(group) : null,
      tag_ids: [],
      tax_ids: subsequent,
    });
    if (!repartition.account_id) totalVoid += lineAmount;

    if (tax.include_base_amount) {
      base += factorized;
      if (!priceInclude) skipCheckpoint = true;
    }
    totalIncluded += factorized;
  });

  if (roundBase) totalIncluded = currencyRound(totalIncluded);
  return {
    base_tags: [],
    taxes: lines,
    total_excluded: sign * totalExcluded,
    total_included: sign * totalIncluded,
    total_void: sign * totalVoid,
  };
}

/** Odoo 17's `_compute_amount` with price inclusion forced off (the forward pass computes on the untaxed base). */
function amountOf(tax: TaxDefinition, baseAmount: number, quantity: number, fixedMultiplicator: number): number {
  switch (tax.amount_type) {
    case 'fixed':
      // The sign of the base carries the sign of the quantity and of the price (returns).
      return baseAmount ? Math.abs(quantity) * Math.sign(baseAmount) * tax.amount * Math.abs(fixedMultiplicator) : quantity * tax.amount * Math.abs(fixedMultiplicator);
    case 'percent':
      return baseAmount * tax.amount / 100;
    case 'division':
      return 1 - tax.amount / 100 ? baseAmount / (1 - tax.amount / 100) - baseAmount : 0.0;
    default:
      return 0.0;
  }
}
