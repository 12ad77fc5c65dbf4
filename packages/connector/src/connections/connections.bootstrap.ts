import type { AppContext } from '../app/context.ts';
import { ConnectionsService } from './connections.service.ts';
import { DEFAULT_POLEEPO_BASE_URL, type UpdateConnectionInput } from './connections.types.ts';

/** The connection the environment variables describe (DESIGN §3.3). */
export const BOOTSTRAP_CONNECTION_NAME = 'default';

export type BootstrapOutcome =
  | { action: 'skipped'; reason: string }
  | { action: 'created' | 'updated' | 'unchanged'; connectionId: number; name: string };

/**
 * Creates or updates the connection named "default" from ODOO_* and POLEEPO_* (config.bootstrap), at start.
 * Idempotent: running it again with the same environment changes nothing; a changed variable (a rotated key) is
 * written; settings and other connections are never touched. Needs the Odoo variables to create the connection;
 * the Poleepo ones alone only update an existing one.
 */
export async function bootstrapConnectionFromEnv(ctx: AppContext, service = new ConnectionsService(ctx)): Promise<BootstrapOutcome> {
  const { odoo, poleepo } = ctx.config.bootstrap;
  if (!odoo && !poleepo) return { action: 'skipped', reason: 'no ODOO_* or POLEEPO_* variables set' };
  const existing = (await service.list()).find((c) => c.name === BOOTSTRAP_CONNECTION_NAME);

  if (!existing) {
    if (!odoo) return { action: 'skipped', reason: `POLEEPO_* variables are set but there is no "${BOOTSTRAP_CONNECTION_NAME}" connection and no ODOO_* variables to create it` };
    const created = await service.create({
      name: BOOTSTRAP_CONNECTION_NAME,
      odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: odoo.companyId ?? null },
      poleepo: poleepo ? { baseUrl: poleepo.baseUrl ?? DEFAULT_POLEEPO_BASE_URL, clientId: poleepo.clientId, clientSecret: poleepo.clientSecret } : {},
    });
    return { action: 'created', connectionId: created.id, name: created.name };
  }

  const secrets = await service.secrets(existing.id);
  const patch: UpdateConnectionInput = {};
  if (odoo) {
    const o: NonNullable<UpdateConnectionInput['odoo']> = {};
    if (stripSlash(odoo.url) !== existing.odoo.url) o.url = odoo.url;
    if (odoo.db !== existing.odoo.db) o.db = odoo.db;
    if (odoo.login !== existing.odoo.login) o.login = odoo.login;
    if (odoo.apiKey !== secrets.odooApiKey) o.apiKey = odoo.apiKey;
    if (odoo.companyId !== undefined && odoo.companyId !== existing.odoo.companyId) o.companyId = odoo.companyId;
    // A new address takes its key with it (the service never sends a stored key to another address).
    if (o.url !== undefined) o.apiKey = odoo.apiKey;
    if (Object.keys(o).length) patch.odoo = o;
  }
  if (poleepo) {
    const p: NonNullable<UpdateConnectionInput['poleepo']> = {};
    const baseUrl = stripSlash(poleepo.baseUrl ?? DEFAULT_POLEEPO_BASE_URL);
    if (baseUrl !== existing.poleepo.baseUrl) p.baseUrl = baseUrl;
    if (poleepo.clientId !== existing.poleepo.clientId) p.clientId = poleepo.clientId;
    if (poleepo.clientSecret !== secrets.poleepoClientSecret || p.baseUrl !== undefined) p.clientSecret = poleepo.clientSecret;
    if (Object.keys(p).length) patch.poleepo = p;
  }
  if (!patch.odoo && !patch.poleepo) return { action: 'unchanged', connectionId: existing.id, name: existing.name };
  await service.update(existing.id, patch);
  return { action: 'updated', connectionId: existing.id, name: existing.name };
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
