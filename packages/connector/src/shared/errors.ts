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

/** The message alone: for people (a CLI line, a reason shown in the console). Logs take the error itself. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** How much of a stack a task row keeps (the log has it whole). */
export const STORED_STACK_CHARS = 4000;

/**
 * The stack of an error and of its causes (`caused by: …`, as pino's serializer prints them), cut to `maxChars`: what
 * a task row keeps next to its one-line reason, so a failure can be traced after the log has rotated. Null for a
 * thrown value that is not an Error (it has no stack).
 */
export function errorStack(error: unknown, maxChars = STORED_STACK_CHARS): string | null {
  if (!(error instanceof Error)) return null;
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current) && parts.length < 10) {
    seen.add(current);
    parts.push(current.stack ?? `${current.name}: ${current.message}`);
    current = current.cause;
  }
  if (current !== undefined && !(current instanceof Error) && !seen.has(current)) parts.push(String(current));
  const text = parts.join('\ncaused by: ');
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
