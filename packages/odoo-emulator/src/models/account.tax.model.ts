/**
 * account.tax: the taxes, `compute_all` over RPC (wired to the tax engine of src/taxes, which reproduces Odoo's
 * computation for each version), and 18/19's computed `price_include` (from `price_include_override` and the
 * company's `account_price_include`). Invoices are in account.move.model.ts.
 */
import { Model, NOT_COMPUTED, type MethodCall } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { attributeError } from '../errors/odoo.errors.ts';
import { computeAll } from '@poleepo-odoo/odoo-tax-engine';
import type { ComputeAllResult, TaxDefinition } from '@poleepo-odoo/odoo-tax-engine';
import { pyFloat } from '../http/pyjson.ts';

export class AccountTax extends Model {
  readonly name = 'account.tax';
  description = 'Tax';
  order = 'sequence,id';
  override companyRule = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return { repartition_account_id: { type: 'integer', string: 'Tax account of the repartition lines' } };
  }

  override hiddenFields(): string[] {
    return ['repartition_account_id'];
  }

  override defaults(env: Env): Record<string, unknown> {
    const company = env.model('res.company').table.get(env.companyId);
    const group = [...env.model('account.tax.group').table.rows.values()].find((g) => g.company_id === env.companyId);
    const d: Record<string, unknown> = {
      amount_type: 'percent',
      type_tax_use: 'sale',
      active: true,
      sequence: 1,
      include_base_amount: false,
      is_base_affected: true,
      company_id: env.companyId,
      tax_group_id: group?.id ?? false,
      country_id: company?.account_fiscal_country_id ?? company?.country_id ?? false,
      tax_exigibility: 'on_invoice',
      invoice_label: false,
      description: false,
      amount: 0,
    };
    if (this.fields.has('price_include_override')) d.price_include_override = false;
    else d.price_include = false;
    return d;
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    if (field === 'price_include' && this.fields.has('price_include_override')) {
      const override = rec.price_include_override;
      if (override) return override === 'tax_included';
      return env.model('res.company').table.get(rec.company_id as number)?.account_price_include === 'tax_included';
    }
    return NOT_COMPUTED;
  }

  /** The tax as the engine wants it (repartition line ids follow Odoo's creation order: 4 lines per tax). */
  definition(rec: Rec, env: Env): TaxDefinition {
    const account = (rec.repartition_account_id as number | undefined) || false;
    return {
      id: rec.id,
      name: rec.name as string,
      amount: Number(rec.amount) || 0,
      amount_type: rec.amount_type as TaxDefinition['amount_type'],
      price_include: Boolean(this.getter('price_include')(rec, env)),
      price_include_override: this.fields.has('price_include_override') ? ((rec.price_include_override as TaxDefinition['price_include_override']) ?? false) : undefined,
      include_base_amount: Boolean(rec.include_base_amount),
      is_base_affected: rec.is_base_affected !== false,
      sequence: (rec.sequence as number) ?? 1,
      children_tax_ids: (rec.children_tax_ids as number[]) ?? [],
      tax_exigibility: (rec.tax_exigibility as 'on_invoice' | 'on_payment') ?? 'on_invoice',
      invoice_repartition: { id: 4 * (rec.id - 1) + 2, account_id: account },
      refund_repartition: { id: 4 * (rec.id - 1) + 4, account_id: account },
    };
  }

  /** Runs the tax engine for these taxes with the company's settings. */
  computeFor(env: Env, taxIds: number[], priceUnit: number, options: { quantity?: number; isRefund?: boolean; handlePriceInclude?: boolean; fixedMultiplicator?: number; currencyRounding?: number; companyId?: number }): ComputeAllResult {
    const taxes = taxIds.map((id) => this.table.get(id)).filter((t): t is Rec => Boolean(t)).map((t) => this.definition(t, env));
    const companyId = options.companyId ?? (taxes.length ? (this.table.get(taxes[0].id)!.company_id as number) : env.companyId);
    const company = env.model('res.company').table.get(companyId);
    const catalog = [...this.table.rows.values()].map((t) => this.definition(t, env));
    const ctx = env.context;
    return computeAll(taxes, priceUnit, {
      version: env.profile.major,
      roundingMethod: (company?.tax_calculation_rounding_method as 'round_per_line' | 'round_globally') ?? 'round_per_line',
      quantity: options.quantity ?? 1,
      currencyRounding: options.currencyRounding ?? 0.01,
      companyPriceInclude: (company?.account_price_include as 'tax_included' | 'tax_excluded' | undefined) ?? 'tax_excluded',
      isRefund: options.isRefund ?? false,
      handlePriceInclude: options.handlePriceInclude ?? true,
      fixedMultiplicator: options.fixedMultiplicator,
      context: { round: ctx.round as boolean | undefined, round_base: ctx.round_base as boolean | undefined, force_price_include: ctx.force_price_include as boolean | undefined },
      catalog,
    });
  }

  protected override registerMethods(): void {
    const v = this.registry.profile;
    const params = ['price_unit', 'currency', 'quantity', 'product', 'partner', 'is_refund', 'handle_price_include', 'include_caba_tags'];
    if (v.major === 17) params.push('fixed_multiplicator');
    const defaults: Record<string, unknown> = { currency: null, quantity: 1.0, product: null, partner: null, is_refund: false, handle_price_include: true, include_caba_tags: false };
    if (v.major === 17) defaults.fixed_multiplicator = 1;
    this.method('compute_all', { api: 'records', params, defaults, qualname: 'AccountTax.compute_all', impl: (c) => this.computeAllRpc(c) });
  }

  private computeAllRpc(c: MethodCall): unknown {
    const p = c.p;
    for (const arg of ['product', 'partner', 'currency'] as const) {
      if (typeof p[arg] === 'number') throw attributeError(`'int' object has no attribute '${c.env.profile.major === 17 ? 'sudo' : '_origin'}'`);
    }
    const result = this.computeFor(c.env, c.ids, Number(p.price_unit), {
      quantity: Number(p.quantity),
      isRefund: Boolean(p.is_refund),
      handlePriceInclude: p.handle_price_include !== false,
      fixedMultiplicator: p.fixed_multiplicator === undefined ? undefined : Number(p.fixed_multiplicator),
    });
    return pythonFloats(result);
  }
}

/** Amounts of compute_all are Python floats (`30.0`); ids and sequences stay ints. */
function pythonFloats(r: ComputeAllResult): unknown {
  return {
    base_tags: r.base_tags,
    taxes: r.taxes.map((t) => ({ ...t, amount: pyFloat(t.amount), base: pyFloat(t.base) })),
    total_excluded: pyFloat(r.total_excluded),
    total_included: pyFloat(r.total_included),
    total_void: pyFloat(r.total_void),
  };
}
