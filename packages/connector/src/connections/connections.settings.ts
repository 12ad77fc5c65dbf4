import { z } from 'zod';
import { ValidationError } from '../shared/errors.ts';

/**
 * Per-connection settings (stored as JSON in `connections.settings`), in one place with their defaults. Every key is
 * optional on input: what is absent takes its default, so older stored settings stay valid as keys are added.
 * Modules that need a setting add it here (with a default) rather than keeping their own.
 */

const rateLimitRule = z.object({
  limit: z.number().int().positive(),
  windowMs: z.number().int().positive(),
});

export const connectionSettingsSchema = z.object({
  /** Poleepo request limits per endpoint key (the batch status endpoint accepts 5 requests per window, seed). */
  rateLimits: z.record(z.string(), rateLimitRule).prefault({}).transform((limits) => ({
    'batches.status': { limit: 5, windowMs: 10 * 60_000 },
    ...limits,
  })),
  /** Poleepo endpoint paths that differ from docs/poleepo-api.md, per endpoint key (e.g. {"batches.status": "/v2/batches/{id}"}). */
  poleepoEndpoints: z.record(z.string(), z.string().startsWith('/')).default({}),
  /** Quantity sent to Poleepo: on hand (seed), free (on hand minus reserved) or forecast. */
  quantitySource: z.enum(['qty_available', 'free_qty', 'virtual_available']).default('qty_available'),
  /** Warehouse whose stock counts (null: every warehouse of the company). */
  warehouseId: z.number().int().positive().nullable().default(null),
  /** Prefix of the parent SKU (the template id) so it cannot clash with real SKUs. */
  parentSkuPrefix: z.string().max(32).default(''),
  /** Category sent: the category's own name (seed) or its full path. */
  categoryMode: z.enum(['name', 'complete_name']).default('name'),
  /** Poleepo order statuses that create a sale order in Odoo (default: from "Payment accepted" on). */
  importableStatuses: z.array(z.string().min(1)).min(1).default(['PAYMENT_ACCEPTED', 'IN_PROCESS', 'SHIPPED', 'DELIVERED']),
  /** Link to the order on Poleepo, `{id}` replaced by the Poleepo order id. */
  orderUrlPattern: z.string().min(1).refine((v) => v.includes('{id}'), 'must contain {id}').default('https://app.poleepo.cloud/orders/{id}'),
  /**
   * When imported orders are invoiced in Odoo and their invoices sent to Poleepo (DESIGN §4.8): on confirmation, once
   * a delivery of the order is done (default), only on request (`invoices send`; invoices made in Odoo by hand are
   * still sent), or never (nothing created, nothing sent). `none`, the older name of `never`, is still read.
   */
  invoicePolicy: z.enum(['on_confirmation', 'on_delivery', 'manual', 'never', 'none'])
    .transform((v): 'on_confirmation' | 'on_delivery' | 'manual' | 'never' => (v === 'none' ? 'never' : v)).default('on_delivery'),
  /**
   * Documents from Poleepo (DESIGN §4.8): besides the orders that changed, Invoice Sync scans now and then every
   * imported order of the last `days` days (0: never), `ordersPerRun` orders per run (the scan goes on at the next
   * run), starting again `everyMs` after the previous scan ended, so a document Poleepo adds later to an order that
   * does not change is still imported (once).
   */
  documentScan: z.object({
    days: z.number().int().min(0).max(365).default(30),
    everyMs: z.number().int().min(300_000).default(21_600_000),
    ordersPerRun: z.number().int().min(1).max(1000).default(100),
  }).prefault({}),
  /** Products per Poleepo batch. */
  batchSize: z.number().int().min(1).max(1000).default(100),
  /** An imported order whose total differs from Poleepo's by more than this is flagged. */
  totalMismatchThreshold: z.number().min(0).default(0.01),
  /** Overlap of the write_date cursors (Odoo stamps write_date at transaction start). */
  changeOverlapMs: z.number().int().min(0).default(120_000),
  /** Order import (DESIGN §4.6). */
  orders: z.object({
    /** delivery.carrier whose product carries the shipping cost (null: the first carrier Odoo lists for the company). */
    defaultCarrierId: z.number().int().positive().nullable().default(null),
    /**
     * Odoo's own request time limit (`limit_time_real`, 120 s by default): after an ambiguous failure (timeout, lost
     * reply) the connector waits longer than this before looking for the order again, so a create still running on
     * the server has either committed or died by then.
     */
    odooRequestTimeLimitMs: z.number().int().min(1000).max(3_600_000).default(120_000),
    /** Overlap of the Order Polling cursor on Poleepo's `updated_after` (whole seconds, UTC). */
    pollOverlapMs: z.number().int().min(0).default(300_000),
    /** How far back the first poll of a connection looks. */
    initialLookbackMs: z.number().int().min(0).default(86_400_000),
    /** Poleepo status pushed back once the order is confirmed in Odoo (null: push nothing on confirmation). */
    confirmedStatus: z.enum(['IN_PROCESS']).nullable().default('IN_PROCESS'),
    /** Push a cancellation made in Odoo back to Poleepo. */
    pushCancellation: z.boolean().default(true),
  }).prefault({}),
  /** Product fields mapped to Poleepo's codes and dimensions (defaults: the provisioned x_poleepo_* fields). */
  fieldMapping: z.object({
    upc: z.string().default('x_poleepo_upc'),
    isbn: z.string().default('x_poleepo_isbn'),
    mpn: z.string().default('x_poleepo_mpn'),
    width: z.string().default('x_poleepo_width'),
    height: z.string().default('x_poleepo_height'),
    depth: z.string().default('x_poleepo_depth'),
    longDescription: z.string().default('description'),
  }).prefault({}),
  /** How the connector talks to this Odoo. */
  odoo: z.object({
    /** auto = JSON-2 when the server has it (19+), else JSON-RPC. */
    transport: z.enum(['auto', 'jsonrpc', 'json2']).default('auto'),
    /** Calls in flight at once (one Odoo worker serves one call; more rarely helps, docs/odoo-api.md §D). */
    maxConcurrent: z.number().int().min(1).max(16).default(2),
    /** Optional pace for Odoo Online's fair use (calls started per second; null = no pace). */
    requestsPerSecond: z.number().positive().max(100).nullable().default(null),
    timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
    /** Records per read page (500–5,000). */
    pageSize: z.number().int().min(500).max(5000).default(2000),
    /** Context language for names sent to Poleepo (must be installed in Odoo); null = the API user's. */
    lang: z.string().min(2).nullable().default(null),
    tz: z.string().min(1).nullable().default(null),
    /** Warn this many days before the API key expires (Odoo 18+). */
    apiKeyExpiryWarningDays: z.number().int().min(1).max(90).default(14),
  }).prefault({}),
});

export type ConnectionSettings = z.output<typeof connectionSettingsSchema>;
export type ConnectionSettingsInput = z.input<typeof connectionSettingsSchema>;

/** Validates stored or submitted settings and fills the defaults; a bad value is a ValidationError naming it. */
export function parseConnectionSettings(input: unknown): ConnectionSettings {
  const parsed = connectionSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`);
    throw new ValidationError(`Invalid connection settings: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export function defaultConnectionSettings(): ConnectionSettings {
  return parseConnectionSettings({});
}

/** Applies a partial change (nested objects merged one level deep) and validates the result. */
export function mergeConnectionSettings(current: ConnectionSettings, patch: ConnectionSettingsInput): ConnectionSettings {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    const existing = merged[key];
    merged[key] = isPlainObject(existing) && isPlainObject(value) ? { ...existing, ...value } : value;
  }
  return parseConnectionSettings(merged);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
