import { describe, expect, it } from 'vitest';
import { priceLine, type TaxSetup } from '../src/orders/orders.taxes.ts';
import { fiscalVals, normaliseVat } from '../src/orders/orders.partners.ts';
import { hiddenDataRefusal, orderFacts, toOdooDatetime } from '../src/orders/orders.mapper.ts';
import { effectiveStatus, statusRank, canPushCancellation } from '../src/orders/orders.status.ts';
import type { OrderSchema } from '../src/orders/orders.odoo-data.ts';
import type { TaxDefinition } from '@poleepo-odoo/odoo-tax-engine';
import type { PoleepoOrder } from '../src/poleepo/poleepo.types.ts';

/** The pure rules of the order import: tax choice, fiscal data, hidden data, status ranks. */

function setup(version: 17 | 18, taxes: TaxDefinition[], companyPriceInclude: 'tax_included' | 'tax_excluded' = 'tax_excluded'): TaxSetup {
  return { version, roundingMethod: 'round_per_line', companyPriceInclude, currencyRounding: 0.01, priceDigits: 2, taxes: new Map(taxes.map((t) => [t.id, t])) };
}

describe('line pricing keeps the marketplace amount', () => {
  const excl18: TaxDefinition = { id: 1, name: '22%', amount: 22, amount_type: 'percent', price_include_override: 'tax_excluded' };
  const incl18: TaxDefinition = { id: 2, name: '22% incl', amount: 22, amount_type: 'percent', price_include_override: 'tax_included' };

  it('uses the gross price with a price-included tax', () => {
    expect(priceLine(setup(18, [incl18]), [2], 24.4, 2, 22)).toMatchObject({ taxIds: [2], priceUnit: 24.4, lineTotal: 48.8, included: true, note: null });
  });

  it('prefers the included twin of the product\'s excluded tax', () => {
    expect(priceLine(setup(18, [excl18, incl18]), [1], 19.99, 3, 22)).toMatchObject({ taxIds: [2], priceUnit: 19.99, lineTotal: 59.97, included: true });
  });

  it('prices the net with the excluded tax when there is no twin, and says when it misses by cents', () => {
    const exact = priceLine(setup(18, [excl18]), [1], 24.4, 1, 22);
    expect(exact).toMatchObject({ taxIds: [1], priceUnit: 20, lineTotal: 24.4, included: false, note: null, gap: null });
    const off = priceLine(setup(18, [excl18]), [1], 19.99, 3, 22);
    expect(off).toMatchObject({ priceUnit: 16.39, lineTotal: 59.99, target: 59.97 });
    expect(off.gap).toMatch(/line total 59\.99 in Odoo vs 59\.97/);
    expect(off.note).toBeNull();
  });

  it('follows the company default for taxes without override (18+) and the stored flag (17)', () => {
    const noOverride: TaxDefinition = { id: 3, amount: 10, amount_type: 'percent', price_include_override: false };
    expect(priceLine(setup(18, [noOverride], 'tax_included'), [3], 11, 1, 10)).toMatchObject({ priceUnit: 11, included: true });
    expect(priceLine(setup(18, [noOverride], 'tax_excluded'), [3], 11, 1, 10)).toMatchObject({ priceUnit: 10, included: false });
    const incl17: TaxDefinition = { id: 4, amount: 22, amount_type: 'percent', price_include: true };
    expect(priceLine(setup(17, [incl17]), [4], 24.4, 1, 22)).toMatchObject({ priceUnit: 24.4, included: true, lineTotal: 24.4 });
  });

  it("takes the company's tax of Poleepo's VAT rate over the product's, no tax for 0 %, and notes a rate Odoo lacks", () => {
    const ten: TaxDefinition = { id: 5, name: '10%', amount: 10, amount_type: 'percent', price_include_override: 'tax_included' };
    expect(priceLine(setup(18, [incl18, ten]), [2], 11, 1, 10)).toMatchObject({ taxIds: [5], priceUnit: 11, note: null });
    expect(priceLine(setup(18, [incl18]), [2], 11, 1, 0)).toMatchObject({ taxIds: [], priceUnit: 11 });
    expect(priceLine(setup(18, [incl18]), [2], 12.2, 1, 4).note).toMatch(/VAT 4% on Poleepo but the company has no sales tax of that rate/);
  });
});

