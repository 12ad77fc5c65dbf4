import { computeAll, isPriceIncludedFrom18, type ComputeAllOptions, type OdooMajor, type TaxDefinition, type TaxRoundingMethod } from '../shared/tax-engine.ts';

/**
 * Marketplace prices are kept as they are (docs/poleepo-api.md: line prices are tax included). For each line the
 * connector picks taxes and a unit price so that Odoo's own computation gives the marketplace amount, checking every
 * candidate with the tax engine (Odoo's compute_all, version for version):
 *   1. the product's sales taxes (or, when Poleepo gives a VAT rate they do not carry, the company's sales tax of that
 *      rate), if they are price-included: unit price = the marketplace price;
 *   2. their price-included twins (same type and amount) when the company has them: unit price = the marketplace price;
 *   3. the excluded taxes with the net unit price (rounded to the price precision), which may miss by a cent or two.
 * The first candidate whose line total equals the marketplace amount wins; if none does, the closest one is used, the
 * gap is reported, and the order-level total comparison decides whether it is worth a flag.
 */
export interface TaxSetup {
  version: OdooMajor;
  roundingMethod: TaxRoundingMethod;
  /** 18+: the company's default for taxes without an override. */
  companyPriceInclude: 'tax_included' | 'tax_excluded';
  currencyRounding: number;
  /** Decimal places of unit prices (Odoo's "Product Price" precision, 2 by default). */
  priceDigits: number;
  /** The company's active sales taxes, by id (children of groups included). */
  taxes: ReadonlyMap<number, TaxDefinition>;
}

export interface LinePricing {
  taxIds: number[];
  priceUnit: number;
  /** What Odoo will compute for the line (tax included). */
  lineTotal: number;
  /** The marketplace amount of the line (price × quantity). */
  target: number;
  included: boolean;
  /** A note for people when the taxes are not the product's own (always worth a flag). */
  note: string | null;
  /**
   * When Odoo's amount cannot equal the marketplace's (excluded taxes round the net to the price precision): by how
   * much. Shown only when the order's total differs by more than the connection's threshold.
   */
  gap: string | null;
}

export function isIncluded(tax: TaxDefinition, setup: TaxSetup): boolean {
  return setup.version === 17 ? Boolean(tax.price_include) : isPriceIncludedFrom18(tax, setup.companyPriceInclude);
}

export function priceLine(setup: TaxSetup, productTaxIds: readonly number[], gross: number, quantity: number, vatRate: number | null | undefined): LinePricing {
  const target = round(gross * quantity, 2);
  let base = productTaxIds.map((id) => setup.taxes.get(id)).filter((t): t is TaxDefinition => Boolean(t));
  let note: string | null = null;
  if (typeof vatRate === 'number' && !carriesRate(base, vatRate)) {
    if (vatRate === 0) base = [];
    else {
      const byRate = [...setup.taxes.values()].filter((t) => t.amount_type === 'percent' && t.amount === vatRate);
      const [firstByRate] = byRate;
      if (firstByRate) {
        base = [byRate.find((t) => isIncluded(t, setup)) ?? firstByRate];
        // The marketplace's rate wins over the product's own taxes (the customer paid that VAT); not worth a flag.
      } else {
        note = `VAT ${vatRate}% on Poleepo but the company has no sales tax of that rate: the product's own taxes were used`;
      }
    }
  }
  const candidates: { taxes: TaxDefinition[]; priceUnit: number; included: boolean }[] = [];
  if (base.every((t) => isIncluded(t, setup))) candidates.push({ taxes: base, priceUnit: round(gross, setup.priceDigits), included: true });
  else {
    const twins = base.map((t) => (isIncluded(t, setup) ? t : twinOf(t, setup)));
    if (twins.every((t): t is TaxDefinition => Boolean(t))) candidates.push({ taxes: twins as TaxDefinition[], priceUnit: round(gross, setup.priceDigits), included: true });
    const excluded = base.filter((t) => !isIncluded(t, setup));
    const others = base.filter((t) => isIncluded(t, setup));
    const net = computeAll([...others, ...excluded], gross, { ...options(setup, 1), currencyRounding: 1e-9, context: { force_price_include: true } }).total_excluded;
    candidates.push({ taxes: base, priceUnit: round(net, setup.priceDigits), included: false });
  }
  let best: LinePricing | null = null;
  for (const c of candidates) {
    const lineTotal = round(computeAll(c.taxes, c.priceUnit, options(setup, quantity)).total_included, 2);
    const pricing: LinePricing = { taxIds: c.taxes.map((t) => t.id), priceUnit: c.priceUnit, lineTotal, target, included: c.included, note, gap: null };
    if (Math.abs(lineTotal - target) < 0.005) return pricing;
    if (!best || Math.abs(lineTotal - target) < Math.abs(best.lineTotal - target)) best = pricing;
  }
  const chosen = best!;
  return { ...chosen, gap: `line total ${chosen.lineTotal.toFixed(2)} in Odoo vs ${target.toFixed(2)} on the marketplace` };
}

/** The taxes carry exactly this rate (a single percent tax, or none for 0 %). */
function carriesRate(taxes: TaxDefinition[], rate: number): boolean {
  if (taxes.length === 0) return rate === 0;
  const percent = taxes.filter((t) => t.amount_type === 'percent');
  return percent.length === taxes.length && Math.abs(percent.reduce((s, t) => s + t.amount, 0) - rate) < 1e-9;
}

/** The price-included tax of the same type and amount, when the company has one. */
function twinOf(tax: TaxDefinition, setup: TaxSetup): TaxDefinition | undefined {
  if (tax.amount_type === 'group') return undefined;
  return [...setup.taxes.values()].find((t) => t.id !== tax.id && t.amount_type === tax.amount_type && t.amount === tax.amount && isIncluded(t, setup)
    && Boolean(t.include_base_amount) === Boolean(tax.include_base_amount));
}

function options(setup: TaxSetup, quantity: number): ComputeAllOptions {
  return {
    version: setup.version, roundingMethod: setup.roundingMethod, companyPriceInclude: setup.companyPriceInclude,
    currencyRounding: setup.currencyRounding, quantity, catalog: setup.taxes,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round((value + Number.EPSILON * Math.sign(value)) * f) / f;
}
