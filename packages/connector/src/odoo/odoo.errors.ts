import { PermanentError, RetryableError } from '../shared/errors.ts';

/**
 * Typed Odoo errors, mapped from JSON-RPC error envelopes (always HTTP 200, `error.data.name` = the Python class) and
 * JSON-2 answers (HTTP status + `{name, message, arguments, context, debug}`), as recorded in `recordings/odooNN/`.
 * Retryable ones (transport, concurrency) extend RetryableError; the others PermanentError, so the task runner knows
 * what to do without knowing Odoo.
 */

export interface OdooErrorDetails {
  /** Python class path (`odoo.exceptions.UserError`), or null when Odoo gave none (HTML page, network). */
  exceptionName: string | null;
  /** Odoo's own message (what a person should read). */
  odooMessage: string;
  httpStatus: number | null;
  model: string | null;
  method: string | null;
  /** The error's context (e.g. `suggested_company` on multi-company record rules). */
  errorContext: Record<string, unknown>;
  /** The server traceback, trimmed (never shown to users; kept for the API log). */
  debug: string | null;
}

type DetailsInit = Partial<OdooErrorDetails> & { odooMessage: string };

const ODOO_ERROR = Symbol.for('poleepo.odooError');

function attach(target: object, init: DetailsInit): OdooErrorDetails {
  const details: OdooErrorDetails = {
    exceptionName: init.exceptionName ?? null,
    odooMessage: init.odooMessage,
    httpStatus: init.httpStatus ?? null,
    model: init.model ?? null,
    method: init.method ?? null,
    errorContext: init.errorContext ?? {},
    debug: init.debug ? init.debug.slice(-2000) : null,
  };
  Object.assign(target, details, { [ODOO_ERROR]: true });
  return details;
}

function describe(prefix: string, init: DetailsInit): string {
  const where = init.model ? ` (${init.model}${init.method ? `.${init.method}` : ''})` : '';
  return `${prefix}${where}: ${init.odooMessage}`;
}

/** The key, login or database is wrong (falsy uid, AccessDenied, JSON-2 401). Never retried: Odoo locks out after 10 failures. */
export interface OdooAuthError extends OdooErrorDetails {}
export class OdooAuthError extends PermanentError {
  constructor(init: DetailsInit, options?: { cause?: unknown }) {
    super(describe('Odoo refused the credentials', init), { ...options, code: 'odoo_auth' });
    attach(this, init);
  }
}

/** The API key's user lacks a right (ACL, record rule, company not allowed, private method). */
export interface OdooAccessError extends OdooErrorDetails {}
export class OdooAccessError extends PermanentError {
  constructor(init: DetailsInit, options?: { cause?: unknown }) {
    super(describe('Odoo denied access', init), { ...options, code: 'odoo_access' });
    attach(this, init);
  }
}

/** A business rule or constraint said no (UserError, ValidationError, RedirectWarning, JSON-2 422). */
export interface OdooValidationError extends OdooErrorDetails {}
export class OdooValidationError extends PermanentError {
  constructor(init: DetailsInit, options?: { cause?: unknown }) {
    super(describe('Odoo refused the operation', init), { ...options, code: 'odoo_validation' });
    attach(this, init);
  }
}

/** The record does not exist (any more): MissingError, JSON-2 404 MissingError. */
export interface OdooMissingError extends OdooErrorDetails {}
export class OdooMissingError extends PermanentError {
  constructor(init: DetailsInit, options?: { cause?: unknown }) {
    super(describe('Odoo record missing', init), { ...options, code: 'odoo_missing' });
    attach(this, init);
  }
}

/** Unknown model or method (a module not installed, a method renamed in this version). */
export interface OdooNotFoundError extends OdooErrorDetails {}
export class OdooNotFoundError extends PermanentError {
  constructor(init: DetailsInit, options?: { cause?: unknown }) {
    super(describe('Odoo does not know', init), { ...options, code: 'odoo_not_found' });
    attach(this, init);
  }
}

/** The configured database does not exist on that server. */
export interface OdooDatabaseError extends OdooErrorDetails {}
export class OdooDatabaseError extends PermanentError {
  constructor(init: DetailsInit, options?: { cause?: unknown }) {
    super(describe('Odoo database not found', init), { ...options, code: 'odoo_database' });
    attach(this, init);
  }
}

/** Any other server-side exception (ValueError on an unknown field, TypeError…): a bug or a version mismatch. */
export interface OdooServerError extends OdooErrorDetails {}
export class OdooServerError extends PermanentError {
  constructor(init: DetailsInit, options?: { cause?: unknown }) {
    super(describe('Odoo server error', init), { ...options, code: 'odoo_server' });
    attach(this, init);
  }
}

