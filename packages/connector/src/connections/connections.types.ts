import { z } from 'zod';
import type { ConnectionSettings, ConnectionSettingsInput } from './connections.settings.ts';

/** Poleepo's API base URL (docs/poleepo-api.md §1). */
export const DEFAULT_POLEEPO_BASE_URL = 'https://api.poleepo.cloud';

/** What anyone may see of a connection: never a secret, not even masked. */
export interface ConnectionView {
  id: number;
  name: string;
  active: boolean;
  odoo: {
    url: string;
    db: string;
    login: string;
    companyId: number | null;
    apiKeySet: boolean;
    /** As last probed. */
    version: string | null;
    transport: 'jsonrpc' | 'json2' | null;
    apiKeyExpiresAt: number | null;
  };
  poleepo: {
    baseUrl: string;
    clientId: string;
    clientSecretSet: boolean;
  };
  settings: ConnectionSettings;
  lastTest: { at: number; ok: boolean; checks: ConnectionCheckResult[] } | null;
  createdAt: number;
  updatedAt: number;
}

/** Decrypted secrets, for the client factories only. */
export interface ConnectionSecrets {
  odooApiKey: string;
  /** Empty when the Poleepo side is not configured yet. */
  poleepoClientSecret: string;
}

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped';

/** One verdict of `connection test`, in plain words. */
export interface ConnectionCheckResult {
  system: string;
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface ConnectionTestReport {
  connectionId: number;
  name: string;
  /** No check failed (warnings allowed). */
  ok: boolean;
  at: number;
  checks: ConnectionCheckResult[];
}

const nameSchema = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'use letters, digits, "-", "_" or "." (no spaces), at most 63 characters');
const httpUrl = z.string().trim().url().refine((u) => /^https?:\/\//i.test(u), 'must start with http:// or https://').transform((u) => u.replace(/\/+$/, ''));
const companyId = z.number().int().positive().nullable();

export const createConnectionSchema = z.object({
  name: nameSchema,
  active: z.boolean().default(true),
  odoo: z.object({
    url: httpUrl,
    db: z.string().trim().min(1, 'the Odoo database name is required'),
    login: z.string().trim().min(1, 'the Odoo login is required'),
    apiKey: z.string().trim().min(1, 'the Odoo API key is required'),
    companyId: companyId.default(null),
  }),
  poleepo: z.object({
    baseUrl: httpUrl.default(DEFAULT_POLEEPO_BASE_URL),
    clientId: z.string().trim().default(''),
    clientSecret: z.string().trim().default(''),
  }).prefault({}).refine((p) => Boolean(p.clientId) === Boolean(p.clientSecret), 'give both the Poleepo client id and client secret, or neither'),
  settings: z.record(z.string(), z.unknown()).optional(),
});

export type CreateConnectionInput = z.input<typeof createConnectionSchema>;

export const updateConnectionSchema = z.object({
  name: nameSchema.optional(),
  active: z.boolean().optional(),
  odoo: z.object({
    url: httpUrl.optional(),
    db: z.string().trim().min(1).optional(),
    login: z.string().trim().min(1).optional(),
    apiKey: z.string().trim().min(1).optional(),
    companyId: companyId.optional(),
  }).optional(),
  poleepo: z.object({
    baseUrl: httpUrl.optional(),
    clientId: z.string().trim().optional(),
    clientSecret: z.string().trim().optional(),
  }).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});

export type UpdateConnectionInput = Omit<z.input<typeof updateConnectionSchema>, 'settings'> & { settings?: ConnectionSettingsInput };
