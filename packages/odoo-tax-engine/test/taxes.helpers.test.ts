import { describe, expect, it } from 'vitest';
import { firstPercentRate, priceWithTax } from '../src/tax.helpers.ts';
import { computeAll, type TaxDefinition } from '../src/tax.engine.ts';

const vat22: TaxDefinition = { id: 10, name: 'IVA 22%', amount: 22, amount_type: 'percent', price_include_override: false, price_include: false };
const vat22incl: TaxDefinition = { id: 11, name: 'IVA 22% incl.', amount: 22, amount_type: 'percent', price_include_override: 'tax_included', price_include: true };
const eco: TaxDefinition = { id: 5, name: 'RAEE', amount: 0.5, amount_type: 'fixed', sequence: 0 };
const vat4: TaxDefinition = { id: 12, name: 'IVA 4%', amount: 4, amount_type: 'percent', sequence: 5 };
const group: TaxDefinition = { id: 20, name: 'RAEE + IVA 4%', amount: 0, amount_type: 'group', children_tax_ids: [12, 5] };
const catalog = [vat22, vat22incl, eco, vat4, group];

describe('tax helpers for the product mapping', () => {
  it('gives the gross price of an excluded tax and leaves an included price as it is', () => {
    expect(priceWithTax([vat22], 33.335, { version: 18, roundingMethod: 'round_per_line' })).toBe(40.67);
    expect(priceWithTax([vat22incl], 33.34, { version: 18, roundingMethod: 'round_per_line' })).toBe(33.34);
    expect(priceWithTax([vat22incl], 33.34, { version: 17, roundingMethod: 'round_globally' })).toBe(33.34);
  });

  it('follows the company default for taxes without override (18+)', () => {
    const plain: TaxDefinition = { id: 30, amount: 10, amount_type: 'percent', price_include_override: false };
    expect(priceWithTax([plain], 110, { version: 18, roundingMethod: 'round_per_line', companyPriceInclude: 'tax_included' })).toBe(110);
    expect(priceWithTax([plain], 110, { version: 18, roundingMethod: 'round_per_line', companyPriceInclude: 'tax_excluded' })).toBe(121);
  });

  it('takes the vat rate from the first percent tax, inside a group too, and null without one', () => {
    expect(firstPercentRate([vat22])).toBe(22);
    expect(firstPercentRate([group], catalog)).toBe(4);
    expect(firstPercentRate([eco])).toBeNull();
    expect(firstPercentRate([])).toBeNull();
  });

  it('refuses a group whose child is not in the catalog, and an unknown version', () => {
    expect(() => computeAll([group], 10, { version: 18, roundingMethod: 'round_per_line' })).toThrow(/not in the catalog/);
    expect(() => computeAll([vat22], 10, { version: 16 as never, roundingMethod: 'round_per_line' })).toThrow(/17, 18 and 19/);
  });

  it('computes negative lines (returns) with the signs Odoo gives', () => {
    for (const version of [17, 18] as const) {
      const r = computeAll([vat22, eco], -100, { version, roundingMethod: 'round_per_line', quantity: 1 });
      expect(r.total_excluded).toBe(-100);
      expect(r.taxes.map((t) => t.amount)).toEqual([-0.5, -22]);
      expect(r.total_included).toBe(-122.5);
    }
  });
});
