/** An answer in Poleepo's error shape (docs/poleepo-api.md §1.3), thrown by the sandbox's state and handlers. */
export interface SandboxFieldError {
  field: string;
  code: string;
  message: string;
}

export class SandboxApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: SandboxFieldError[],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { success: false, code: this.code, message: this.message, ...(this.errors ? { errors: this.errors } : {}), ...this.extra };
  }
}

export const notFound = (what: string) => new SandboxApiError(404, 'NOT_FOUND', `${what} not found`);

/** Collects per-field problems, then throws one 422 VALIDATION_ERROR listing them all. */
export class FieldCheck {
  readonly errors: SandboxFieldError[] = [];

  constructor(private readonly body: Record<string, unknown>) {}

  add(field: string, message: string, code = 'INVALID'): void {
    this.errors.push({ field, code, message });
  }

  requiredString(field: string): string | undefined {
    const v = this.body[field];
    if (typeof v !== 'string' || v.trim() === '') {
      this.add(field, `${field} is required`, 'REQUIRED');
      return undefined;
    }
    return v;
  }

  optionalString(field: string): string | null | undefined {
    const v = this.body[field];
    if (v === undefined || v === null) return v as null | undefined;
    if (typeof v !== 'string') {
      this.add(field, `${field} must be a string`);
      return undefined;
    }
    return v;
  }

  number(field: string, opts: { required?: boolean; min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const v = this.body[field];
    if (v === undefined || v === null) {
      if (opts.required) this.add(field, `${field} is required`, 'REQUIRED');
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) return void this.add(field, `${field} must be a number`);
    if (opts.integer && !Number.isInteger(v)) return void this.add(field, `${field} must be a whole number`);
    if (opts.min !== undefined && v < opts.min) return void this.add(field, `${field} must be at least ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) return void this.add(field, `${field} must be at most ${opts.max}`);
    return v;
  }

  boolean(field: string): boolean | undefined {
    const v = this.body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') return void this.add(field, `${field} must be true or false`);
    return v;
  }

  throwIfAny(message = 'Invalid request'): void {
    if (this.errors.length) throw new SandboxApiError(422, 'VALIDATION_ERROR', `${message}: ${this.errors.map((e) => `${e.field} ${e.message.replace(`${e.field} `, '')}`).join('; ')}`, this.errors);
  }
}
