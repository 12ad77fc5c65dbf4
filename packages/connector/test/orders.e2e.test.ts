import { afterEach, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../src/app/service.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { testConfig } from './helpers/config.ts';
import { eventually } from './helpers/wait.ts';
import { control } from './fixtures/poleepo-kit.ts';
import { provisionOrderFields, useCompanyCurrency } from './orders.fixture.ts';
import { automationRules } from '../src/provisioning/provisioning.actions.ts';
import { odooWebhookToken } from '../src/provisioning/provisioning.tokens.ts';

/**
 * The whole path with real pieces: the Poleepo sandbox delivers a signed STATUS_ORDER webhook to the connector's own
 * HTTP server (startService, port 0), the intake stores it, a worker runs the import against the Odoo emulator, and
 * the order is a confirmed sale order. System clock: nothing here waits on a time window; how fast it happens is measured by bench/order-latency.bench.ts, not asserted on a shared machine.
 */
describe.each(dialects)('order import end to end on %s', (dialect) => {
  let odoo: OdooEmulator | undefined;
  let sandbox: PoleepoSandbox | undefined;
  let service: RunningService | undefined;
  let db: TestDb | undefined;
  afterEach(async () => {
    await service?.stop({ drainMs: 1000 });
    await sandbox?.stop();
    await odoo?.stop();
    await db?.cleanup();
    service = sandbox = odoo = db = undefined;
  });

  async function setup() {
    odoo = await startOdooEmulator({ version: 18 });
    provisionOrderFields(odoo);
    useCompanyCurrency(odoo);
    sandbox = await startPoleepoSandbox();
    db = await createTestDb(dialect);
    service = await startService(testConfig(), 'all', { port: 0, db });
    const { ctx } = service;
    const key = sandbox.clients[0];
    const connection = await new ConnectionsService(ctx).create({
      name: 'shop', odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
      poleepo: { baseUrl: sandbox.url, clientId: key.clientId, clientSecret: key.clientSecret },
    });
    const secret = 'secret-key-copied-from-poleepo';
    const { url } = await new WebhooksService(ctx.db, ctx.clock, ctx.secrets, service.url!).add({ connectionId: connection.id, name: 'poleepo', secret, events: ['STATUS_ORDER', 'STATUS_SHIPMENT'] });
    expect((await control(sandbox, 'POST', '/__sandbox/webhooks', { url, secret, events: ['STATUS_ORDER'], signing: 'hmac' })).status).toBe(201);
    const saleOrders = (pid: number) => odoo!.call('sale.order', 'search_read', [[['x_poleepo_order_id', '=', String(pid)]]], { fields: ['state', 'x_poleepo_status', 'amount_total'] }) as { state: string; x_poleepo_status: string; amount_total: number }[];
    return { ctx, connection, saleOrders };
  }

  const customer = { company: null, vat_number: null, firstname: 'Luca', lastname: 'Greco', email: 'luca.greco@example.it', address: 'Corso Italia 9', postcode: '16121', city: 'Genova', country_iso: 'IT' };

  it('a signed webhook from the sandbox becomes a confirmed sale order', async () => {
    const { ctx, saleOrders } = await setup();
    const { body: order } = await control<{ id: number; total_price?: number }>(sandbox!, 'POST', '/__sandbox/orders', { channel: 'eBay', customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 320 }], shipping_cost: 4.9 });
    const [so] = await eventually(async () => {
      const found = saleOrders(order.id);
      return found.length && found[0].state === 'sale' && found[0].x_poleepo_status === 'IN_PROCESS' ? found : null;
    }, 30_000, 'the confirmed sale order, its confirmation pushed to Poleepo');
    expect(so).toMatchObject({ state: 'sale', x_poleepo_status: 'IN_PROCESS', amount_total: 324.9 });
    expect(sandbox!.state.orders.order(order.id).status).toBe('IN_PROCESS');
    // Poleepo's notifications (the order placed; then the status our push set) all processed.
    const messages = await eventually(async () => {
      const rows = await ctx.db.kysely.selectFrom('webhook_messages').selectAll().where('resource_id', '=', String(order.id)).orderBy('id').execute();
      return rows.length >= 1 && rows.every((m) => m.status === 'done') ? rows : null;
    }, 30_000, 'the webhook messages to be processed');
    expect(messages[0]).toMatchObject({ event: 'STATUS_ORDER', status: 'done' });
    // The second notification only echoes the status our own push set: processed without another import run.
    const echo = await eventually(async () => {
      const rows = await ctx.db.kysely.selectFrom('webhook_messages').selectAll().where('resource_id', '=', String(order.id)).orderBy('id').execute();
      return rows.length === 2 && rows[1].status === 'done' ? rows[1] : null;
    }, 5_000, "Poleepo's notification of the pushed status");
    expect(JSON.parse(echo.payload!).data.status).toBe('IN_PROCESS');
    const imports = await ctx.db.kysely.selectFrom('tasks').select('id').where('kind', '=', 'orders.import').execute();
    expect(imports).toHaveLength(1);
    // Prometheus sees the queue and the orders (read from the database at scrape time).
    const metrics = await eventually(async () => {
      const text = await (await fetch(`${service!.url}/metrics`)).text();
      return text.includes('poleepo_odoo_orders{state="confirmed"} 1') ? text : null;
    }, 30_000, 'the confirmed order in /metrics');
    expect(metrics).toMatch(/poleepo_odoo_webhook_messages\{status="done"\} [12]\n/);
    expect(metrics).toContain('poleepo_odoo_orders{state="parked"} 0');
  });

  it('duplicated and out-of-order deliveries still give one sale order with the newest status', async () => {
    const { ctx, saleOrders } = await setup();
    await control(sandbox!, 'POST', '/__sandbox/faults', { webhook: 'duplicate', count: 2 });
    await control(sandbox!, 'POST', '/__sandbox/faults', { webhook: 'out_of_order', count: 2 });
    const { body: order } = await control<{ id: number }>(sandbox!, 'POST', '/__sandbox/orders', { customer, lines: [{ sku: 'FURN_0098', quantity: 1, price: 800.4 }] });
    await control(sandbox!, 'POST', `/__sandbox/orders/${order.id}/status`, { status: 'IN_PROCESS' });
    await control(sandbox!, 'POST', '/__sandbox/webhooks/redeliver', { order_id: order.id, times: 2 });
    await eventually(async () => {
      const found = saleOrders(order.id);
      const binding = await ctx.db.kysely.selectFrom('order_bindings').selectAll().where('poleepo_order_id', '=', String(order.id)).executeTakeFirst();
      const busy = await ctx.db.kysely.selectFrom('tasks').select('id').where('status', 'in', ['pending', 'running']).execute();
      return found.length === 1 && found[0].x_poleepo_status === 'IN_PROCESS' && binding?.state === 'confirmed' && busy.length === 0 ? found : null;
    }, 30_000, 'one confirmed sale order with the newest status');
    expect(saleOrders(order.id)).toHaveLength(1);
    const messages = await ctx.db.kysely.selectFrom('webhook_messages').select(['status', 'duplicates']).where('resource_id', '=', String(order.id)).execute();
    expect(messages.length).toBe(2); // two distinct notifications (two statuses); the copies counted as duplicates
    expect(messages.reduce((s, m) => s + m.duplicates, 0)).toBeGreaterThanOrEqual(2);
  });

  it('a cancellation made in Odoo reaches Poleepo in seconds through the automation rule, without waiting for Order Polling', async () => {
    const { ctx, connection, saleOrders } = await setup();
    // The provisioned (disabled) rule, as an administrator enables it, posting to this connector's own URL.
    const rule = automationRules('shop', `${service!.url}/webhooks/odoo/${await odooWebhookToken(ctx, connection.id)}`).find((r) => r.model === 'sale.order')!;
    const [model] = odoo!.call('ir.model', 'search', [[['model', '=', 'sale.order']]]) as number[];
    const fieldIds = (names: string[]) => odoo!.call('ir.model.fields', 'search', [[['model', '=', 'sale.order'], ['name', 'in', names]]]) as number[];
    odoo!.call('base.automation', 'create', [{
      name: rule.name, model_id: model, trigger: 'on_create_or_write', trigger_field_ids: [[6, 0, fieldIds(rule.triggerFields)]],
      action_server_ids: [[0, 0, { name: rule.name, model_id: model, state: 'webhook', webhook_url: rule.url, webhook_field_ids: [[6, 0, fieldIds(rule.payloadFields)]] }]],
    }]);
    const { body: order } = await control<{ id: number }>(sandbox!, 'POST', '/__sandbox/orders', { customer, lines: [{ sku: 'E-COM07', quantity: 1, price: 320 }] });
    const [so] = await eventually(async () => {
      const found = saleOrders(order.id);
      const binding = await ctx.db.kysely.selectFrom('order_bindings').select('state').where('poleepo_order_id', '=', String(order.id)).executeTakeFirst();
      return found.length && binding?.state === 'confirmed' ? found : null;
    }, 30_000, 'the confirmed sale order');
    expect(so.state).toBe('sale');

    const [soId] = odoo!.call('sale.order', 'search', [[['x_poleepo_order_id', '=', String(order.id)]]]) as number[];
    odoo!.call('sale.order', 'action_cancel', [[soId]], { context: { disable_cancel_warning: true } });
    await eventually(async () => sandbox!.state.orders.order(order.id).status === 'CANCELED', 30_000, 'the cancellation on Poleepo');
    // The notifications' runs settle (a later notification may still be finishing when Poleepo already has it).
    const runs = await eventually(async () => {
      const rows = await ctx.db.kysely.selectFrom('tasks').select(['kind', 'status']).where('kind', '=', 'orders.odoo-changes').execute();
      return rows.length >= 1 && rows.every((r) => r.status === 'done') ? rows : null;
    }, 30_000, 'the Odoo-change runs to finish');
    expect(runs.length).toBeGreaterThanOrEqual(1);
    // The Order Polling job never ran: the notification did it.
    expect(await ctx.db.kysely.selectFrom('job_runs').select('id').where('job_name', '=', 'order-polling').execute()).toEqual([]);
  });
});