describe('Italian fiscal data', () => {
  const schema = (fields: boolean): OrderSchema => ({
    partner: fields ? { fiscalCode: 'l10n_it_codice_fiscale', sdiCode: 'l10n_it_pa_index', pec: 'l10n_it_pec_email', comment: true } : { fiscalCode: null, sdiCode: null, pec: null, comment: true },
  }) as unknown as OrderSchema;
  const facts = { fiscalCode: 'bncglI85M41H501X', sdiCode: 'abc1234', pec: 'shop@pec.example.it' };

  it("goes to l10n_it_edi's fields when Odoo has them", () => {
    expect(fiscalVals(schema(true), facts)).toEqual({
      vals: { l10n_it_codice_fiscale: 'BNCGLI85M41H501X', l10n_it_pa_index: 'ABC1234', l10n_it_pec_email: 'shop@pec.example.it' }, where: 'fields',
    });
  });

  it("else into the partner's notes, never lost", () => {
    const out = fiscalVals(schema(false), facts);
    expect(out.where).toBe('comment');
    expect(out.vals.comment).toBe('<p>Codice fiscale: BNCGLI85M41H501X<br>Codice destinatario SDI: ABC1234<br>PEC: shop@pec.example.it</p>');
  });

  it('normalises VAT numbers as Odoo stores them', () => {
    expect(normaliseVat(' 01234567890 ', 'IT')).toBe('IT01234567890');
    expect(normaliseVat('it 0123.456.7890', 'IT')).toBe('IT01234567890');
    expect(normaliseVat('DE123456789', 'DE')).toBe('DE123456789');
    expect(normaliseVat(null, 'IT')).toBe('');
  });
});

describe('orders the API key hides', () => {
  const full: PoleepoOrder = {
    id: 1, status: 'PAYMENT_ACCEPTED', total_price: 10, customer: { firstname: 'A' }, invoice_address: { name: 'A' },
    lines: [{ sku: 'X', quantity: 1, price: 10 }],
  };

  it('accepts a complete order and refuses one without customer data or prices, saying what to do', () => {
    expect(hiddenDataRefusal(full)).toBeNull();
    const noCustomer = { ...full, customer: undefined, invoice_address: undefined, delivery_address: undefined };
    expect(hiddenDataRefusal(noCustomer)).toMatch(/customer data .* Allow sensitive customer data and prices on the key/);
    const noPrices = { ...full, total_price: undefined, lines: [{ sku: 'X', quantity: 1 }] };
    expect(hiddenDataRefusal(noPrices)).toMatch(/did not send this order's prices/);
  });

  it('reads the status in either form and dates in UTC', () => {
    expect(orderFacts({ ...full, status: { id: 'SHIPPED', name: 'Spedito' }, order_date: '2026-01-01T09:58:00Z' })).toMatchObject({ status: 'SHIPPED', orderDate: Date.UTC(2026, 0, 1, 9, 58) });
    expect(toOdooDatetime(Date.UTC(2026, 0, 1, 9, 58, 7, 999))).toBe('2026-01-01 09:58:07');
  });
});

describe('status ranks', () => {
  it('never goes backwards; cancellations push only from the early statuses', () => {
    expect(effectiveStatus('SHIPPED', 'PAYMENT_ACCEPTED')).toBe('SHIPPED');
    expect(effectiveStatus('SHIPPED', 'DELIVERED')).toBe('DELIVERED');
    expect(effectiveStatus(null, 'IN_PROCESS')).toBe('IN_PROCESS');
    expect(effectiveStatus('IN_PROCESS', null)).toBe('IN_PROCESS');
    expect(statusRank('CANCELED')).toBeGreaterThan(statusRank('DELIVERED'));
    expect([canPushCancellation('PAYMENT_ACCEPTED'), canPushCancellation('IN_PROCESS'), canPushCancellation('SHIPPED')]).toEqual([true, true, false]);
  });
});
