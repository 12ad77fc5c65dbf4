import { computeAll } from './tax.engine.ts';
import { flattenTaxes } from './tax.flatten.ts';
import type { ComputeAllOptions, TaxDefinition } from './tax.types.ts';

/**
 * What the product mapping needs from a product's sales taxes (DESIGN §4.3): the gross price exactly as Odoo computes
 * it, and the VAT rate to show.
 */

/** `price_with_tax`: Odoo's `total_included` for one unit at `price` (gross = price when the taxes are included). */
export function priceWithTax(taxes: readonly TaxDefinition[], price: number, options: Omit<ComputeAllOptions, 'quantity'>): number {
  return computeAll(taxes, price, { ...options, quantity: 1 }).total_included;
}

/**
 * `vat_rate`: the rate of the first percent tax, in Odoo's evaluation order (a group contributes its first percent
 * child). null when there is none — the caller sends 0 and warns.
 */
export function firstPercentRate(taxes: readonly TaxDefinition[], catalog?: ComputeAllOptions['catalog']): number | null {
  const flat = flattenTaxes(taxes, { version: 18, roundingMethod: 'round_per_line', catalog }, true);
  const first = flat.find((f) => f.tax.amount_type === 'percent');
  return first ? first.tax.amount : null;
}
