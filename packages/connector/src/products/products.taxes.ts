import { computeAll, firstPercentRate } from '../shared/tax-engine.ts';
import type { OdooMajor, TaxDefinition, TaxRoundingMethod } from '@poleepo-odoo/odoo-tax-engine';
import { hashText } from './products.hash.ts';

/** The company facts a price with tax depends on (res.company, its currency). */
export interface TaxFacts {
  version: OdooMajor;
  companyId: number;
  roundingMethod: TaxRoundingMethod;
  companyPriceInclude: 'tax_included' | 'tax_excluded';
  currencyRounding: number;
}

/** A tax as read from Odoo, with its write_date (the cross-check signature changes when a tax does). */
export interface BookTax extends TaxDefinition {
  companyId: number | null;
  writeDate: string | null;
  active: boolean;
}

/** One product's sales taxes of the connection's company. */
export interface TaxSet {
  key: string;
  ids: number[];
  taxes: BookTax[];
}

/**
 * The connection company's sales taxes and what the mapping needs from them (DESIGN §4.3): `price_with_tax` =
 * Odoo's compute_all total for one unit, `vat_rate` = the first percent tax (a group's first percent child).
 * Results are memoised per tax set and price: a catalog has few tax sets and few distinct prices per family.
 */
export class TaxBook {
  private readonly byId: Map<number, BookTax>;
  private readonly sets = new Map<string, TaxSet>();
  private readonly gross = new Map<string, number>();
  private readonly rates = new Map<string, number | null>();

  constructor(readonly taxes: readonly BookTax[], readonly facts: TaxFacts) {
    this.byId = new Map(taxes.map((t) => [t.id, t]));
  }

  /** The taxes of `taxIds` that belong to the connection's company (taxes_id lists every company's). */
  setFor(taxIds: readonly number[]): TaxSet {
    const ids = taxIds.filter((id) => this.byId.get(id)?.companyId === this.facts.companyId);
    const key = ids.join(',');
    let set = this.sets.get(key);
    if (!set) {
      set = { key, ids, taxes: ids.map((id) => this.byId.get(id)!) };
      this.sets.set(key, set);
    }
    return set;
  }

  priceWithTax(set: TaxSet, price: number): number {
    if (set.ids.length === 0) return price;
    const memo = `${set.key}|${price}`;
    let value = this.gross.get(memo);
    if (value === undefined) {
      value = computeAll(set.taxes, price, {
        version: this.facts.version, roundingMethod: this.facts.roundingMethod, quantity: 1, currencyRounding: this.facts.currencyRounding,
        companyPriceInclude: this.facts.companyPriceInclude, catalog: this.byId,
      }).total_included;
      this.gross.set(memo, value);
    }
    return value;
  }

  /** null when the set has no percent tax (the caller sends 0 and warns). */
  vatRate(set: TaxSet): number | null {
    let rate = this.rates.get(set.key);
    if (rate === undefined) {
      rate = set.ids.length ? firstPercentRate(set.taxes, this.byId) : null;
      this.rates.set(set.key, rate);
    }
    return rate;
  }

  /** Taxes changed at or after `since` (Odoo datetime), plus the groups that contain them. */
  changedSince(since: string): number[] {
    const changed = new Set(this.taxes.filter((t) => (t.writeDate ?? '') >= since).map((t) => t.id));
    for (const t of this.taxes) if (t.amount_type === 'group' && (t.children_tax_ids ?? []).some((c) => changed.has(c))) changed.add(t.id);
    return [...changed];
  }

  /** What the cross-check verdict depends on: the taxes (and their children) as last written, and the company facts. */
  signature(set: TaxSet): string {
    const parts: string[] = [];
    const visit = (t: BookTax | undefined) => {
      if (!t) return;
      parts.push(`${t.id}@${t.writeDate ?? ''}`);
      for (const c of t.children_tax_ids ?? []) visit(this.byId.get(c));
    };
    for (const t of set.taxes) visit(t);
    const f = this.facts;
    return hashText(`${parts.join(',')}|${f.version}|${f.companyId}|${f.roundingMethod}|${f.companyPriceInclude}|${f.currencyRounding}`);
  }

  describe(set: TaxSet): string {
    return set.taxes.map((t) => `"${t.name ?? t.id}"`).join(', ');
  }
}
