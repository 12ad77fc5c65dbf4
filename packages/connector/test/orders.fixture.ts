/**
 * Shared arrangement of the order import tests: the Odoo emulator with the provisioned x_poleepo_* fields (created
 * through ir.model.fields, as provisioning and the recorded flow g do), the Poleepo sandbox, a connection pointing at
 * both, and the real services and worker of a process — everything on one ManualClock.
 */
import { createContext, type AppContext } from '../src/app/context.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import type { Dialect } from '../src/storage/db.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import type { OdooVersion } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import type { SandboxClient } from '@poleepo-odoo/poleepo-sandbox';
import { newSandboxClient } from '@poleepo-odoo/poleepo-sandbox';
import { WebhookQueueService } from '../src/webhooks/webhook-queue.service.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';
import { WebhookIntake } from '../src/webhooks/webhook.intake.ts';
import { defineWebhookTasks } from '../src/webhooks/webhook-queue.tasks.ts';
import { OrdersService } from '../src/orders/orders.service.ts';
import { defineOrderTasks } from '../src/orders/orders.tasks.ts';
import type { OrderClientOverrides } from '../src/orders/orders.connections.ts';
import type { OrderBinding } from '../src/orders/orders.repo.ts';
import type { ConnectionSettingsInput } from '../src/connections/connections.settings.ts';
import { Worker } from '../src/tasks/task.worker.ts';
import { createTestDb, type TestDb } from './helpers/db.ts';
import { testConfig } from './helpers/config.ts';
import { eventually } from './helpers/wait.ts';

export const ORDER_FIELDS: { model: string; name: string; ttype: string; index?: boolean }[] = [
  { model: 'sale.order', name: 'x_poleepo_order_id', ttype: 'char', index: true },
  { model: 'sale.order', name: 'x_poleepo_status', ttype: 'char' },
  { model: 'sale.order', name: 'x_poleepo_channel', ttype: 'char' },
  { model: 'sale.order', name: 'x_poleepo_url', ttype: 'char' },
  { model: 'sale.order', name: 'x_poleepo_payment_method', ttype: 'char' },
  { model: 'sale.order', name: 'x_poleepo_cod_amount', ttype: 'float' },
  { model: 'product.product', name: 'x_poleepo_sku', ttype: 'char' },
];

/**
 * The emulator's demo companies keep their books in US dollars (the recorded databases are Odoo's US demo); the
 * merchants Poleepo serves keep theirs in euros, and an order in another currency than the company's needs a
 * pricelist in it (orders.currency.ts). This makes the companies Italian in that respect: the currency active and
 * the companies' own.
 */
export function useCompanyCurrency(odoo: OdooEmulator, code = 'EUR', companies: number[] = [1, 2]): number {
  const [id] = odoo.call('res.currency', 'search', [[['name', '=', code]]], { context: { active_test: false } }) as number[];
  if (!id) throw new Error(`the emulator has no currency ${code}`);
  odoo.call('res.currency', 'write', [[id], { active: true }]);
  odoo.call('res.company', 'write', [companies, { currency_id: id }]);
  return id;
}

/** Creates the provisioned fields the import reads and writes (issue 5 does it for real with `odoo provision`). */
export function provisionOrderFields(odoo: OdooEmulator, fields = ORDER_FIELDS): void {
  for (const f of fields) {
    const [model] = odoo.call('ir.model', 'search_read', [[['model', '=', f.model]]], { fields: ['id'] }) as { id: number }[];
    odoo.call('ir.model.fields', 'create', [{ name: f.name, field_description: f.name, model_id: model.id, ttype: f.ttype, index: f.index ?? false, copied: false, state: 'manual' }]);
  }
}

/** What the sandbox's `POST /__sandbox/orders` takes (docs/poleepo-api.md §7). */
export interface PoleepoOrderInput {
  lines: { sku: string; quantity: number; price?: number; discount?: number; vat_rate?: number }[];
  shipping_cost?: number;
  shipping_vat_rate?: number;
  vouchers?: { code?: string; name?: string; amount: number }[];
  currency?: string;
  payment_method?: string;
  cash_on_delivery?: number;
  channel?: string;
  customer?: Record<string, unknown>;
  random_extras?: boolean;
}

export interface OrdersWorld {
  db: TestDb;
  clock: ManualClock;
  ctx: AppContext;
  odoo: OdooEmulator;
  sandbox: PoleepoSandbox;
  orders: OrdersService;
  webhookQueue: WebhookQueueService;
  connectionId: number;
  worker: Worker | null;
  startWorker(): Worker;
  stopWorker(): Promise<void>;
  /** Creates an order on the sandbox (Poleepo shape) and returns its id as a string. */
  poleepoOrder(input: PoleepoOrderInput): string;
  setStatus(poleepoId: string, status: string): void;
  /** Delivers a STATUS_ORDER notification to the connector's intake (in process), as Poleepo would; its message id. */
  webhook(poleepoId: string, status?: string, eventId?: string): Promise<number>;
  binding(poleepoId: string, connectionId?: number): Promise<OrderBinding | undefined>;
  waitFor(poleepoId: string, states: string[], timeoutMs?: number, connectionId?: number): Promise<OrderBinding>;
  saleOrders(poleepoId: string): Record<string, unknown>[];
  close(): Promise<void>;
}

