/**
 * Order import benchmark (DESIGN §6 "Order latency"): Poleepo orders delivered as signed webhooks to the connector's
 * real HTTP server, imported by its workers into the Odoo emulator — which runs in its own process with service times
 * calibrated to a real Odoo 18 (≈ 14 ms per call, one worker) — with the Poleepo sandbox in a third process.
 *
 *   node --import tsx bench/orders.bench.ts [--orders 300] [--rate 5]     (or BENCH_ORDERS, BENCH_ORDERS_RATE)
 *   BENCH_DATABASE_URL=postgres://… …   (also runs on PostgreSQL, in a throwaway schema)
 *   … --database postgres                (or sqlite; BENCH_ORDERS_DATABASE): only that one
 *
 * Prints, per database:
 * - connector-added time of each import: the import task's total minus the time spent inside its Odoo and Poleepo
 *   HTTP calls (measured by the connector itself, src/orders/orders.timing.ts) — bar: p50 < 10 ms, p99 < 250 ms;
 * - end to end: webhook received (stored) → confirmed sale order (binding confirmed), both on the same clock;
 * - Odoo calls per import and the emulator's modelled service time.
 * A few warm-up orders (first token, field lists, taxes) are left out of the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { isQuick, reportSection } from './report.ts';

const ODOO_CHILD = '--odoo-child';
const POLEEPO_CHILD = '--poleepo-child';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

if (process.argv.includes(ODOO_CHILD)) await odooChild();
else if (process.argv.includes(POLEEPO_CHILD)) await poleepoChild();
else await runBenchmark();

// ---------------------------------------------------------------- child processes

/** The Odoo emulator, calibrated, with the provisioned x_poleepo_* fields and an Italian 22 % price-included tax. */
async function odooChild(): Promise<void> {
  const { startOdooEmulator } = await import('@poleepo-odoo/odoo-emulator');
  const odoo = await startOdooEmulator({ version: 18, serviceTime: 'calibrated' });
  const fields = [['sale.order', 'x_poleepo_order_id'], ['sale.order', 'x_poleepo_status'], ['sale.order', 'x_poleepo_channel'], ['sale.order', 'x_poleepo_url'], ['product.product', 'x_poleepo_sku']];
  for (const [model, name] of fields) {
    const [m] = odoo.call('ir.model', 'search_read', [[['model', '=', model]]], { fields: ['id'] }) as { id: number }[];
    odoo.call('ir.model.fields', 'create', [{ name, field_description: name, model_id: m.id, ttype: 'char', state: 'manual', index: name === 'x_poleepo_order_id' }]);
  }
  odoo.call('account.tax', 'create', [{ name: 'IVA 22% incl.', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, price_include_override: 'tax_included' }]);
  // The sandbox's orders are in euros: so is the company (an order in another currency needs a pricelist in it).
  const [eur] = odoo.call('res.currency', 'search', [[['name', '=', 'EUR']]], { context: { active_test: false } }) as number[];
  odoo.call('res.currency', 'write', [[eur], { active: true }]);
  odoo.call('res.company', 'write', [[1], { currency_id: eur }]);
  serveUntilClosed({ url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey }, () => odoo.stop());
}

async function poleepoChild(): Promise<void> {
  const { startPoleepoSandbox } = await import('@poleepo-odoo/poleepo-sandbox');
  const sandbox = await startPoleepoSandbox({ randomSeed: 42 });
  serveUntilClosed({ url: sandbox.url, clientId: sandbox.clients[0].clientId, clientSecret: sandbox.clients[0].clientSecret }, () => sandbox.stop());
}

function serveUntilClosed(info: Record<string, unknown>, stop: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const done = async () => {
    await stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void done());
  process.stdin.on('end', () => void done());
  process.stdin.resume();
}

