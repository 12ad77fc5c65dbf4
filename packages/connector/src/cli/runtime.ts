import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
  /** Set for commands that only read (main.ts): a missing SQLite database is reported, never created. */
  readOnly = false;

  constructor(private readonly env: Record<string, string | undefined> = process.env) {}

  /** One environment variable (empty counts as unset). */
  envVar(name: string): string | undefined {
    return this.env[name] || undefined;
  }

  /** The environment the command runs with (the demo passes it on). */
  environment(): Record<string, string | undefined> {
    return this.env;
  }

  config(): Config {
    if (!this.cfg) this.cfg = loadConfig(this.env);
    return this.cfg;
  }

  /** Opens the database (migrating it unless told not to) and builds the context, once per command. */
  async context(options: ContextOptions = {}): Promise<AppContext> {
    if (!this.ctx) {
      if (this.readOnly) refuseMissingDatabase(this.config());
      this.ctx = await createContext(this.config(), { migrate: true, ...options });
    }
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

/** Where `demo` keeps its database by default (`demo --data-dir` moves it). */
const DEMO_DATABASE = './data/demo/poleepo-odoo.db';

/**
 * A read-only command on a SQLite database that is not there: one line saying so (and where a demo's database is,
 * when there is one), before anything — database file or secret.key — is created.
 */
function refuseMissingDatabase(config: Config): void {
  if (config.dialect !== 'sqlite') return;
  const path = config.databaseUrl.slice('sqlite:'.length);
  if (path === ':memory:') return;
  let problem: string | null = null;
  if (!existsSync(path)) problem = `No database at ${path}: nothing to show, and nothing was created`;
  else if (!config.encryptionKey && config.dataDir && !existsSync(join(config.dataDir, 'secret.key'))) {
    problem = `The database ${path} has no ${join(config.dataDir, 'secret.key')} beside it: restore the key file or set ENCRYPTION_KEY (nothing was created)`;
  }
  if (!problem) return;
  const demo = resolve(DEMO_DATABASE);
  const hint = resolve(path) !== demo && existsSync(demo) ? `. The demo's database is ${demo}: export DATABASE_URL=sqlite:${demo}` : '. Set DATABASE_URL to the connector\'s database (the demo prints its line when it starts)';
  throw new NoDatabaseError(problem + hint);
}

/** A read-only command found no database to read. */
export class NoDatabaseError extends AppError {
  constructor(message: string) {
    super('no_database', message);
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

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO 8601 date-time; refuses anything ambiguous or impossible. JavaScript's Date rolls an impossible date
 * over (2026-02-30 becomes 2 March) — a cursor moved silently — so each part is checked against the calendar first.
 */
export function parseIsoOption(name: string, value: string): number {
  const example = 'such as 2026-01-31T12:00:00Z';
  const m = ISO_DATE_TIME.exec(value.trim());
  if (!m) throw new ValidationError(`${name} must be an ISO date-time ${example} (got "${value}")`);
  const [, y, mo, d, h = '0', mi = '0', sec = '0'] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) {
    throw new ValidationError(`${name}: ${y}-${mo}-${d} is not a date (${month >= 1 && month <= 12 ? `that month has ${daysInMonth} days` : 'months are 01 to 12'}; got "${value}")`);
  }
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) throw new ValidationError(`${name}: ${h}:${mi}:${sec} is not a time of day (got "${value}")`);
  const t = Date.parse(value.trim());
  if (Number.isNaN(t)) throw new ValidationError(`${name} must be an ISO date-time ${example} (got "${value}")`);
  return t;
}
