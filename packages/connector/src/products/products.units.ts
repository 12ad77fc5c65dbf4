/**
 * Units (DESIGN §4.3): Poleepo takes the weight in kg and dimensions in cm; Odoo keeps them in the database's units
 * (kg or lb by `product.weight_in_lbs`; lengths in mm or ft by `product.volume_in_cubic_feet`). Factors are exact.
 */

const KG_PER: Record<string, number> = { kg: 1, kgs: 1, g: 0.001, t: 1000, lb: 0.45359237, lbs: 0.45359237, oz: 0.028349523125 };
const CM_PER: Record<string, number> = { mm: 0.1, cm: 1, m: 100, in: 2.54, inch: 2.54, inches: 2.54, ft: 30.48, foot: 30.48, feet: 30.48 };

export function knownWeightUnit(name: string): boolean {
  return normalise(name) in KG_PER;
}

export function knownLengthUnit(name: string): boolean {
  return normalise(name) in CM_PER;
}

/** kg, rounded to the gram's thousandth (floating noise from conversions never reaches the payload). */
export function toKg(value: number, unit: string): number {
  return round(value * (KG_PER[normalise(unit)] ?? 1), 6);
}

/** cm, rounded to 1/10000 cm. */
export function toCm(value: number, unit: string): number {
  return round(value * (CM_PER[normalise(unit)] ?? 0.1), 4);
}

/** The length unit Odoo uses for dimensions, from what it tells: mm unless the database counts volumes in ft³. */
export function lengthUnitFromVolume(volumeUomName: string | null | undefined): string {
  return volumeUomName && /ft|feet|foot/i.test(volumeUomName) ? 'ft' : 'mm';
}

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/\(s\)$/, '');
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
