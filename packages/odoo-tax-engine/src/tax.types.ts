/**
 * Types of the tax engine: a tax as read from Odoo's `account.tax`, the options of one computation and the result in
 * the shape of Odoo's `account.tax.compute_all`.
 */

export type OdooMajor = 17 | 18 | 19;

export type TaxAmountType = 'percent' | 'fixed' | 'division' | 'group';

export type TaxRoundingMethod = 'round_per_line' | 'round_globally';

/** The tax repartition line of type "tax" used for invoices or refunds (Odoo's defaults have exactly one, 100 %). */
export interface TaxRepartitionLine {
  id?: number | null;
  /** Its account (`false`/absent = none: such a line counts in `total_void`). */
  account_id?: number | false | null;
  /** Defaults to "has an account", as Odoo computes it for ordinary accounts. */
  use_in_tax_closing?: boolean;
}

/**
 * An `account.tax` record, with the field names Odoo uses (read it with `read`/`search_read`). Many2one values may be
 * `[id, name]` pairs or bare ids; only the fields below matter to the computation.
 */
export interface TaxDefinition {
  id: number;
  name?: string;
  amount: number;
  amount_type: TaxAmountType;
  /** 17: the stored flag. 18/19: the computed value as read (used only when `price_include_override` is unknown). */
  price_include?: boolean;
  /** 18/19: `'tax_included'`, `'tax_excluded'` or `false` (= the company's `account_price_include`). */
  price_include_override?: 'tax_included' | 'tax_excluded' | false | null;
  include_base_amount?: boolean;
  /** Defaults to true, as in Odoo. */
  is_base_affected?: boolean;
  /** Defaults to 1, as in Odoo. */
  sequence?: number;
  /** Children of a group (`amount_type: 'group'`); resolved through `ComputeAllOptions.catalog`. */
  children_tax_ids?: readonly number[];
  analytic?: boolean;
  tax_exigibility?: 'on_invoice' | 'on_payment';
  invoice_repartition?: TaxRepartitionLine;
  refund_repartition?: TaxRepartitionLine;
}

export interface ComputeAllOptions {
  /** Which Odoo's behaviour to reproduce (17 and 18/19 differ in rounding, base handling and result shape). */
  version: OdooMajor;
  /** The company's `tax_calculation_rounding_method`. */
  roundingMethod: TaxRoundingMethod;
  quantity?: number;
  /** The currency's `rounding` (USD/EUR: 0.01). Default 0.01. */
  currencyRounding?: number;
  /** 18/19: the company's `account_price_include` (default `'tax_excluded'`). */
  companyPriceInclude?: 'tax_included' | 'tax_excluded';
  isRefund?: boolean;
  /** false = the price is the base of every tax, price-included ones too (Odoo's `handle_price_include`). */
  handlePriceInclude?: boolean;
  /** 17 only: `fixed_multiplicator` (fixed taxes are multiplied by its absolute value). */
  fixedMultiplicator?: number;
  /** Odoo context keys that change the computation: `round` (17), `round_base`, `force_price_include`. */
  context?: { round?: boolean; round_base?: boolean; force_price_include?: boolean };
  /** Every tax a group may refer to, by id (children of groups are looked up here). */
  catalog?: ReadonlyMap<number, TaxDefinition> | readonly TaxDefinition[];
}

/** One line of `taxes` in Odoo's answer (one per tax repartition line; the engine models one line per tax). */
export interface ComputeAllTaxLine {
  id: number;
  name: string;
  amount: number;
  base: number;
  sequence: number;
  account_id: number | false;
  analytic: boolean;
  use_in_tax_closing: boolean;
  /** Present from 18 on. */
  is_reverse_charge?: boolean;
  price_include: boolean;
  tax_exigibility: string;
  tax_repartition_line_id: number | false;
  /** The group the tax came from, as Odoo's repr (`"account.tax(6,)"`); none: `null` in 17, `"account.tax()"` in 18+. */
  group: string | null;
  tag_ids: number[];
  /** Taxes whose base this one affects (`include_base_amount`). */
  tax_ids: number[];
}

export interface ComputeAllResult {
  base_tags: number[];
  taxes: ComputeAllTaxLine[];
  total_excluded: number;
  total_included: number;
  total_void: number;
}
