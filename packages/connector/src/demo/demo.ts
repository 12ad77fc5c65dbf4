import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../config/env.ts';
import { startService, type RunningService } from '../app/service.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { createAuth } from '../auth/auth.service.ts';
import { generatePassword } from '../auth/users.service.ts';
import { ConnectionsService } from '../connections/connections.service.ts';
import { odooClientFor } from '../connections/connections.odoo.ts';
import { OdooProvisioning } from '../provisioning/provisioning.service.ts';
import { randomToken } from '../shared/passwords.ts';
import { DemoTraffic } from './demo.traffic.ts';
import { DemoWarehouse } from './demo.warehouse.ts';
import { demoChangeInOdoo } from './demo.odoo-changes.ts';

export interface DemoOptions {
  port?: number;
  /**
   * Where the demo keeps its SQLite database, key and the emulator's and sandbox's state files (default ./data/demo,
   * apart from a real deployment's): a second run on the same directory finds the same Odoo, Poleepo and connector.
   */
  dataDir?: string;
  /** How often the emulator and the sandbox save their state when it changed (default 5 s; always at stop). */
  saveEveryMs?: number;
  env?: Record<string, string | undefined>;
  /** Pace of the simulated world (defaults: an order every 8 s, an Odoo change every 15 s). */
  orderEveryMs?: number;
  changeEveryMs?: number;
  /** How often the demo's warehouse packs, validates and ships one delivery (default 20 s). */
  shipEveryMs?: number;
  /** Window of Poleepo's 5-request batch status limit in the sandbox (short, so results show within a minute). */
  rateLimitWindowMs?: number;
}

export interface RunningDemo {
  /** The demo's directory (absolute) and the DATABASE_URL that points the CLI at its database. */
  dataDir: string;
  databaseUrl: string;
  /** True when Odoo and Poleepo came back from their state files (a restart), false on a first run. */
  restored: boolean;
  service: RunningService;
  odoo: OdooEmulator;
  poleepo: PoleepoSandbox;
  traffic: DemoTraffic;
  warehouse: DemoWarehouse;
  consoleUrl: string;
  admin: { login: string; password: string | null };
  stop(): Promise<void>;
}

const DEMO_CONNECTION = 'demo';

/** What the demo keeps in its directory; `demo --reset` deletes exactly these (and nothing else there). */
export function demoFiles(dataDir: string): { database: string; stateFiles: string[]; all: string[] } {
  const database = join(dataDir, 'poleepo-odoo.db');
  const stateFiles = [join(dataDir, 'odoo-emulator.json'), join(dataDir, 'poleepo-sandbox.json')];
  return { database, stateFiles, all: [database, `${database}-wal`, `${database}-shm`, join(dataDir, 'secret.key'), ...stateFiles] };
}

/** `demo --reset`: deletes the demo's database, key and state files, so the next run starts over. Returns what it deleted. */
export function resetDemo(dataDir: string): string[] {
  const deleted = demoFiles(dataDir).all.filter((f) => existsSync(f));
  for (const file of deleted) rmSync(file, { force: true });
  return deleted;
}

/**
 * `poleepo-odoo demo`: the connector on embedded SQLite with the built-in Odoo emulator and Poleepo sandbox, seeded,
 * connected and provisioned, with every flow running: products published and exported in batches, changes in Odoo
 * flowing out, orders arriving by webhook from several channels and becoming confirmed sale orders, deliveries
 * packed, shipped with Poleepo and tracked to the customer.
 */
