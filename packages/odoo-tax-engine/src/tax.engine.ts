/**
 * The tax engine: Odoo's `account.tax.compute_all`, reproduced for Odoo 17, 18 and 19 without calling Odoo.
 *
 *   computeAll(taxes, priceUnit, options) → ComputeAllResult
 *
 * - `taxes`: the `account.tax` records applied (as read from Odoo: `amount`, `amount_type`, `price_include` (17) or
 *   `price_include_override` (18/19), `include_base_amount`, `is_base_affected`, `sequence`, `children_tax_ids`…).
 *   Groups are expanded through `options.catalog` (every tax a group may name).
 * - `priceUnit`: the unit price, as given to Odoo (gross when the taxes are price-included).
 * - `options`: `version` (17 | 18 | 19), `roundingMethod` (the company's `tax_calculation_rounding_method`),
 *   `quantity` (1), `currencyRounding` (0.01), `companyPriceInclude` (18/19 company `account_price_include`),
 *   `isRefund`, `handlePriceInclude` (true), `fixedMultiplicator` (17), `context` (`round`, `round_base`,
 *   `force_price_include`).
 * - Result: Odoo's answer for that version, float for float: `{base_tags, taxes: [{id, name, amount, base, sequence,
 *   account_id, analytic, use_in_tax_closing, is_reverse_charge (18+), price_include, tax_exigibility,
 *   tax_repartition_line_id, group, tag_ids, tax_ids}], total_excluded, total_included, total_void}`.
 *
 * Pure: no I/O, no clock. Held to `recordings/odoo-taxes-golden.json` (test/taxes.golden.test.ts). Not modelled: Python
 * (code) taxes, several repartition lines per tax or factors other than 100 %, reverse-charge (negative factor) lines,
 * tags, and the Indian special case of 17; product/partner arguments do not change the amounts of these tax types.
 */
import { TaxInputError } from './tax.errors.ts';
import { computeAll17 } from './tax.engine17.ts';
import { computeAll18 } from './tax.engine18.ts';
import type { ComputeAllOptions, ComputeAllResult, TaxDefinition } from './tax.types.ts';

export type * from './tax.types.ts';
export { isPriceIncluded18 as isPriceIncludedFrom18 } from './tax.engine18.ts';

export function computeAll(taxes: readonly TaxDefinition[], priceUnit: number, options: ComputeAllOptions): ComputeAllResult {
  if (!Number.isFinite(priceUnit)) throw new TaxInputError(`compute_all needs a finite price (got ${priceUnit})`);
  if (options.quantity !== undefined && !Number.isFinite(options.quantity)) throw new TaxInputError(`compute_all needs a finite quantity (got ${options.quantity})`);
  if (options.currencyRounding !== undefined && !(options.currencyRounding > 0)) throw new TaxInputError(`currency rounding must be positive (got ${options.currencyRounding})`);
  switch (options.version) {
    case 17:
      return computeAll17(taxes, priceUnit, options);
    case 18:
    case 19:
      return computeAll18(taxes, priceUnit, options);
    default:
      throw new TaxInputError(`The tax engine knows Odoo 17, 18 and 19 (got ${String(options.version)})`);
  }
}
