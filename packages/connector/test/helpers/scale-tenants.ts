/**
 * One deployment, two tenants (DESIGN §2 "several tenants can share one deployment"): the connector running as one
 * process (`startService`, role `all`, on the given database) with two connections — the two companies of one Odoo
 * 18 database (San Francisco = 1, Chicago = 2, the emulator's demo) each tied to its own Poleepo account (its own
 * sandbox, its own API key) — both provisioned, each with its own webhook registered in its own account.
 *
 * The companies differ where a mix-up would show: Chicago has its own stock of some products and its own sales tax
 * (10 % included) on E-COM07 where San Francisco has 22 % included.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { startService, type RunningService } from '../../src/app/service.ts';
import type { AppContext } from '../../src/app/context.ts';
import type { Services } from '../../src/app/modules.ts';
import { ConnectionsService } from '../../src/connections/connections.service.ts';
import { OdooProvisioning } from '../../src/provisioning/provisioning.service.ts';
import { WebhooksService } from '../../src/webhooks/webhooks.service.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { POLEEPO_WEBHOOK_HEADERS } from '../../src/poleepo/poleepo.signature.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import type { Dialect } from '../../src/storage/db.ts';
import { createTestDb, type TestDb } from './db.ts';
import { testConfig } from './config.ts';
import { control } from '../fixtures/poleepo-kit.ts';
import { useCompanyCurrency } from '../orders.fixture.ts';

export interface Tenant {
  name: string;
  companyId: number;
  connectionId: number;
  sandbox: PoleepoSandbox;
  /** The rate-limit ledger's key of its Poleepo account. */
  accountKey: string;
  webhook: { name: string; url: string; token: string; secret: string };
  /** Sales tax of its company on E-COM07 (id, rate). */
  tax: { id: number; rate: number };
}

