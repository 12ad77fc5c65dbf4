/**
 * The tax engine refuses input Odoo itself would reject (a non-finite price, an unknown version, a tax group that
 * nests into a cycle). Its own class, so the engine depends on nothing: callers map it onto their own error kinds.
 */
export class TaxInputError extends Error {
  override readonly name = 'TaxInputError';
}
