/**
 * Typed errors. They are thrown deep and caught only at boundaries (HTTP route, task runner, CLI),
 * where their class decides the outcome: retry, dead-letter, reschedule or a plain message to a person.
 */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Something that may work if tried again later (network, 5xx, lock contention). */
export class RetryableError extends AppError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'retryable', message, options);
  }
}

/** Trying again cannot help (bad data, missing permission): dead-letter at once with this reason. */
export class PermanentError extends AppError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'permanent', message, options);
  }
}

/** The other side asked us to slow down: reschedule at `retryAfterMs` without spending an attempt. */
export class RateLimitedError extends AppError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options?: { cause?: unknown }) {
    super('rate_limited', message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Bad input from a person or a configuration (CLI argument, env var, form field). */
export class ValidationError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('validation', message, options);
  }
}

/** The capability exists in the contract but arrives with a later issue. */
export class NotConfiguredError extends AppError {
  constructor(message: string) {
    super('not_configured', message);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