export interface TenantsWorld {
  db: TestDb;
  service: RunningService;
  ctx: AppContext;
  services: Services;
  odoo: OdooEmulator;
  a: Tenant;
  b: Tenant;
  /** A model method on the emulator as the admin, in the given companies. */
  call<T = unknown>(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>, companies?: number[]): T;
  /** Variant id of an internal reference. */
  variant(sku: string): number;
  /** POSTs a Poleepo-shaped STATUS_ORDER notification to the connector, signed with `secret`. */
  postWebhook(url: string, secret: string, orderId: number, status?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Stock of the Chicago company (none in the demo). */
export const CHICAGO_STOCK: Record<string, number> = { 'E-COM07': 7, 'E-COM10': 4 };

export async function tenantsWorld(dialect: Dialect): Promise<TenantsWorld> {
  const db = await createTestDb(dialect);
  const odoo = await startOdooEmulator({ version: 18 });
  useCompanyCurrency(odoo); // the sandbox's orders are in euros: so are both companies (orders.currency.ts)
  const sandboxes = [await startPoleepoSandbox({ batchProcessingDelayMs: 0, randomSeed: 11 }), await startPoleepoSandbox({ batchProcessingDelayMs: 0, randomSeed: 22 })];
  let service: RunningService | undefined;
  try {
    service = await startService(testConfig(), 'all', { port: 0, db, logger: silentLogger });
    const ctx = service.ctx;
    // The flows run when the test says (run now), not on the clock's boundaries.
    for (const def of ctx.jobs.definitions()) await ctx.jobs.disable(def.name);
    const call = <T,>(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, companies = [1, 2]) =>
      odoo.call(model, method, args, { ...kwargs, context: { allowed_company_ids: companies, ...(kwargs.context as Record<string, unknown> | undefined) } }) as T;
    const variant = (sku: string) => {
      const [id] = call<number[]>('product.product', 'search', [[['default_code', '=', sku]]]);
      if (!id) throw new Error(`no variant ${sku}`);
      return id;
    };

    const connections = new ConnectionsService(ctx);
    const webhooks = new WebhooksService(ctx.db, ctx.clock, ctx.secrets, service.url!);
    const tenants: Tenant[] = [];
    for (const [i, spec] of [{ name: 'shop-sf', companyId: 1, rate: 22 }, { name: 'shop-chicago', companyId: 2, rate: 10 }].entries()) {
      const sandbox = sandboxes[i];
      const key = sandbox.clients[0];
      const connection = await connections.create({
        name: spec.name,
        odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: spec.companyId },
        poleepo: { baseUrl: sandbox.url, clientId: key.clientId, clientSecret: key.clientSecret },
      });
      const taxId = call<number>('account.tax', 'create', [{ name: `IVA ${spec.rate}% incl.`, amount: spec.rate, amount_type: 'percent', type_tax_use: 'sale', company_id: spec.companyId, price_include_override: 'tax_included' }]);
      const secret = randomBytes(12).toString('hex');
      const { url } = await webhooks.add({ connectionId: connection.id, name: spec.name, secret, events: ['STATUS_ORDER', 'STATUS_SHIPMENT'] });
      const subscribed = await control(sandbox, 'POST', '/__sandbox/webhooks', { url, secret, events: ['STATUS_ORDER'], signing: 'hmac' });
      if (subscribed.status !== 201) throw new Error(`sandbox subscription refused: ${JSON.stringify(subscribed.body)}`);
      const client = await service.services.products.poleepo(connection.id);
      tenants.push({
        name: spec.name, companyId: spec.companyId, connectionId: connection.id, sandbox, accountKey: client.accountKey,
        webhook: { name: spec.name, url, token: new URL(url).searchParams.get('token')!, secret }, tax: { id: taxId, rate: spec.rate },
      });
    }
    // Both provisioned after both exist: two companies of one database, two Poleepo accounts (company-dependent fields).
    const provisioning = new OdooProvisioning(ctx, connections);
    for (const t of tenants) await provisioning.provision(t.connectionId);

    // What tells the companies apart: E-COM07 carries each company's own tax; Chicago has its own stock.
    const [ecom07] = call<{ product_tmpl_id: [number, string] }[]>('product.product', 'read', [[variant('E-COM07')], ['product_tmpl_id']]);
    call('product.template', 'write', [[ecom07.product_tmpl_id[0]], { taxes_id: [[6, 0, tenants.map((t) => t.tax.id)]] }]);
    const [chicagoWarehouse] = call<{ lot_stock_id: [number, string] }[]>('stock.warehouse', 'search_read', [[['company_id', '=', 2]]], { fields: ['lot_stock_id'] }, [2]);
    for (const [sku, quantity] of Object.entries(CHICAGO_STOCK)) {
      call('stock.quant', 'create', [{ product_id: variant(sku), location_id: chicagoWarehouse.lot_stock_id[0], quantity, company_id: 2 }], {}, [2]);
    }

    const world: TenantsWorld = {
      db, service, ctx, services: service.services, odoo, a: tenants[0], b: tenants[1], call, variant,
      async postWebhook(url, secret, orderId, status = 'PAYMENT_ACCEPTED') {
        const body = JSON.stringify({ event: 'STATUS_ORDER', event_id: `evt_${randomBytes(6).toString('hex')}`, timestamp: new Date().toISOString(), data: { order_id: orderId, status } });
        const res = await fetch(url, {
          method: 'POST', body,
          headers: { 'Content-Type': 'application/json', [POLEEPO_WEBHOOK_HEADERS.event]: 'STATUS_ORDER', [POLEEPO_WEBHOOK_HEADERS.signature]: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      },
      async close() {
        await service?.stop({ drainMs: 1000 });
        for (const s of sandboxes) await s.stop();
        await odoo.stop();
        await db.cleanup();
      },
    };
    return world;
  } catch (error) {
    await service?.stop({ drainMs: 0 }).catch(() => undefined);
    for (const s of sandboxes) await s.stop();
    await odoo.stop();
    await db.cleanup();
    throw error;
  }
}
