import type { Clock } from '@poleepo-odoo/clock';

/** What a sandbox API key may do (docs/poleepo-api.md §3). */
export type SandboxAccess = 'none' | 'read' | 'write';
export type SandboxArea = 'orders' | 'products' | 'shipping';

export interface SandboxPermissions {
  orders?: SandboxAccess;
  products?: SandboxAccess;
  shipping?: SandboxAccess;
  /** The key hides sensitive customer data from orders and shippings. */
  hideCustomerData?: boolean;
  /** The key hides order prices. */
  hidePrices?: boolean;
}

export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  /** Absent: write access to everything. Present: an area left out has no access. */
  permissions?: SandboxPermissions;
  /** A key not enabled in Poleepo's UI refuses the token call. */
  enabled?: boolean;
}

export interface SandboxRateRule {
  limit: number;
  windowMs: number;
}

export type SandboxSigning = 'hmac' | 'header' | 'url_token';

/** Live settings: tests and the demo change them on a running sandbox. */
export interface PoleepoSandboxKnobs {
  tokenTtlSeconds: number;
  /** Sandbox-clock time between a batch's submission and its results. */
  batchProcessingDelayMs: number;
  /** The window of the batch status limit (5 requests) and of the stats' "max in any window". */
  rateLimitWindowMs: number;
  /** Extra or different limits per endpoint key (`batches.status` defaults to 5 per `rateLimitWindowMs`). */
  rateLimits: Record<string, SandboxRateRule | null>;
  /** Order `status` as a code string or as `{id, name}` (both forms are plausible, research G6). */
  orderStatusFormat: 'code' | 'object';
  maxPageSize: number;
  /** Whether `GET /products?sku=` filters (assumed); false plays an API that ignores the filter. */
  honourSkuFilter: boolean;
  maxBatchItems: number;
  webhookMaxAttempts: number;
  /** First retry delay; doubles on each further attempt (sandbox clock). */
  webhookRetryBaseMs: number;
  /** Real time a webhook receiver may take before the attempt counts as failed. */
  webhookTimeoutMs: number;
  /**
   * The carrier's tracking for demos: a shipping handed to the carrier moves on its own to IN_TRANSIT, then to
   * DELIVERED, this many ms (sandbox clock) after each previous step. 0 = off: only the control API moves it.
   */
  shippingProgressMs: number;
}

export interface PoleepoSandboxOptions extends Partial<PoleepoSandboxKnobs> {
  /** 0 (default) = a free port. */
  port?: number;
  host?: string;
  clients?: SandboxClient[];
  clock?: Clock;
  /** Path overrides per endpoint key, as the client's `endpoints` setting (docs/poleepo-api.md). */
  paths?: Record<string, string | { method?: string; path: string }>;
  /** Seed a few products and publications (reference data — categories, carriers, package types, pickup addresses,
   * tags — is always there). */
  seedProducts?: boolean;
  /** Seed of the order generator (same seed, same orders). */
  randomSeed?: number;
  /**
   * A JSON file holding the account across restarts (poleepo-sandbox.persistence.ts): loaded at start when it exists,
   * written when the account changed every `saveEveryMs` (default 5000; 0: only at stop) and at stop.
   */
  stateFile?: string;
  saveEveryMs?: number;
}
