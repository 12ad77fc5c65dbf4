/**
 * Scale-out on PostgreSQL (DESIGN §2, docs/scaling.md): two `serve` and three `work` processes — real child processes
 * started with `node bin/poleepo-odoo.js` — share one database, with the Odoo emulator and the Poleepo sandbox in the
 * test process. Every Poleepo webhook is delivered to BOTH serve processes (two subscriptions, duplicates on purpose
 * across processes), a few hundred orders are placed, and a catalog export runs on 10-second job ticks against a
 * sandbox whose batch-status limit is 5 requests per 10 s. Checked: each order is one confirmed sale order, each
 * scheduled tick ran once, and the 5-request limit held across processes (no 429).
 *
 * Bounded: a few hundred orders, ≤ ~2 minutes; the processes are stopped gracefully at the end and killed in afterAll
 * whatever happened. The figures measured are printed.
 */
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../src/app/context.ts';
import { buildServices, type Services } from '../src/app/modules.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { OdooProvisioning } from '../src/provisioning/provisioning.service.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import type { EndpointStats } from '@poleepo-odoo/poleepo-sandbox';
import { silentLogger } from '../src/shared/logger.ts';
import { IMPORT_ORDER } from '../src/orders/orders.kinds.ts';
import { PROCESS_WEBHOOK_MESSAGE } from '../src/webhooks/webhook-queue.kinds.ts';
import { createTestDb, type TestDb } from './helpers/db.ts';
import { testConfig, TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { eventually } from './helpers/wait.ts';
import { control } from './fixtures/poleepo-kit.ts';
import {
  killConnectorProcesses, schemaDatabaseUrl, startConnectorProcess, stopConnectorProcesses, tail, type ConnectorProcess,
} from './helpers/scale-processes.ts';
import { jobTickReport, loggedProblems, orderImportFigures, serveIntake } from './helpers/scale-checks.ts';
import { useCompanyCurrency } from './orders.fixture.ts';

const ORDERS = 300;
/** The sandbox's batch-status window, the connection's setting, and the job intervals (the poll floor is the window). */
const WINDOW_MS = 10_000;
const TICK_JOBS = ['generate-product-batches', 'poll-product-batches', 'process-webhook-queue', 'order-polling'] as const;
/** Scheduled ticks of each job to see before stopping. */
const MIN_TICKS = 4;
const SKUS = ['E-COM07', 'FURN_0098', 'E-COM06', 'E-COM08', 'FURN_0096', 'DESK0005', 'E-COM10'];

describe('scale-out on PostgreSQL: 2 serve + 3 work processes', () => {
  const processes: ConnectorProcess[] = [];
  let db: TestDb | undefined;
  let ctx: AppContext | undefined;
  let odoo: OdooEmulator | undefined;
  let sandbox: PoleepoSandbox | undefined;

  afterAll(async () => {
    // Graceful first (their leases released), killed if they do not stop; then the pieces of this process.
    await stopConnectorProcesses(processes, 15_000).catch(() => undefined);
    killConnectorProcesses(); // any that never became ready
    await ctx?.close();
    await sandbox?.stop();
    await odoo?.stop();
    await db?.cleanup();
  }, 60_000);

  it('imports every order exactly once, runs every tick once and keeps the batch-status limit across processes', { timeout: 180_000 }, async () => {
    // ——— the world: PostgreSQL, Odoo, Poleepo, one connection provisioned, a webhook, published products ———
    db = await createTestDb('postgres');
    const databaseUrl = schemaDatabaseUrl(db.url, db.schema!);
    odoo = await startOdooEmulator({ version: 18 });
    sandbox = await startPoleepoSandbox({ rateLimitWindowMs: WINDOW_MS, batchProcessingDelayMs: 1_000, randomSeed: 7 });
    const config = testConfig({ DATABASE_URL: databaseUrl });
    ctx = await createContext(config, { db, logger: silentLogger });
    const services: Services = buildServices(ctx);
    const key = sandbox.clients[0];
    const connections = new ConnectionsService(ctx);
    const connection = await connections.create({
      name: 'shop',
      odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
      poleepo: { baseUrl: sandbox.url, clientId: key.clientId, clientSecret: key.clientSecret },
      // The sandbox delivers webhooks one at a time (as Poleepo is assumed to): the confirmations pushed back would
      // double the deliveries to wait for, so they are off here (the order and multi-tenant tests cover them).
      settings: { rateLimits: { 'batches.status': { limit: 5, windowMs: WINDOW_MS } }, batchSize: 1, odoo: { maxConcurrent: 4 }, orders: { confirmedStatus: null } },
    });
    await new OdooProvisioning(ctx, connections).provision(connection.id);
    odoo.call('account.tax', 'create', [{ name: 'IVA 22% incl.', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, price_include_override: 'tax_included' }]);
    useCompanyCurrency(odoo); // the sandbox's orders are in euros: so is the company (orders.currency.ts)
    const variants = odoo.call('product.product', 'search', [[['sale_ok', '=', true], ['default_code', '!=', false]]], { order: 'id asc' }) as number[];
    await services.products.setPublished(connection.id, { variantIds: variants }, true);
    for (const job of TICK_JOBS) await ctx.jobs.setInterval(job, WINDOW_MS);
    const secret = 'secret-key-copied-from-poleepo';
    const { url: webhookUrl } = await new WebhooksService(ctx.db, ctx.clock, ctx.secrets, 'http://placeholder.invalid')
      .add({ connectionId: connection.id, name: 'poleepo', secret, events: ['STATUS_ORDER', 'STATUS_SHIPMENT'] });

    // ——— the processes: 2 serve, 3 work, each its own Node process on the same database ———
    const env = { DATABASE_URL: databaseUrl, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: 'warn', HOST: '127.0.0.1', TMPDIR: process.env.TMPDIR ?? '/tmp' };
    const bootStarted = performance.now();
    const started = await Promise.all([
      ...[1, 2].map((i) => startConnectorProcess('serve', `serve#${i}`, env)),
      ...[1, 2, 3].map((i) => startConnectorProcess('work', `work#${i}`, env)),
    ]);
    processes.push(...started);
    const bootMs = performance.now() - bootStarted;
    const serves = processes.filter((p) => p.role === 'serve');
    // Both serve processes subscribed: every event reaches the connector twice, through two processes.
    const path = new URL(webhookUrl);
    for (const s of serves) {
      const answer = await control(sandbox, 'POST', '/__sandbox/webhooks', { url: `${s.url}${path.pathname}${path.search}`, secret, events: ['STATUS_ORDER', 'STATUS_SHIPMENT'], signing: 'hmac' });
      expect(answer.status).toBe(201);
    }

    // ——— the load: a few hundred orders through the sandbox, while the export runs on its ticks ———
    const loadStarted = Date.now();
    const ids: string[] = [];
    const placedAt = new Map<string, number>();
    for (let i = 0; i < ORDERS; i++) {
      const lines = [0, 1, 2].slice(0, 1 + (i % 3)).map((k) => ({ sku: SKUS[(i + k) % SKUS.length], quantity: 1 + (k % 2), price: 19.9 + 10 * k }));
      const { status, body } = await control<{ id: number }>(sandbox, 'POST', '/__sandbox/orders', { channel: ['AMAZON', 'EBAY', 'SHOPIFY'][i % 3], lines, shipping_cost: i % 2 ? 5.9 : 0 });
      expect(status).toBe(201);
      ids.push(String(body.id));
      placedAt.set(String(body.id), sandbox.state.orders.order(body.id).created_at);
    }
    const placedMs = Date.now() - loadStarted;

    const k = ctx.db.kysely;
    const diagnostics = async () => {
      const states = await k.selectFrom('order_bindings').select(['state']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('state').execute();
      const tasks = await k.selectFrom('tasks').select(['kind', 'status']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy(['kind', 'status']).execute();
      const batches = await k.selectFrom('product_batches').select(['status']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('status').execute();
      const { body } = await control(sandbox!, 'GET', '/__sandbox/stats');
      return `bindings ${JSON.stringify(states)}\ntasks ${JSON.stringify(tasks)}\nbatches ${JSON.stringify(batches)}\nsandbox ${JSON.stringify(body)}\n${processes.map((p) => `--- ${p.name}\n${tail(p.output(), 15)}`).join('\n')}`;
    };
    const until = async (what: string, timeoutMs: number, check: () => Promise<boolean>) => {
      try {
        await eventually(check, timeoutMs, what);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${await diagnostics()}`);
      }
    };
    const sandboxIdle = async () => (await control<{ webhooks: { pending: number } }>(sandbox!, 'GET', '/__sandbox/stats')).body.webhooks.pending === 0;
    await until(`${ORDERS} confirmed orders`, 100_000, async () => {
      const confirmed = await k.selectFrom('order_bindings').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('connection_id', '=', connection.id).where('state', '=', 'confirmed').where('poleepo_order_id', 'in', ids).executeTakeFirstOrThrow();
      return Number(confirmed.n) === ORDERS;
    });
    const ordersDoneMs = Date.now() - loadStarted;
    // Then quiet: every delivery made (both copies of every event) and processed.
    await until('the webhooks delivered and processed', 45_000, async () => {
      const busy = await k.selectFrom('tasks').select('id').where('kind', 'in', [IMPORT_ORDER.kind, PROCESS_WEBHOOK_MESSAGE.kind]).where('status', 'in', ['pending', 'running']).limit(1).execute();
      return busy.length === 0 && (await sandboxIdle());
    });
    // The export: every published variant sent, its result polled, the Poleepo id written back.
    await until('the catalog export to complete', Math.max(10_000, 140_000 - (Date.now() - loadStarted)), async () => {
      const open = await k.selectFrom('product_batches').select('id').where('connection_id', '=', connection.id).where('status', 'in', ['submitting', 'sent']).limit(1).execute();
      const bound = await k.selectFrom('product_bindings').select('id').where('connection_id', '=', connection.id).where('kind', '=', 'variant').where('poleepo_id', 'is not', null).execute();
      return open.length === 0 && bound.length === variants.length;
    });

    // Enough ticks to judge "once per tick" by, whatever the speed of the machine.
    await until(`${MIN_TICKS} ticks of every job`, 60_000, async () => {
      const rows = await k.selectFrom('job_runs').select('job_name').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('trigger', '=', 'schedule').where('job_name', 'in', [...TICK_JOBS]).groupBy('job_name').execute();
      return rows.length === TICK_JOBS.length && rows.every((r) => Number(r.n) >= MIN_TICKS);
    });

    const intake = await Promise.all(serves.map((p) => serveIntake(p.url!)));
    // ——— stop gracefully: SIGTERM, drain, exit 0 ———
    const codes = await stopConnectorProcesses(processes);

    // ——— what happened ———
    const saleOrders = odoo.call('sale.order', 'search_read', [[['x_poleepo_order_id', '!=', false]]], { fields: ['x_poleepo_order_id', 'state'], context: { active_test: false, allowed_company_ids: [1, 2] } }) as { x_poleepo_order_id: string; state: string }[];
    const perOrder = new Map<string, string[]>();
    for (const so of saleOrders) perOrder.set(so.x_poleepo_order_id, [...(perOrder.get(so.x_poleepo_order_id) ?? []), so.state]);
    const messages = await k.selectFrom('webhook_messages').select(['resource_id', 'duplicates']).where('connection_id', '=', connection.id).execute();
    const duplicates = messages.reduce((s, m) => s + m.duplicates, 0);
    const ticks = await jobTickReport(ctx, [...TICK_JOBS], WINDOW_MS);
    const stats = (await control<{ endpoints: Record<string, EndpointStats>; rate_limited_total: number; webhooks: { delivered: number } }>(sandbox, 'GET', '/__sandbox/stats')).body;
    const status = stats.endpoints['batches.status'];
    const figures = await orderImportFigures(ctx, placedAt, loadStarted);
    // When things really finished (the waits above poll one after the other): the stored times.
    const lastProcessed = await k.selectFrom('webhook_messages').select((eb) => eb.fn.max('processed_at').as('at')).where('connection_id', '=', connection.id).executeTakeFirstOrThrow();
    const webhooksDoneMs = Number(lastProcessed.at) - loadStarted;
    const lastBatch = await k.selectFrom('product_batches').select((eb) => eb.fn.max('completed_at').as('at')).where('connection_id', '=', connection.id).executeTakeFirstOrThrow();
    const exportDoneMs = Number(lastBatch.at) - loadStarted;
    const problems = Object.fromEntries(processes.map((p) => [p.name, loggedProblems(p.output())]));
    const dead = await k.selectFrom('tasks').select(['kind', 'last_error']).where('status', '=', 'dead').execute();
    const confirmedBy = Object.entries(figures.confirmedBy).map(([t, n]) => `${t} ${n}`).join(', ');
    console.log([
      `scale-out: 2 serve + 3 work processes on PostgreSQL; Odoo emulator 18 and Poleepo sandbox in the test process; ${availableParallelism()} CPUs`,
      `  processes ready in ${(bootMs / 1000).toFixed(1)} s; ${ORDERS} orders placed in ${(placedMs / 1000).toFixed(1)} s`,
      `  webhooks: ${messages.length} notifications, ${stats.webhooks.delivered} deliveries, the last one processed ${(webhooksDoneMs / 1000).toFixed(1)} s after the first order (${(stats.webhooks.delivered / (webhooksDoneMs / 1000)).toFixed(1)} deliveries/s; ${intake.map((i, n) => `serve#${n + 1} ${i.count}, mean intake ${i.meanMs.toFixed(1)} ms`).join('; ')}), ${duplicates} duplicates absorbed`,
      `  orders: ${perOrder.size} with a sale order (${saleOrders.length} sale orders); last confirmed ${(figures.lastConfirmedMs / 1000).toFixed(1)} s after the first was placed → ${figures.ordersPerSecond.toFixed(1)} orders/s; confirmed by an import from ${confirmedBy}`,
      `  placed on Poleepo → confirmed in Odoo: p50 ${(figures.p50Ms / 1000).toFixed(1)} s, p90 ${(figures.p90Ms / 1000).toFixed(1)} s, max ${(figures.maxMs / 1000).toFixed(1)} s`,
      `  catalog export: ${variants.length} variants in batches of 1, done ${(exportDoneMs / 1000).toFixed(1)} s after the first order (orders confirmed at ${(ordersDoneMs / 1000).toFixed(1)} s)`,
      `  Poleepo token requests for the whole cluster: ${stats.endpoints['auth.token']?.requests}`,
      `  batch status: ${status?.requests} requests, at most ${status?.max_in_window} in any ${WINDOW_MS / 1000} s window, ${status?.rate_limited} × 429; ledger waits per process: ${processes.filter((p) => p.role === 'work').map((p) => `${p.name} ${problems[p.name]['task will be retried (rate_limited)'] ?? 0}`).join(', ')}`,
      `  ticks (${WINDOW_MS / 1000} s): ${TICK_JOBS.map((j) => `${j} ${ticks.perJob[j].ticks} (${ticks.perJob[j].queued} run, ${ticks.perJob[j].skipped} skipped)`).join('; ')}`,
      `  warnings and errors logged: ${JSON.stringify(problems)}`,
    ].join('\n'));

    expect(codes).toEqual({ 'serve#1': 0, 'serve#2': 0, 'work#1': 0, 'work#2': 0, 'work#3': 0 });
    expect(dead).toEqual([]);
    // No worker lost a lease (a task run twice) and nothing failed to be recorded.
    expect(Object.entries(problems).flatMap(([name, msgs]) => Object.keys(msgs).filter((m) => /lease|could not record/.test(m)).map((m) => `${name}: ${m}`))).toEqual([]);

    // ——— exactly once: one confirmed sale order per Poleepo order in Odoo ———
    expect([...perOrder.entries()].filter(([, states]) => states.length !== 1)).toEqual([]);
    expect([...perOrder.keys()].sort()).toEqual([...ids].sort());
    expect([...perOrder.values()].flat().every((st) => st === 'sale')).toBe(true);
    // Each event came twice (one copy per serve process): stored once, the other copy counted as a duplicate.
    expect(stats.webhooks.delivered).toBe(messages.length + duplicates);
    expect(duplicates).toBe(messages.length);
    expect(new Set(messages.map((m) => m.resource_id)).size).toBe(ORDERS);
    // Both serve processes took their copy of every event.
    expect(intake.map((i) => i.count)).toEqual([messages.length, messages.length]);

    // ——— once per tick: no (job, tick) twice in job_runs, one job.run task per run, each executed once ———
    expect(ticks.duplicateTicks).toEqual([]);
    expect(ticks.runsWithSeveralTasks).toEqual([]);
    expect(ticks.tasksRunMoreThanOnce).toEqual([]);
    expect(ticks.missingTicks).toEqual([]);
    for (const job of TICK_JOBS) expect(ticks.perJob[job].ticks, job).toBeGreaterThanOrEqual(MIN_TICKS);

    // ——— one Poleepo token for the whole cluster, stored encrypted and shared by every process ———
    expect(stats.endpoints['auth.token'].requests).toBe(1);
    const stored = await k.selectFrom('poleepo_tokens').select(['access_token']).execute();
    expect(stored).toHaveLength(1);
    const token = ctx.secrets.decrypt(stored[0].access_token!);
    expect(token.length).toBeGreaterThan(10);
    expect(stored[0].access_token).not.toContain(token);

    // ——— the 5-request limit held across processes: never more than 5 in any window, no 429 ———
    expect(status.window_ms).toBe(WINDOW_MS);
    expect(status.max_in_window).toBeLessThanOrEqual(5);
    expect(status.rate_limited).toBe(0);
    expect(status.by_status['429']).toBeUndefined();
    expect(stats.rate_limited_total).toBe(0);
    // More requests than one window allows: the limit was in play, not idle.
    expect(status.requests).toBeGreaterThan(5);
  });
});