/** SKUs of the variants on sale on Poleepo (exported by the connector, active, in stock). */
function marketplaceSkus(poleepo: PoleepoSandbox): string[] {
  return [...poleepo.state.catalog.products.values()].filter((p) => p.type !== 'PARENT' && p.active && p.quantity > 0).map((p) => p.sku);
}

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const dataDir = resolve(options.dataDir ?? './data/demo');
  const files = demoFiles(dataDir);
  const databaseUrl = `sqlite:${files.database}`;
  const env = options.env ?? process.env;
  const port = options.port ?? 8080;
  const config: Config = loadConfig({
    ...env,
    DATABASE_URL: databaseUrl,
    PORT: String(port || 8080),
    PUBLIC_URL: env.PUBLIC_URL ?? `http://127.0.0.1:${port || 8080}`,
  });
  const rateLimitWindowMs = options.rateLimitWindowMs ?? 30_000;

  const [odooState, poleepoState] = files.stateFiles;
  const saveEveryMs = options.saveEveryMs ?? 5000;
  const odoo = await startOdooEmulator({ version: 18, seed: 'demo', catalog: { templates: 40, variants: 120, skuPrefix: 'DEMO', seed: 7 }, stateFile: odooState, saveEveryMs });
  if (!odoo.restored) {
    addIncludedTwinTaxes(odoo);
    keepBooksInEuros(odoo);
  }
  const poleepoSecret = randomToken(24);
  const poleepo = await startPoleepoSandbox({
    stateFile: poleepoState, saveEveryMs,
    clients: [{ clientId: 'demo-client', clientSecret: poleepoSecret }],
    rateLimitWindowMs, batchProcessingDelayMs: 3000, webhookRetryBaseMs: 1000,
    // The couriers move a handed-over parcel on by themselves (IN_TRANSIT, then DELIVERED), by webhook.
    shippingProgressMs: options.shipEveryMs ?? 20_000,
  });
  let service: RunningService | null = null;
  try {
    service = await startService(config, 'all', { port });
    const { ctx } = service;
    const publicUrl = options.port === 0 ? service.url! : config.publicUrl;

    const auth = createAuth(ctx);
    let admin: RunningDemo['admin'] = { login: 'admin', password: null };
    if ((await auth.users.list()).length === 0) {
      const password = generatePassword();
      await auth.users.create({ login: 'admin', password, role: 'admin', lang: 'it' });
      admin = { login: 'admin', password };
    }

    const connections = new ConnectionsService(ctx);
    const existing = (await connections.list()).find((c) => c.name === DEMO_CONNECTION);
    const connectionInput = {
      odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
      poleepo: { baseUrl: poleepo.url, clientId: 'demo-client', clientSecret: poleepoSecret },
      settings: { rateLimits: { 'batches.status': { limit: 5, windowMs: rateLimitWindowMs } }, batchSize: 50 },
    };
    const connection = existing
      ? await connections.update(existing.id, connectionInput)
      : await connections.create({ name: DEMO_CONNECTION, ...connectionInput });

    // Inside Odoo: the Poleepo fields, views, group and buttons; then the whole catalog published on Poleepo.
    const provisioned = await new OdooProvisioning(ctx, connections).provision(connection.id);
    ctx.logger.info({ counts: provisioned.counts }, 'demo: Odoo provisioned');
    const { webhooks, products } = service.services;
    const published = await products.setPublished(connection.id, { all: true }, true);
    ctx.logger.info({ variants: published.count }, 'demo: catalog published on Poleepo');
    // Short intervals so the whole loop shows within a minute (the poll floor is the sandbox's short window).
    await ctx.jobs.setInterval('generate-product-batches', 10_000);
    await ctx.jobs.setInterval('poll-product-batches', Math.max(rateLimitWindowMs, 10_000));
    await ctx.jobs.setInterval('order-polling', 60_000);
    await ctx.jobs.runNow('generate-product-batches');

    // The sandbox keeps no webhook subscriptions across runs: the webhook is created again and registered each run.
    if ((await webhooks.list(connection.id)).some((w) => w.name === 'demo')) await webhooks.remove('demo');
    const secret = randomToken(24);
    const { url: hookUrl } = await webhooks.add({ connectionId: connection.id, name: 'demo', secret, events: ['STATUS_ORDER', 'STATUS_SHIPMENT'] });
    const webhookUrl = hookUrl.replace(config.publicUrl, publicUrl);
    await fetch(`${poleepo.url}/__sandbox/webhooks`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: webhookUrl, secret, events: ['STATUS_ORDER', 'STATUS_SHIPMENT'] }),
    });

    const odooClient = await odooClientFor(ctx, connection);
    const traffic = new DemoTraffic({
      clock: ctx.clock, logger: ctx.logger, sandboxUrl: poleepo.url,
      // Customers buy what is on sale on the marketplaces: products the connector has exported to Poleepo.
      skus: async () => marketplaceSkus(poleepo),
      changeSomethingInOdoo: () => demoChangeInOdoo(odooClient, Math.random),
      orderEveryMs: options.orderEveryMs ?? 8000,
      changeEveryMs: options.changeEveryMs ?? 15_000,
    });
    traffic.start();

    // Shipping: Poleepo's package types, the emulator's "Box" shipped as a medium box, and a warehouse that ships.
    const { shipping, orders } = service.services;
    await shipping.packageTypes.sync(connection.id);
    const box = await shipping.packageTypes.map(connection.id, 'Box', 'Scatola media');
    const warehouse = new DemoWarehouse({
      clock: ctx.clock, logger: ctx.logger, connectionId: connection.id, orders: orders.repo, shipping,
      callOdoo: (model, method, args, kwargs) => odoo.call(model, method, args, kwargs ?? {}),
      odooVersion: odoo.version as 17 | 18 | 19, packageTypeId: box.odoo.id, shipEveryMs: options.shipEveryMs ?? 20_000,
    });
    warehouse.start();

    const running = service;
    return {
      dataDir, databaseUrl, restored: odoo.restored && poleepo.restored,
      service: running, odoo, poleepo, traffic, warehouse, consoleUrl: running.consoleUrl ?? publicUrl, admin,
      stop: async () => {
        await traffic.stop();
        await warehouse.stop();
        await running.stop({ drainMs: 5000 });
        await poleepo.stop();
        await odoo.stop();
      },
    };
  } catch (error) {
    await service?.stop({ drainMs: 0 });
    await poleepo.stop();
    await odoo.stop();
    throw error;
  }
}

/**
 * The emulator's demo company is Odoo's US demo, in dollars; a merchant on Poleepo keeps its books in euros, the
 * currency of the marketplace orders (an order in another currency needs a pricelist in it, or is parked).
 */
function keepBooksInEuros(odoo: OdooEmulator): void {
  const [eur] = odoo.call('res.currency', 'search', [[['name', '=', 'EUR']]], { context: { active_test: false } }) as number[];
  if (!eur) return;
  odoo.call('res.currency', 'write', [[eur], { active: true }]);
  odoo.call('res.company', 'write', [[1], { currency_id: eur }]);
}

/**
 * Marketplace prices include VAT. A merchant who sells on marketplaces keeps a price-included twin of each sales tax
 * (the import then keeps the marketplace amounts to the cent); the demo company is given them, as docs recommend.
 */
function addIncludedTwinTaxes(odoo: OdooEmulator): void {
  const taxes = odoo.call('account.tax', 'search_read', [[['type_tax_use', '=', 'sale'], ['amount_type', '=', 'percent'], ['company_id', '=', 1]]], { fields: ['name', 'amount', 'price_include_override'] }) as { name: string; amount: number; price_include_override: string | false }[];
  for (const tax of taxes.filter((t) => t.price_include_override !== 'tax_included')) {
    if (taxes.some((t) => t.amount === tax.amount && t.price_include_override === 'tax_included')) continue;
    odoo.call('account.tax', 'create', [{ name: `${tax.amount}% incl.`, amount: tax.amount, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, price_include_override: 'tax_included' }]);
  }
}