/** Serialization failure / lock contention that Odoo's own 5 retries did not absorb: nothing was committed. */
export interface OdooConcurrencyError extends OdooErrorDetails {}
export class OdooConcurrencyError extends RetryableError {
  constructor(init: DetailsInit, options?: { cause?: unknown }) {
    super(describe('Odoo concurrency conflict', init), { ...options, code: 'odoo_concurrency' });
    attach(this, init);
  }
}

/**
 * No usable answer: network failure, timeout, proxy 502/503/504, 429, an HTML page where JSON was expected.
 * `ambiguous` = the request may have reached Odoo and committed (a timeout, a reset, a gateway timeout): a create must
 * then be looked up before it is tried again.
 */
export interface OdooTransportError extends OdooErrorDetails {}
export class OdooTransportError extends RetryableError {
  readonly timedOut: boolean;
  readonly ambiguous: boolean;
  readonly retryAfterMs: number | null;
  constructor(init: DetailsInit & { timedOut?: boolean; ambiguous?: boolean; retryAfterMs?: number | null }, options?: { cause?: unknown }) {
    super(describe(init.timedOut ? 'Odoo did not answer in time' : 'Odoo unreachable', init), { ...options, code: init.timedOut ? 'odoo_timeout' : 'odoo_transport' });
    attach(this, init);
    this.timedOut = init.timedOut ?? false;
    this.ambiguous = init.ambiguous ?? true;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}

export type OdooError = OdooAuthError | OdooAccessError | OdooValidationError | OdooMissingError | OdooNotFoundError
  | OdooDatabaseError | OdooServerError | OdooConcurrencyError | OdooTransportError;

export function isOdooError(error: unknown): error is OdooError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[ODOO_ERROR] === true;
}

/** The body Odoo puts in a JSON-RPC `error.data` or a JSON-2 error answer. */
export interface OdooErrorBody {
  name?: string;
  message?: string;
  arguments?: unknown[];
  context?: Record<string, unknown>;
  debug?: string;
}

const CONCURRENCY_NAMES = [
  'odoo.exceptions.ConcurrencyError', 'odoo.exceptions.LockError',
  'psycopg2.errors.SerializationFailure', 'psycopg2.errors.DeadlockDetected', 'psycopg2.errors.LockNotAvailable',
  'psycopg2.extensions.TransactionRollbackError', 'psycopg2.errors.TransactionRollback',
];
const VALIDATION_NAMES = ['odoo.exceptions.UserError', 'odoo.exceptions.ValidationError', 'odoo.exceptions.RedirectWarning', 'odoo.exceptions.except_orm', 'odoo.exceptions.Warning', 'werkzeug.exceptions.UnprocessableEntity'];
const AUTH_NAMES = ['odoo.exceptions.AccessDenied', 'werkzeug.exceptions.Unauthorized', 'odoo.http.SessionExpiredException'];

/** Maps an Odoo error body (JSON-RPC `error.data`, or a JSON-2 error answer with its HTTP status) to a typed error. */
export function mapOdooError(body: OdooErrorBody, where: { model?: string | null; method?: string | null; httpStatus?: number | null; fallbackMessage?: string }): OdooError {
  const name = body.name ?? null;
  const message = clip(body.message ?? (typeof body.arguments?.[0] === 'string' ? body.arguments[0] : '') ?? '') || where.fallbackMessage || 'Odoo Server Error';
  const init: DetailsInit = {
    exceptionName: name, odooMessage: message, httpStatus: where.httpStatus ?? null, model: where.model ?? null,
    method: where.method ?? null, errorContext: body.context && typeof body.context === 'object' && !Array.isArray(body.context) ? body.context : {}, debug: body.debug ?? null,
  };
  if (name && AUTH_NAMES.includes(name)) return new OdooAuthError(init);
  if (name && CONCURRENCY_NAMES.includes(name)) return new OdooConcurrencyError(init);
  if (name === 'odoo.exceptions.MissingError') return new OdooMissingError(init);
  if (name === 'odoo.exceptions.AccessError') return new OdooAccessError(init);
  if (name === 'werkzeug.exceptions.NotFound') return new OdooNotFoundError(init);
  if (name === 'builtins.AttributeError' && /does not exist/.test(message)) return new OdooNotFoundError(init);
  if (name === 'odoo.exceptions.UserError' && /^Object \S+ doesn't exist/.test(message)) return new OdooNotFoundError(init);
  if (name === 'psycopg2.OperationalError') {
    if (/database "[^"]*" does not exist/.test(message)) return new OdooDatabaseError(init);
    return new OdooTransportError({ ...init, ambiguous: true });
  }
  if (name && VALIDATION_NAMES.includes(name)) return new OdooValidationError(init);
  // JSON-2 without a recognised name: the status carries the class.
  switch (where.httpStatus) {
    case 401: return new OdooAuthError(init);
    case 403: return new OdooAccessError(init);
    case 409: return new OdooConcurrencyError(init);
    case 422: return new OdooValidationError(init);
    default: return new OdooServerError(init);
  }
}

function clip(text: string): string {
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}
