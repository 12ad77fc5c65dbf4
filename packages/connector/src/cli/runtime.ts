import { loadConfig, ConfigError, type Config } from '../config/env.ts';
import { createContext, type AppContext, type ContextOptions } from '../app/context.ts';
import { buildServices, type Services } from '../app/modules.ts';
import { AppError, NotConfiguredError, ValidationError, errorMessage } from '../shared/errors.ts';

/** What every CLI command receives: lazy access to configuration and the app context, and output helpers. */
export class CliRuntime {
  private ctx: AppContext | null = null;
  private svc: Services | null = null;
  private cfg: Config | null = null;
  stdout: NodeJS.WritableStream = process.stdout;
  stderr: NodeJS.WritableStream = process.stderr;
  /** Standard input (tests give their own). */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin;

  constructor(private readonly env: Record<string, string | undefined> = process.env) {}

  config(): Config {
    if (!this.cfg) this.cfg = loadConfig(this.env);
    return this.cfg;
  }

  /** Opens the database (migrating it unless told not to) and builds the context, once per command. */
  async context(options: ContextOptions = {}): Promise<AppContext> {
    if (!this.ctx) this.ctx = await createContext(this.config(), { migrate: true, ...options });
    return this.ctx;
  }

  /** The capability modules' services (and their task kinds), as a running process has them. */
  async services(): Promise<Services> {
    if (!this.svc) this.svc = buildServices(await this.context());
    return this.svc;
  }

  async close(): Promise<void> {
    if (this.ctx) await this.ctx.close();
    this.ctx = null;
    this.svc = null;
  }

  out(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  err(text: string): void {
    this.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }

  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }

  /** Prints rows as an aligned table (or JSON with --json). */
  table(rows: Record<string, unknown>[], options: { json?: boolean; columns?: string[]; empty?: string } = {}): void {
    if (options.json) return this.json(rows);
    if (rows.length === 0) return this.out(options.empty ?? '(none)');
    const columns = options.columns ?? Object.keys(rows[0] ?? {});
    const cells = rows.map((r) => columns.map((c) => formatCell(r[c])));
    const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...cells.map((row) => row[i]?.length ?? 0))));
    // Every row has one cell per column, so widths[i] exists for each value.
    const line = (vals: string[]) => vals.map((v, i) => { const w = widths[i] ?? v.length; return v.length > w ? v.slice(0, w - 1) + '…' : v.padEnd(w); }).join('  ').trimEnd();
    this.out(line(columns.map((c) => c.toUpperCase())));
    for (const row of cells) this.out(line(row));
  }
}

function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Exit codes: 1 = bad input or failure, 2 = capability not available yet. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof NotConfiguredError) return 2;
  return 1;
}

export function describeCliError(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof ValidationError) return `Error: ${error.message}`;
  if (error instanceof AppError) return `Error: ${error.message}`;
  return `Error: ${errorMessage(error)}`;
}

/** Parses an integer option, refusing anything else with a plain message. */
export function parseIntOption(name: string, value: string): number {
  if (!/^-?\d+$/.test(value)) throw new ValidationError(`${name} must be a whole number (got "${value}")`);
  return Number(value);
}

/** Parses `90s`, `2m`, `10min`, `1h`, `1d`, or plain milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)?$/i.exec(value.trim());
  if (!m) throw new ValidationError(`"${value}" is not a duration (examples: 90s, 2m, 10m, 1h, 1d)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[unit]!;
  return Math.round(n * factor);
}

/** Parses an ISO 8601 date-time; refuses anything ambiguous. */
export function parseIsoOption(name: string, value: string): number {
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t)) throw new ValidationError(`${name} must be an ISO date-time such as 2026-01-31T12:00:00Z (got "${value}")`);
  return t;
}