async function startChild<T>(flag: string): Promise<{ info: T; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), flag], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${flag} exited (${code}) before listening`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as T));
  });
  return { info, child };
}

// ---------------------------------------------------------------- the benchmark

interface OdooInfo { url: string; db: string; login: string; apiKey: string }
interface PoleepoInfo { url: string; clientId: string; clientSecret: string }

async function runBenchmark(): Promise<void> {
  const orders = Number(arg('orders', process.env.BENCH_ORDERS ?? (isQuick() ? '25' : '300')));
  const rate = Number(arg('rate', process.env.BENCH_ORDERS_RATE ?? '5'));
  console.log(`Order import: ${orders} orders at ${rate}/s, each a signed STATUS_ORDER webhook → the connector's HTTP server → import → confirmed sale order.`);
  console.log('Odoo emulator 18 (calibrated: ≈ 14 ms per call, one worker) and Poleepo sandbox each in their own process.\n');
  const targets: { name: string; url: string; schema?: string }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-orders-bench-'));
  const only = arg('database', process.env.BENCH_ORDERS_DATABASE ?? '');
  if (only !== 'postgres') targets.push({ name: 'SQLite', url: `sqlite:${join(dir, 'bench.db')}` });
  if (process.env.BENCH_DATABASE_URL && only !== 'sqlite') targets.push({ name: 'PostgreSQL', url: process.env.BENCH_DATABASE_URL, schema: `orders_bench_${randomBytes(4).toString('hex')}` });
  try {
    for (const target of targets) await runOn(target, orders, rate);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runOn(target: { name: string; url: string; schema?: string }, total: number, rate: number): Promise<void> {
  const { startService } = await import('../src/app/service.ts');
  const { loadConfig } = await import('../src/config/env.ts');
  const { ConnectionsService } = await import('../src/connections/connections.service.ts');
  const { WebhooksService } = await import('../src/webhooks/webhooks.service.ts');
  const odoo = await startChild<OdooInfo>(ODOO_CHILD);
  const poleepo = await startChild<PoleepoInfo>(POLEEPO_CHILD);
  const config = loadConfig({ DATABASE_URL: target.url, ENCRYPTION_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' });
  const service = await startService(config, 'all', { port: 0, schema: target.schema });
  try {
    const { ctx } = service;
    const connection = await new ConnectionsService(ctx).create({
      name: 'bench', odoo: { url: odoo.info.url, db: odoo.info.db, login: odoo.info.login, apiKey: odoo.info.apiKey, companyId: 1 },
      poleepo: { baseUrl: poleepo.info.url, clientId: poleepo.info.clientId, clientSecret: poleepo.info.clientSecret },
      // As many Odoo calls in flight as the orders lane runs imports: waiting for Odoo then happens in Odoo (its one
      // worker), where it belongs, not in the connector's own limiter.
      settings: { odoo: { maxConcurrent: 4 } },
    });
    const secret = randomBytes(16).toString('hex');
    const { url } = await new WebhooksService(ctx.db, ctx.clock, ctx.secrets, service.url!).add({ connectionId: connection.id, name: 'bench', secret, events: ['STATUS_ORDER'] });
    await post(poleepo.info.url, '/__sandbox/webhooks', { url, secret, events: ['STATUS_ORDER'], signing: 'hmac' });

    const skus = ['E-COM07', 'FURN_0098', 'E-COM06', 'E-COM08', 'FURN_0096'];
    const makeOrder = (i: number) => post(poleepo.info.url, '/__sandbox/orders', {
      channel: ['AMAZON', 'EBAY', 'SHOPIFY'][i % 3], shipping_cost: i % 2 ? 5.9 : 0,
      lines: skus.slice(0, 1 + (i % 3)).map((sku, k) => ({ sku: skus[(i + k) % skus.length], quantity: 1 + (k % 2), price: 19.9 + k * 10 })),
    }) as Promise<{ id: number }>;

    const warmup = 5;
    const warm: number[] = [];
    for (let i = 0; i < warmup; i++) warm.push((await makeOrder(i)).id);
    await waitAll(ctx, warm.map(String), 60_000);
    const odooBefore = await stats(odoo.info.url);

    const ids: string[] = [];
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      ids.push(String((await makeOrder(warmup + i)).id));
    }
    await waitAll(ctx, ids, 120_000 + total * 1000);
    const wallS = (performance.now() - started) / 1000;
    const odooAfter = await stats(odoo.info.url);

    const bindings = await ctx.db.kysely.selectFrom('order_bindings').select(['poleepo_order_id', 'state', 'confirmed_at', 'sale_order_id']).where('poleepo_order_id', 'in', ids).execute();
    const messages = await ctx.db.kysely.selectFrom('webhook_messages').select(['resource_id', 'received_at']).where('resource_id', 'in', ids).execute();
    const firstReceived = new Map<string, number>();
    for (const m of messages) firstReceived.set(m.resource_id, Math.min(firstReceived.get(m.resource_id) ?? Infinity, Number(m.received_at)));
    const e2e = bindings.filter((b) => b.state === 'confirmed' && b.confirmed_at !== null && firstReceived.has(b.poleepo_order_id))
      .map((b) => Number(b.confirmed_at) - firstReceived.get(b.poleepo_order_id)!);
    const tasks = await ctx.db.kysely.selectFrom('tasks').select(['payload', 'result', 'status']).where('kind', '=', 'orders.import').execute();
    const wanted = new Set(ids);
    const results = tasks.filter((t) => t.status === 'done' && t.result && wanted.has(String(JSON.parse(t.payload).poleepoOrderId)))
      .map((t) => JSON.parse(t.result!) as { outcome: string; connectorMs: number; externalMs: number; totalMs: number; calls: number })
      .filter((r) => r.outcome === 'confirmed');
    const confirmed = bindings.filter((b) => b.state === 'confirmed').length;
    const saleOrders = new Set(bindings.map((b) => b.sale_order_id)).size;
    const connector = results.map((r) => r.connectorMs);
    const external = results.map((r) => r.externalMs);
    const calls = results.map((r) => r.calls);
    const odooCalls = odooAfter.objectCalls - odooBefore.objectCalls;

    console.log(`=== ${target.name} ===`);
    console.log(`orders: ${total} sent, ${confirmed} confirmed (${saleOrders} distinct sale orders), ${(total / wallS).toFixed(1)} orders/s over ${wallS.toFixed(1)} s`);
    console.log(`connector-added time per import (total − time in Odoo and Poleepo calls), ${connector.length} imports:`);
    console.log(`  p50 ${ms(pct(connector, 50))}  p90 ${ms(pct(connector, 90))}  p99 ${ms(pct(connector, 99))}  max ${ms(Math.max(...connector))}   bar p50 < 10 ms ${pct(connector, 50) < 10 ? 'met' : 'MISSED'}, p99 < 250 ms ${pct(connector, 99) < 250 ? 'met' : 'MISSED'}`);
    console.log(`time inside Odoo and Poleepo calls per import: p50 ${ms(pct(external, 50))}  p99 ${ms(pct(external, 99))}; HTTP calls per import: ${(calls.reduce((a, b) => a + b, 0) / Math.max(1, calls.length)).toFixed(1)} (Odoo object calls ${(odooCalls / total).toFixed(1)} per order)`);
    console.log(`end to end, webhook received → confirmed sale order: p50 ${ms(pct(e2e, 50))}  p90 ${ms(pct(e2e, 90))}  p99 ${ms(pct(e2e, 99))}  max ${ms(Math.max(...e2e))}`);
    console.log(`Odoo emulator modelled service time: ${(odooAfter.serviceTimeMs - odooBefore.serviceTimeMs).toFixed(0)} ms for ${odooCalls} calls (${((odooAfter.serviceTimeMs - odooBefore.serviceTimeMs) / total).toFixed(1)} ms per order; one Odoo worker)\n`);
    const odooPerOrder = (odooAfter.serviceTimeMs - odooBefore.serviceTimeMs) / total;
    reportSection(import.meta.url, {
      id: `order-import-${target.name.toLowerCase()}`,
      title: `Order import on ${target.name}`,
      setup: `${total} orders at ${rate}/s (after 5 warm-up orders), each a signed STATUS_ORDER webhook to the connector's HTTP server → import task → confirmed sale order, against the Odoo emulator 18 (calibrated: ≈ 14 ms per call, one worker) and the Poleepo sandbox, each in its own process. Connector-added time = the import task's total minus the time inside its Odoo and Poleepo calls (measured by the connector, src/orders/orders.timing.ts).`,
      figures: [
        { id: 'connector-p50', label: 'Connector-added time per import, p50', value: pct(connector, 50), unit: 'ms', bar: { op: '<', value: 10, source: 'issue 18' }, limit: { label: 'time inside Odoo and Poleepo calls, p50', value: pct(external, 50), unit: 'ms' }, ratio: pct(connector, 50) / pct(external, 50), ratioLabel: 'of the external time' },
        { id: 'connector-p99', label: 'Connector-added time per import, p99', value: pct(connector, 99), unit: 'ms', bar: { op: '<', value: 250, source: 'DESIGN §6' } },
        { id: 'e2e-p50', label: 'Webhook received → confirmed sale order, p50', value: pct(e2e, 50), unit: 'ms', limit: { label: 'Odoo modelled service time per order', value: odooPerOrder, unit: 'ms' }, ratio: pct(e2e, 50) / odooPerOrder, ratioLabel: "of Odoo's time" },
        { id: 'e2e-p99', label: 'Webhook received → confirmed sale order, p99', value: pct(e2e, 99), unit: 'ms' },
      ],
      notes: [
        `${confirmed} of ${total} orders confirmed (${saleOrders} distinct sale orders); ${(calls.reduce((a, b) => a + b, 0) / Math.max(1, calls.length)).toFixed(1)} HTTP calls per import, ${(odooCalls / total).toFixed(1)} Odoo object calls per order.`,
      ],
    });
  } finally {
    await service.stop({ drainMs: 2000 });
    for (const c of [odoo.child, poleepo.child]) {
      c.stdin?.end();
      c.kill('SIGTERM');
    }
    if (target.schema) {
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${target.schema} CASCADE`);
      await client.end();
    }
  }
}

async function waitAll(ctx: { db: { kysely: import('kysely').Kysely<import('../src/storage/schema.ts').Database> } }, ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await ctx.db.kysely.selectFrom('order_bindings').select(['state']).where('poleepo_order_id', 'in', ids).execute();
    const settled = rows.filter((r) => ['confirmed', 'parked', 'refused', 'error'].includes(r.state)).length;
    const busy = await ctx.db.kysely.selectFrom('tasks').select('id').where('kind', '=', 'orders.import').where('status', 'in', ['pending', 'running']).limit(1).execute();
    if (settled === ids.length && busy.length === 0) return;
    if (Date.now() > deadline) throw new Error(`only ${settled} of ${ids.length} orders settled in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function post(base: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function stats(url: string): Promise<{ serviceTimeMs: number; objectCalls: number }> {
  return (await (await fetch(`${url}/__emulator/stats`)).json()) as { serviceTimeMs: number; objectCalls: number };
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function ms(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(1)} ms` : '—';
}
