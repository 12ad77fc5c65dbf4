import { PermanentError, RateLimitedError, RetryableError } from '../shared/errors.ts';
import type { PoleepoAccess, PoleepoArea } from './poleepo.endpoints.ts';

/** Facts every Poleepo error carries for the API log, the console and the task runner. */
export interface PoleepoErrorInfo {
  endpoint: string;
  status: number | null;
  /** Poleepo's own `code` from the error body, when it sent one. */
  poleepoCode?: string | null;
}

export interface PoleepoFieldError {
  field: string;
  code?: string;
  message: string;
}

/** 401: wrong credentials, or a token refused even after one re-authentication. */
export class PoleepoAuthError extends PermanentError {
  constructor(message: string, readonly info: PoleepoErrorInfo) {
    super(message, { code: 'poleepo_auth' });
  }
}

/** 403: the API key lacks the access the call needs; says which. */
export class PoleepoPermissionError extends PermanentError {
  constructor(message: string, readonly info: PoleepoErrorInfo, readonly permission: PoleepoArea | null, readonly required: PoleepoAccess | null) {
    super(message, { code: 'poleepo_permission' });
  }
}

/** 404: the id is not known to Poleepo. */
export class PoleepoNotFoundError extends PermanentError {
  constructor(message: string, readonly info: PoleepoErrorInfo) {
    super(message, { code: 'poleepo_not_found' });
  }
}

/** 400/422: Poleepo refused the request's content; `fields` says what, per field. */
export class PoleepoValidationError extends PermanentError {
  constructor(message: string, readonly info: PoleepoErrorInfo, readonly fields: PoleepoFieldError[]) {
    super(message, { code: 'poleepo_validation' });
  }
}

/** 429 (or our own ledger): try again after `retryAfterMs`. */
export class PoleepoRateLimitedError extends RateLimitedError {
  constructor(message: string, retryAfterMs: number, readonly info: PoleepoErrorInfo) {
    super(message, retryAfterMs);
  }
}

/** 5xx (after the retries): Poleepo is failing; the task tries again later. */
export class PoleepoServerError extends RetryableError {
  constructor(message: string, readonly info: PoleepoErrorInfo) {
    super(message, { code: 'poleepo_server' });
  }
}

/** A 2xx answer we cannot read (not JSON, no `data`), or another status we do not expect. */
export class PoleepoProtocolError extends RetryableError {
  constructor(message: string, readonly info: PoleepoErrorInfo) {
    super(message, { code: 'poleepo_protocol' });
  }
}