export interface WorldOptions {
  dialect: Dialect;
  version?: OdooVersion;
  clients?: OrderClientOverrides;
  settings?: ConnectionSettingsInput;
  sandboxClient?: SandboxClient;
  companyId?: number;
  provision?: boolean;
  /**
   * An Italian 22 % price-included sales tax in both companies (default true), so the sandbox's 22 % lines find
   * their rate; false leaves the demo's taxes alone.
   */
  vat22?: boolean;
  /** Start of the shared ManualClock (default 2026-03-02T09:00:00Z). */
  start?: number;
  /** The companies' currency (default EUR, the sandbox's orders' own); null leaves the emulator's (USD). */
  companyCurrency?: string | null;
}

export async function ordersWorld(options: WorldOptions): Promise<OrdersWorld> {
  const clock = new ManualClock(options.start ?? '2026-03-02T09:00:00Z');
  const db = await createTestDb(options.dialect);
  const odoo = await startOdooEmulator({ version: options.version ?? 18, clock });
  if (options.provision !== false) provisionOrderFields(odoo);
  if (options.companyCurrency !== null) useCompanyCurrency(odoo, options.companyCurrency ?? 'EUR');
  if (options.vat22 !== false) {
    for (const company of [1, 2]) {
      const included = odoo.version === 17 ? { price_include: true } : { price_include_override: 'tax_included' };
      odoo.call('account.tax', 'create', [{ name: 'IVA 22% incl.', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: company, ...included }]);
    }
  }
  const client = options.sandboxClient ?? newSandboxClient();
  const sandbox = await startPoleepoSandbox({ clock, clients: [client] });
  const ctx = await createContext(testConfig(), { db, clock, logger: silentLogger });
  const webhookQueue = new WebhookQueueService(ctx.tasks, ctx.clock);
  defineWebhookTasks(ctx.taskRegistry, webhookQueue);
  const orders = new OrdersService(ctx, webhookQueue, { clients: options.clients });
  defineOrderTasks(ctx, orders, webhookQueue);
  const connection = await new ConnectionsService(ctx).create({
    name: 'shop',
    odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: options.companyId ?? 1 },
    poleepo: { baseUrl: sandbox.url, clientId: client.clientId, clientSecret: client.clientSecret },
    settings: options.settings as Record<string, unknown> | undefined,
  });
  const webhooks = new WebhooksService(db, clock, ctx.secrets, 'http://127.0.0.1');
  const { url } = await webhooks.add({ connectionId: connection.id, name: 'poleepo', secret: 'secret-from-poleepo', events: ['STATUS_ORDER'], verification: 'url_token' });
  const intake = new WebhookIntake(webhooks, ctx.tasks, clock, silentLogger);
  let events = 0;
  const world: OrdersWorld = {
    db, clock, ctx, odoo, sandbox, orders, webhookQueue, connectionId: connection.id, worker: null,
    startWorker() {
      const worker = new Worker({ queue: ctx.tasks, registry: ctx.taskRegistry, clock, workerId: `test-${Math.random().toString(36).slice(2, 8)}`, lanes: { orders: 4, webhooks: 2, jobs: 1 }, pollIntervalMs: 1000, leaseMs: 600_000, heartbeatMs: 60_000 });
      worker.start();
      world.worker = worker;
      return worker;
    },
    async stopWorker() {
      await world.worker?.stop({ timeoutMs: 0 });
      world.worker = null;
    },
    poleepoOrder(input) {
      return String(sandbox.state.orders.create(input, clock.now()).id);
    },
    setStatus(poleepoId, status) {
      clock.advance(1000);
      sandbox.state.orders.setStatus(poleepoId, status, false, clock.now());
    },
    async webhook(poleepoId, status, eventId) {
      const current = status ?? sandbox.state.orders.order(poleepoId).status;
      const body = JSON.stringify({ event: 'STATUS_ORDER', event_id: eventId ?? `evt_${++events}`, timestamp: new Date(clock.now()).toISOString(), data: { order_id: Number(poleepoId), status: current } });
      const outcome = await intake.receive({ name: 'poleepo', token: new URL(url).searchParams.get('token') ?? undefined, rawBody: Buffer.from(body), headers: { 'content-type': 'application/json' } });
      if (outcome.status !== 200 || !('received' in outcome.body)) throw new Error(`webhook refused: ${JSON.stringify(outcome.body)}`);
      return outcome.body.id;
    },
    binding: (poleepoId, connectionId = world.connectionId) => orders.repo.find(connectionId, poleepoId),
    waitFor: (poleepoId, states, timeoutMs = 30_000, connectionId = world.connectionId) =>
      eventually(async () => {
        const b = await orders.repo.find(connectionId, poleepoId);
        return b && states.includes(b.state) && !(await ctx.tasks.serialKeyInFlight(`order:${connectionId}:${poleepoId}`)) ? b : null;
      }, timeoutMs, `order ${poleepoId} to be ${states.join(' or ')}`),
    saleOrders: (poleepoId) => odoo.call('sale.order', 'search_read', [[['x_poleepo_order_id', '=', poleepoId]]], {
      fields: ['name', 'state', 'date_order', 'amount_total', 'partner_id', 'partner_invoice_id', 'partner_shipping_id', 'user_id', 'client_order_ref', 'origin', 'x_poleepo_status', 'x_poleepo_channel', 'x_poleepo_url', 'company_id', 'order_line', 'carrier_id', 'currency_id', 'pricelist_id', 'x_poleepo_payment_method', 'x_poleepo_cod_amount'],
      context: { active_test: false, allowed_company_ids: [1, 2] },
    }) as Record<string, unknown>[],
    async close() {
      await world.worker?.stop({ timeoutMs: 0 });
      await ctx.close();
      await sandbox.stop();
      await odoo.stop();
      await db.cleanup();
    },
  };
  return world;
}
