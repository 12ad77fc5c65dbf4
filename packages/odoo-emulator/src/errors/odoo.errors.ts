/**
 * Errors the emulator raises the way Odoo does: `name` is the Python class path Odoo reports in `data.name`,
 * `message` the human text, `status` the JSON-2 HTTP status (JSON-RPC always answers 200). `args` overrides the
 * exception arguments (werkzeug exceptions carry `[description, status]`).
 */
export class OdooError extends Error {
  readonly odooName: string;
  readonly status: number;
  readonly context: Record<string, unknown>;
  readonly args?: unknown[];
  /** Frames describing where Odoo raised it (file, line, function, source line), for the traceback text. */
  readonly where?: string;

  constructor(odooName: string, message: string, options: { status?: number; context?: Record<string, unknown>; args?: unknown[]; where?: string } = {}) {
    super(message);
    this.name = 'OdooError';
    this.odooName = odooName;
    this.status = options.status ?? statusFor(odooName);
    this.context = options.context ?? {};
    this.args = options.args;
    this.where = options.where;
  }
}

/** JSON-2 status per exception class, as recorded on Odoo 19. */
export function statusFor(odooName: string): number {
  switch (odooName) {
    case 'odoo.exceptions.AccessError':
    case 'odoo.exceptions.AccessDenied':
      return 403;
    case 'odoo.exceptions.MissingError':
    case 'werkzeug.exceptions.NotFound':
      return 404;
    case 'odoo.exceptions.UserError':
    case 'odoo.exceptions.ValidationError':
    case 'werkzeug.exceptions.UnprocessableEntity':
      return 422;
    case 'werkzeug.exceptions.BadRequest':
      return 400;
    case 'werkzeug.exceptions.Unauthorized':
      return 401;
    case 'odoo.exceptions.ConcurrencyError':
    case 'odoo.exceptions.LockError':
      return 409;
    default:
      return 500;
  }
}

export const userError = (message: string) => new OdooError('odoo.exceptions.UserError', message);
export const validationError = (message: string) => new OdooError('odoo.exceptions.ValidationError', message);
export const accessError = (message: string, context?: Record<string, unknown>) => new OdooError('odoo.exceptions.AccessError', message, { context });
export const missingError = (message: string) => new OdooError('odoo.exceptions.MissingError', message);
export const valueError = (message: string) => new OdooError('builtins.ValueError', message);
export const typeError = (message: string) => new OdooError('builtins.TypeError', message);
export const keyError = (message: string) => new OdooError('builtins.KeyError', message);
export const attributeError = (message: string) => new OdooError('builtins.AttributeError', message);
export const assertionError = (message: string) => new OdooError('builtins.AssertionError', message);
export const indexError = (message: string) => new OdooError('builtins.IndexError', message);
export const accessDenied = () => new OdooError('odoo.exceptions.AccessDenied', 'Access Denied');
export const werkzeug = (kind: 'NotFound' | 'UnprocessableEntity' | 'Unauthorized' | 'BadRequest', message: string) => {
  const status = { NotFound: 404, UnprocessableEntity: 422, Unauthorized: 401, BadRequest: 400 }[kind];
  return new OdooError(`werkzeug.exceptions.${kind}`, message, { status, args: [message, status] });
};
