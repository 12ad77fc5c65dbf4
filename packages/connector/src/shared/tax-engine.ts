/**
 * The connector's door to the Odoo tax engine (its own workspace package, shared with the emulator): input the engine
 * refuses becomes the connector's ValidationError, so tasks treat it as a permanent problem with the data, not a crash.
 */
import { computeAll as engineComputeAll, TaxInputError, type ComputeAllOptions, type ComputeAllResult, type TaxDefinition } from '@poleepo-odoo/odoo-tax-engine';
import { ValidationError } from './errors.ts';

export { isPriceIncludedFrom18, firstPercentRate, type ComputeAllOptions, type OdooMajor, type TaxDefinition, type TaxRoundingMethod } from '@poleepo-odoo/odoo-tax-engine';

export function computeAll(taxes: readonly TaxDefinition[], priceUnit: number, options: ComputeAllOptions): ComputeAllResult {
  try {
    return engineComputeAll(taxes, priceUnit, options);
  } catch (error) {
    if (error instanceof TaxInputError) throw new ValidationError(error.message, { cause: error });
    throw error;
  }
}
