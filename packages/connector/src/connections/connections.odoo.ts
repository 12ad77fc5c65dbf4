import type { AppContext } from '../app/context.ts';
import { OdooClient, type OdooClientOptions } from '../odoo/odoo.client.ts';
import { OdooLimiter, type OdooLimits } from '../odoo/odoo.limiter.ts';
import { ValidationError } from '../shared/errors.ts';
import { SecretBox } from '../shared/secrets.ts';
import { ConnectionsRepo } from './connections.repo.ts';
import { parseConnectionSettings } from './connections.settings.ts';
import type { ConnectionView } from './connections.types.ts';

/**
 * One limiter per (process context, connection): every client built for a connection shares its concurrency limit and
 * pace, however many tasks build one. Keyed on the context object, so nothing outlives it.
 */
const limiters = new WeakMap<AppContext, Map<number, OdooLimiter>>();

export function limiterFor(ctx: AppContext, connectionId: number, limits: OdooLimits): OdooLimiter {
  let byConnection = limiters.get(ctx);
  if (!byConnection) limiters.set(ctx, (byConnection = new Map()));
  const existing = byConnection.get(connectionId);
  if (existing && existing.limits.maxConcurrent === limits.maxConcurrent && (existing.limits.requestsPerSecond ?? null) === (limits.requestsPerSecond ?? null)) return existing;
  const limiter = new OdooLimiter(ctx.clock, limits, {
    onWait: (priority, waitedMs) => ctx.metrics.odooWait.observe({ connection: connectionId, priority }, waitedMs / 1000),
  });
  byConnection.set(connectionId, limiter);
  return limiter;
}

/** The Odoo client of a connection, with its decrypted API key, company context and settings. */
export async function odooClientFor(ctx: AppContext, connection: ConnectionView | number, overrides: Partial<OdooClientOptions> = {}): Promise<OdooClient> {
  const id = typeof connection === 'number' ? connection : connection.id;
  const row = await new ConnectionsRepo(ctx.db).get(id);
  if (!row) throw new ValidationError(`No connection with id ${id}`);
  if (!SecretBox.isEncrypted(row.odoo_api_key)) throw new ValidationError(`Connection "${row.name}" holds an Odoo API key that is not encrypted; set it again`);
  const settings = parseConnectionSettings(JSON.parse(row.settings || '{}'));
  return buildOdooClient(ctx, {
    id: Number(row.id), url: row.odoo_url, db: row.odoo_db, login: row.odoo_login,
    companyId: row.odoo_company_id === null ? null : Number(row.odoo_company_id), settings,
  }, ctx.secrets.decrypt(row.odoo_api_key), overrides);
}

export interface OdooClientTarget {
  id: number;
  url: string;
  db: string;
  login: string;
  companyId: number | null;
  settings: ConnectionView['settings'];
}

export function buildOdooClient(ctx: AppContext, target: OdooClientTarget, apiKey: string, overrides: Partial<OdooClientOptions> = {}): OdooClient {
  const odoo = target.settings.odoo;
  return new OdooClient({
    endpoint: { url: target.url, db: target.db, login: target.login, apiKey, connectionId: target.id },
    http: ctx.http,
    clock: ctx.clock,
    context: { companyId: target.companyId, lang: odoo.lang, tz: odoo.tz },
    transport: odoo.transport,
    timeoutMs: odoo.timeoutMs,
    limiter: limiterFor(ctx, target.id, { maxConcurrent: odoo.maxConcurrent, requestsPerSecond: odoo.requestsPerSecond }),
    ...overrides,
  });
}
