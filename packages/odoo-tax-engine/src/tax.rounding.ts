/**
 * Odoo's `float_round` (HALF-UP) as each version implements it, so results carry the same float noise Odoo's do.
 *
 * - 17 divides by the rounding step and multiplies back: `float_round(49.156, 0.01)` is `49.160000000000004`.
 * - 18/19 invert small steps (0.01 → 100), multiply, round and divide back, which gives clean values (`49.16`), and use
 *   a slightly larger epsilon to break ties.
 * Both add a magnitude-scaled epsilon before rounding so that 2.675 (stored as 2.67499999…) rounds to 2.68.
 */

export type RoundingFlavour = 'legacy17' | 'modern18';

export function floatRound(value: number, precisionRounding: number, flavour: RoundingFlavour): number {
  return flavour === 'legacy17' ? floatRound17(value, precisionRounding) : floatRound18(value, precisionRounding);
}

/** Odoo 17: `normalized = value / step; round(normalized ± 2**(log2|normalized| - 52)) * step` (ties away from zero). */
export function floatRound17(value: number, step: number): number {
  if (step === 0 || value === 0) return 0;
  const normalized = value / step;
  const epsilon = 2 ** (Math.log(Math.abs(normalized)) / Math.LN2 - 52);
  const nudged = normalized + Math.sign(normalized) * epsilon;
  // Odoo 17 keeps Python 2's round(): halves go away from zero.
  const rounded = Math.sign(nudged) * Math.round(Math.abs(nudged));
  return rounded * step;
}

/** Odoo 18/19: steps below 1 are inverted first (0.01 → 100) to reduce representation error; Python 3 round(). */
export function floatRound18(value: number, step: number): number {
  if (step === 0 || value === 0) return 0;
  const inverted = step < 1 ? invertStep(step) : null;
  const normalized = inverted === null ? value / step : value * inverted;
  const epsilon = 2 ** (Math.log2(Math.abs(normalized)) - 50);
  const rounded = roundHalfEven(normalized + Math.sign(normalized) * epsilon);
  return inverted === null ? rounded * step : rounded / inverted;
}

/** `float_is_zero`: the value rounds to zero at this precision. */
export function floatIsZero(value: number, step: number, flavour: RoundingFlavour): boolean {
  return Math.abs(floatRound(value, step, flavour)) < step;
}

/** Python 3's built-in round() to an integer (banker's rounding on exact halves). */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Odoo's `float_invert`: exact inverses for the usual steps, else coefficient/exponent arithmetic. */
function invertStep(step: number): number {
  const [coefficient, exponent] = step.toExponential(15).split('e');
  return Number(`${coefficient}e${-Number(exponent)}`) / Number(coefficient) ** 2;
}
