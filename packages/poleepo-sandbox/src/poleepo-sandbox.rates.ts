import { round2 } from './poleepo-sandbox.util.ts';

/**
 * Courier prices (docs/poleepo-api.md §4.8, assumed: the research names couriers but no quote endpoint). A service's
 * tariff is a base price for the first kilogram plus a price per further started kilogram, in EUR without VAT, times
 * a zone factor for the destination. The numbers only need to be plausible and to differ between services, so a
 * client that picks "the cheapest" or shows prices has something to compare.
 */
export interface ServiceTariff {
  /** EUR, VAT excluded, up to 1 kg to Italy. */
  base: number;
  /** EUR per further started kg. */
  perKg: number;
}

export const PRICE_CURRENCY = 'EUR';

/** EU members other than Italy: the "Europe" zone. */
const EU = new Set(['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK']);

/** Italy 1, the rest of the EU 2.5, anywhere else 4 (San Marino and the Vatican are served as Italy). */
export function zoneFactor(countryIso: string): number {
  const c = countryIso.trim().toUpperCase();
  if (c === 'IT' || c === 'SM' || c === 'VA' || c === '') return 1;
  return EU.has(c) ? 2.5 : 4;
}

export function servicePrice(tariff: ServiceTariff, countryIso: string, weightKg: number): number {
  const extraKg = Math.max(0, Math.ceil(weightKg - 1e-9) - 1);
  return round2((tariff.base + tariff.perKg * extraKg) * zoneFactor(countryIso));
}
