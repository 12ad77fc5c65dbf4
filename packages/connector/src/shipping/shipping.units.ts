import { ValidationError } from '../shared/errors.ts';

/**
 * Units, converted explicitly. Odoo keeps package type dimensions in the database's length unit (`length_uom_name`:
 * millimetres by default, feet or inches when the company works in imperial units) and weights in `weight_uom_name`
 * (kg or lb). Poleepo takes centimetres and kilograms (docs/poleepo-api.md §4.8). An unknown unit is refused, never
 * guessed: a parcel declared ten times too large costs real money.
 */
const CM_PER: Record<string, number> = { mm: 0.1, cm: 1, m: 100, in: 2.54, ft: 30.48 };
const KG_PER: Record<string, number> = { kg: 1, g: 0.001, lb: 0.45359237, lbs: 0.45359237, oz: 0.028349523125 };

/** A person's to fix in Odoo's settings (the unit), never retried. */
export class UnitError extends ValidationError {}

export function toCentimetres(value: number, unit: string | null | undefined): number {
  const factor = CM_PER[(unit || 'mm').toLowerCase()];
  if (factor === undefined) throw new UnitError(`Odoo measures lengths in "${unit}", which the connector cannot convert to centimetres`);
  return round(value * factor, 1);
}

export function toKilograms(value: number, unit: string | null | undefined): number {
  const factor = KG_PER[(unit || 'kg').toLowerCase()];
  if (factor === undefined) throw new UnitError(`Odoo measures weights in "${unit}", which the connector cannot convert to kilograms`);
  return round(value * factor, 3);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
