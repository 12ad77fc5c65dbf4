import { z } from 'zod';
import { AppError } from '../shared/errors.ts';
import { parseEncryptionKey } from '../shared/secrets.ts';

/** Raised at start when the environment is wrong; lists every bad variable at once. */
export class ConfigError extends AppError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('config', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Webhook bodies (Poleepo's and Odoo's notifications) are a few hundred bytes; anything near this is not one. */
export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 256 * 1024;

const port = z.coerce.number({ error: 'must be a port number between 1 and 65535' }).int('must be a port number between 1 and 65535').min(1, 'must be a port number between 1 and 65535').max(65535, 'must be a port number between 1 and 65535');
const url = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://');

const schema = z.object({
  DATABASE_URL: z.string().default('sqlite:./data/poleepo-odoo.db').refine(
    (v) => /^sqlite:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v),
    'must be sqlite:<path> or postgres://user:pass@host:port/db',
  ),
  PORT: port.default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: url.optional(),
  CONSOLE_PORT: port.optional(),
  CLIENT_IP_HEADER: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name, e.g. X-Real-IP').optional(),
  CONSOLE_TIME_ZONE: z.string().min(1).max(64).refine(isTimeZone, 'must be an IANA time zone such as Europe/Rome').default('Europe/Rome'),
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number({ error: 'must be a number of bytes between 1024 and 16777216' }).int('must be a whole number of bytes')
    .min(1024, 'must be at least 1024 bytes').max(16 * 1024 * 1024, 'must be at most 16777216 bytes (16 MiB)').default(DEFAULT_WEBHOOK_MAX_BODY_BYTES),
  ENCRYPTION_KEY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ODOO_URL: url.optional(),
  ODOO_DB: z.string().min(1).optional(),
  ODOO_LOGIN: z.string().min(1).optional(),
  ODOO_API_KEY: z.string().min(1).optional(),
  ODOO_COMPANY_ID: z.coerce.number().int().positive().optional(),
  POLEEPO_CLIENT_ID: z.string().min(1).optional(),
  POLEEPO_CLIENT_SECRET: z.string().min(1).optional(),
  POLEEPO_BASE_URL: url.optional(),
});

export type RawEnv = z.infer<typeof schema>;

export interface Config {
  databaseUrl: string;
  dialect: 'sqlite' | 'postgres';
  /** Directory of the SQLite file (embedded mode), where the generated key lives too. */
  dataDir: string | null;
  port: number;
  host: string;
  publicUrl: string;
  consolePort: number | null;
  /**
   * The header the reverse proxy puts the client's address in (X-Real-IP, X-Forwarded-For: its last entry), read by
   * the login throttle; null: the TCP peer. Set it only when the proxy always overwrites that header.
   */
  clientIpHeader: string | null;
  /** The console's time zone for users who did not choose their own (IANA name). */
  consoleTimeZone: string;
  /** Largest webhook body accepted (POST /webhooks/poleepo/… and /webhooks/odoo/…), counted while it streams in. */
  webhookMaxBodyBytes: number;
  /** Base64 key, or null when it must be generated/read from dataDir (embedded mode only). */
  encryptionKey: string | null;
  logLevel: RawEnv['LOG_LEVEL'];
  bootstrap: {
    odoo?: { url: string; db: string; login: string; apiKey: string; companyId?: number };
    poleepo?: { clientId: string; clientSecret: string; baseUrl?: string };
  };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as shells and systemd files commonly leave them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const raw = parsed.success ? parsed.data : undefined;
  const dialect = String(cleaned.DATABASE_URL ?? 'sqlite:').startsWith('sqlite:') ? 'sqlite' : 'postgres';

  if (cleaned.ENCRYPTION_KEY) {
    try {
      parseEncryptionKey(cleaned.ENCRYPTION_KEY);
    } catch (e) {
      problems.push(`ENCRYPTION_KEY: ${(e as Error).message} (generate one with: openssl rand -base64 32)`);
    }
  } else if (dialect === 'postgres' && /^postgres(ql)?:\/\//.test(String(cleaned.DATABASE_URL))) {
    problems.push('ENCRYPTION_KEY: required with PostgreSQL (every process must share it; generate with: openssl rand -base64 32)');
  }

  const odooVars = ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY'] as const;
  const odooSet = odooVars.filter((k) => cleaned[k]);
  if (odooSet.length > 0 && odooSet.length < odooVars.length) {
    for (const k of odooVars) if (!cleaned[k]) problems.push(`${k}: required when the other ODOO_* variables are set`);
  }
  const poleepoVars = ['POLEEPO_CLIENT_ID', 'POLEEPO_CLIENT_SECRET'] as const;
  const poleepoSet = poleepoVars.filter((k) => cleaned[k]);
  if (poleepoSet.length === 1) {
    for (const k of poleepoVars) if (!cleaned[k]) problems.push(`${k}: required when the other POLEEPO_* credential is set`);
  }

  if (problems.length > 0 || !raw) throw new ConfigError(problems);

  const dataDir = dialect === 'sqlite' ? dirnameOf(raw.DATABASE_URL.slice('sqlite:'.length)) : null;
  return {
    databaseUrl: raw.DATABASE_URL,
    dialect,
    dataDir,
    port: raw.PORT,
    host: raw.HOST,
    publicUrl: (raw.PUBLIC_URL ?? `http://${raw.HOST}:${raw.PORT}`).replace(/\/+$/, ''),
    consolePort: raw.CONSOLE_PORT ?? null,
    webhookMaxBodyBytes: raw.WEBHOOK_MAX_BODY_BYTES,
    clientIpHeader: raw.CLIENT_IP_HEADER ?? null,
    consoleTimeZone: raw.CONSOLE_TIME_ZONE,
    encryptionKey: raw.ENCRYPTION_KEY ?? null,
    logLevel: raw.LOG_LEVEL,
    bootstrap: {
      odoo: raw.ODOO_URL && raw.ODOO_DB && raw.ODOO_LOGIN && raw.ODOO_API_KEY
        ? { url: raw.ODOO_URL, db: raw.ODOO_DB, login: raw.ODOO_LOGIN, apiKey: raw.ODOO_API_KEY, companyId: raw.ODOO_COMPANY_ID }
        : undefined,
      poleepo: raw.POLEEPO_CLIENT_ID && raw.POLEEPO_CLIENT_SECRET
        ? { clientId: raw.POLEEPO_CLIENT_ID, clientSecret: raw.POLEEPO_CLIENT_SECRET, baseUrl: raw.POLEEPO_BASE_URL }
        : undefined,
    },
  };
}

function dirnameOf(path: string): string {
  if (path === ':memory:') return '.';
  const i = path.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : path.slice(0, i);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
