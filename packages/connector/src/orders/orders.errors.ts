import { AppError } from '../shared/errors.ts';

/**
 * An Odoo call that may have committed got no answer (timeout, reset, gateway). Never retried blindly: the import
 * waits longer than Odoo's request time limit, then looks the record up before doing anything again.
 */
export class OrderUncertainError extends AppError {
  constructor(readonly step: 'customer' | 'discount product' | 'create' | 'confirm' | 'cancel', options?: { cause?: unknown }) {
    super('order_uncertain', `Odoo gave no answer to the ${step} step; it may have committed`, options);
  }
}

/** The order cannot be imported until a person acts (map a SKU, create a carrier…); never guessed. */
export class OrderParkedError extends AppError {
  constructor(readonly reason: string) {
    super('order_parked', reason);
  }
}
