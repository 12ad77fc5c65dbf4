/**
 * product.pricelist (Odoo 17/18/19 `product/models/product_pricelist.py`): name, currency (the company's by
 * default), company (none: shared), active, sequence; `item_ids` stays empty here: a pricelist without rules keeps the
 * product's list price. The recorded demo databases show no pricelist (the "Default" one comes with the pricelist
 * setting, which they do not have), so none is seeded. A sale order's currency is its pricelist's (sale.model.ts).
 */
import { Model } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';

export class ProductPricelist extends Model {
  readonly name = 'product.pricelist';
  description = 'Pricelist';
  order = 'sequence, id, name';
  override companyRule = true;

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Pricelist Name', required: true, translate: true },
      active: { type: 'boolean', string: 'Active', help: 'If unchecked, it will allow you to hide the pricelist without removing it.' },
      sequence: { type: 'integer', string: 'Sequence' },
      currency_id: { type: 'many2one', relation: 'res.currency', string: 'Currency', required: true },
      company_id: { type: 'many2one', relation: 'res.company', string: 'Company' },
      // No rules are modelled (product.pricelist.item is not served): always empty.
      item_ids: { type: 'one2many', relation: 'product.pricelist.item', relationField: 'pricelist_id', string: 'Pricelist Rules', store: false, readonly: true },
    };
  }

  override defaults(env: Env): Record<string, unknown> {
    const company = env.model('res.company').table.get(env.companyId);
    return { active: true, sequence: 16, currency_id: company?.currency_id ?? 1, company_id: false };
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    if (field === 'item_ids') return [];
    return super.compute(field, rec, env);
  }

  /** `_compute_display_name`: "name (currency)". */
  override displayName(rec: Rec, env: Env): string {
    const currency = env.model('res.currency').table.get(rec.currency_id as number);
    return currency ? `${rec.name} (${currency.name})` : String(rec.name);
  }

  override displayDepends(): string[] {
    return ['currency_id'];
  }
}
