export * from './tax.engine.ts';
export { priceWithTax, firstPercentRate } from './tax.helpers.ts';
export { TaxInputError } from './tax.errors.ts';
export { floatRound, type RoundingFlavour } from './tax.rounding.ts';
