/**
 * Order latency during a full product export: lane isolation down to the Odoo connection. Order imports and the
 * export share the connection's limiter (default 2 calls in flight) and — on a real Odoo serving one call at a time —
 * Odoo's own queue; the limiter gives order and shipping calls priority and a reserved slot, and holds the export's
 * calls back between an order's calls (src/odoo/odoo.limiter.ts); while orders come, the export reads pages of 250
 * (products.odoo.ts), so an order's call never waits long behind one.
 *
 *   node --import tsx bench/order-latency.bench.ts       (or: npm run bench order-latency)
 *   BENCH_TEMPLATES=8000 BENCH_VARIANTS=40000 BENCH_ORDERS=30 BENCH_ORDERS_RATE=2 BENCH_ODOO_WORKERS=1 …
 *
 * The Odoo emulator (18, calibrated service times: ≈ 14 ms per call, 0.35 ms per variant read, one worker unless
 * BENCH_ODOO_WORKERS says more) and the Poleepo sandbox run in their own processes; the connector runs here as `start`
 * does (SQLite, HTTP server, workers, default connection settings). Orders are placed in the sandbox at a steady rate
 * and reach the connector as signed STATUS_ORDER webhooks.
 * 0. The full export alone (the Generate Product Batches task with full: true, in the products lane, the whole catalog
 *    published), for its duration; then its state is forgotten so the next export is a first one again.
 * 1. Idle: BENCH_ORDERS orders, nothing else running.
 * 2. During the same full export: orders at the same rate for as long as the export runs.
 * Prints webhook received → confirmed sale order, p50 / p90 / max, for both, and the ratios. Bar: p50 and p90 during
 * the export within 2× of idle. Also the limiter's waits (poleepo_odoo_odoo_wait_seconds) by priority.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isQuick, reportSection } from './report.ts';

const TEMPLATES = Number(process.env.BENCH_TEMPLATES ?? (isQuick() ? 800 : 8_000));
const VARIANTS = Number(process.env.BENCH_VARIANTS ?? (isQuick() ? 3_000 : 40_000));
const ORDERS = Number(process.env.BENCH_ORDERS ?? (isQuick() ? 6 : 30));
const RATE = Number(process.env.BENCH_ORDERS_RATE ?? 2);
const ODOO_WORKERS = Number(process.env.BENCH_ODOO_WORKERS ?? 1);
const ODOO_CHILD = '--odoo-child';
const POLEEPO_CHILD = '--poleepo-child';
const SKUS = ['GEN-000001', 'GEN-000007', 'GEN-000042', 'GEN-000123', 'GEN-000500'];

if (process.argv.includes(ODOO_CHILD)) await odooChild();
else if (process.argv.includes(POLEEPO_CHILD)) await poleepoChild();
else await main();

// ---------------------------------------------------------------- the other side, in its own processes

async function odooChild(): Promise<void> {
  const { startOdooEmulator, formatDatetime } = await import('@poleepo-odoo/odoo-emulator');
  const old = formatDatetime(Date.now() - 86_400_000);
  // The calibrated preset (docs/odoo-api.md §D), with the number of Odoo workers of this run.
  const calibrated = {
    perCallMs: 14, perRecordMs: { 'product.product': 0.22, 'product.template': 0.12, 'product.template.attribute.value': 0.077, '*': 0.08 },
    stockFieldsMs: 0.13, perGroupedRecordMs: 0.13, workers: ODOO_WORKERS,
  };
  const odoo = await startOdooEmulator({ version: 18, serviceTime: ODOO_WORKERS === 1 ? 'calibrated' : calibrated, catalog: { templates: TEMPLATES, variants: VARIANTS, timestamp: old } });
  const fields: [string, string, string][] = [
    ['product.product', 'x_poleepo_published', 'boolean'], ['product.product', 'x_poleepo_sku', 'char'], ['product.product', 'x_poleepo_ref', 'char'],
    ['product.product', 'x_poleepo_needs_update', 'boolean'], ['product.product', 'x_poleepo_last_error', 'char'],
    ['sale.order', 'x_poleepo_order_id', 'char'], ['sale.order', 'x_poleepo_status', 'char'], ['sale.order', 'x_poleepo_channel', 'char'], ['sale.order', 'x_poleepo_url', 'char'],
  ];
  for (const [model, name, ttype] of fields) {
    const [m] = odoo.call('ir.model', 'search_read', [[['model', '=', model]]], { fields: ['id'] }) as { id: number }[];
    odoo.call('ir.model.fields', 'create', [{ name, field_description: name, model_id: m.id, ttype, state: 'manual', index: name === 'x_poleepo_order_id' }]);
  }
  // An Italian company: its accounts in euros, as the sandbox's orders are (test/orders.fixture.ts does the same).
  const [eur] = odoo.call('res.currency', 'search', [[['name', '=', 'EUR']]], { context: { active_test: false } }) as number[];
  odoo.call('res.currency', 'write', [[eur], { active: true }]);
  odoo.call('res.company', 'write', [[1], { currency_id: eur }]);
  odoo.call('account.tax', 'create', [{ name: 'IVA 22% incl.', amount: 22, amount_type: 'percent', type_tax_use: 'sale', company_id: 1, price_include_override: 'tax_included' }]);
  // Every variant published (a merchant would have done it long ago).
  for (const r of odoo.state.model('product.product').table.rows.values()) r.x_poleepo_published = true;
  serveUntilClosed({ url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey }, () => odoo.stop());
}

async function poleepoChild(): Promise<void> {
  const { startPoleepoSandbox } = await import('@poleepo-odoo/poleepo-sandbox');
  const sandbox = await startPoleepoSandbox({ randomSeed: 42, batchProcessingDelayMs: 0 });
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
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), flag], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${flag} exited (${code}) before listening`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as T));
  });
  return { info, child };
}

// ---------------------------------------------------------------- the connector

interface OdooInfo { url: string; db: string; login: string; apiKey: string }
interface PoleepoInfo { url: string; clientId: string; clientSecret: string }

async function main(): Promise<void> {
  // As the bin does for every process.
  (await import('../src/shared/heap.ts')).limitHeapGrowth();
  const odoo = await startChild<OdooInfo>(ODOO_CHILD);
  const poleepo = await startChild<PoleepoInfo>(POLEEPO_CHILD);
  const { startService } = await import('../src/app/service.ts');
  const { loadConfig } = await import('../src/config/env.ts');
  const { ConnectionsService } = await import('../src/connections/connections.service.ts');
  const { WebhooksService } = await import('../src/webhooks/webhooks.service.ts');
  const { productTaskOptions } = await import('../src/products/products.tasks.ts');
  const dir = mkdtempSync(join(tmpdir(), 'poleepo-odoo-latency-bench-'));
  const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`, ENCRYPTION_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' });
  const service = await startService(config, 'all', { port: 0 });
  try {
    const { ctx } = service;
    const [load1] = loadavg();
    console.log(`Order latency during a full export: ${TEMPLATES} templates / ${VARIANTS} variants, all published; orders at ${RATE}/s.`);
    console.log(`Odoo emulator 18 (calibrated: ≈ 14 ms per call, 0.35 ms per variant read, ${ODOO_WORKERS} worker${ODOO_WORKERS === 1 ? '' : 's'}) and Poleepo sandbox in their own processes; connector defaults (odoo.maxConcurrent 2, lanes orders 4 / products 2).`);
    console.log(`Machine: ${cpus().length} CPUs, load average ${load1.toFixed(1)} at the start${load1 > 1.5 ? ' — not a quiet machine: the figures include that noise' : ''}.\n`);
    // Only the exports this benchmark starts: the scheduled ones (a first export every 2 minutes) would blur the phases.
    for (const job of ['generate-product-batches', 'poll-product-batches', 'product-reconciliation']) await ctx.jobs.disable(job);
    const connection = await new ConnectionsService(ctx).create({
      name: 'bench', odoo: { url: odoo.info.url, db: odoo.info.db, login: odoo.info.login, apiKey: odoo.info.apiKey, companyId: 1 },
      poleepo: { baseUrl: poleepo.info.url, clientId: poleepo.info.clientId, clientSecret: poleepo.info.clientSecret },
    });
    const secret = randomBytes(16).toString('hex');
    const { url } = await new WebhooksService(ctx.db, ctx.clock, ctx.secrets, service.url!).add({ connectionId: connection.id, name: 'bench', secret, events: ['STATUS_ORDER'] });
    await post(poleepo.info.url, '/__sandbox/webhooks', { url, secret, events: ['STATUS_ORDER'], signing: 'hmac' });
    let n = 0;
    const placeOrder = async () => {
      const i = n++;
      const order = await post(poleepo.info.url, '/__sandbox/orders', {
        channel: ['AMAZON', 'EBAY', 'SHOPIFY'][i % 3], shipping_cost: 0,
        lines: SKUS.slice(0, 1 + (i % 3)).map((_, k) => ({ sku: SKUS[(i + k) % SKUS.length], quantity: 1 + (k % 2), price: 19.9 + k * 10 })),
      }) as { id: number };
      return String(order.id);
    };
    /** Places orders at RATE until `more()` says stop (at least `min`); returns their ids. */
    const placeWhile = async (more: (placed: number) => boolean) => {
      const ids: string[] = [];
      const started = performance.now();
      while (more(ids.length)) {
        const wait = started + (ids.length * 1000) / RATE - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        ids.push(await placeOrder());
      }
      return ids;
    };

    /** A full export as production runs it: a products.generate task (full: true) in the products lane. */
    const runExport = async () => {
      const startedAt = Date.now();
      const { id } = await ctx.tasks.enqueue('products.generate', { connectionId: connection.id, full: true }, productTaskOptions('products.generate', connection.id));
      for (;;) {
        const t = await ctx.tasks.get(id);
        if (t && (t.status === 'done' || t.status === 'dead')) return { ...t, startedAt, endedAt: Date.now() };
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    /** Forgets what the export did (bindings, batches, cursors), so the next one is a first export again. */
    const forgetExport = async () => {
      for (const table of ['product_batch_items', 'product_batches', 'product_bindings', 'product_export_state'] as const) {
        await ctx.db.kysely.deleteFrom(table).where('connection_id', '=', connection.id).execute();
      }
    };

    // 0. The export alone, for its own duration.
    const alone = await runExport();
    await forgetExport();

    // Warm-up: the first token, field lists, the taxes, the customer's country… are not what is measured.
    await waitAll(ctx, await placeWhile((k) => k < 5));

    // 1. Idle.
    const idleIds = await placeWhile((k) => k < ORDERS);
    await waitAll(ctx, idleIds);
    const idle = await latencies(ctx, idleIds);

    // 2. During a full export.
    const waitsBefore = await waits(ctx);
    const exportDone = runExport();
    let exportEnded = false;
    void exportDone.then(() => (exportEnded = true));
    // Orders start once the export reads its pages (its first seconds are reference data).
    await new Promise((r) => setTimeout(r, 2_000));
    const busyIds = await placeWhile((k) => !exportEnded || k < 3);
    const task = await exportDone;
    await waitAll(ctx, busyIds);
    const during = await latencies(ctx, busyIds, task.endedAt);
    const waitsAfter = await waits(ctx);
    const result = task.result ? JSON.parse(task.result) as { read?: number; batches?: { batches: number; items: number } } : {};

    const ratio50 = pct(during.ms, 50) / pct(idle.ms, 50);
    const ratio90 = pct(during.ms, 90) / pct(idle.ms, 90);
    console.log(`0. The full export alone: ${alone.status}, ${((alone.endedAt - alone.startedAt) / 1000).toFixed(1)} s.`);
    console.log(`1. Idle: ${idle.ms.length} orders, webhook received → confirmed sale order: p50 ${ms(pct(idle.ms, 50))}  p90 ${ms(pct(idle.ms, 90))}  max ${ms(Math.max(...idle.ms))}`);
    console.log(`2. During the full export (${task.status}: ${result.read ?? '?'} variants read, ${result.batches?.items ?? '?'} items in ${result.batches?.batches ?? '?'} batches, ${((task.endedAt - task.startedAt) / 1000).toFixed(1)} s: order and shipping calls go first, the export takes what is left):`);
    console.log(`   ${during.ms.length} orders confirmed before the export ended (${busyIds.length - during.ms.length} after it, left out): p50 ${ms(pct(during.ms, 50))}  p90 ${ms(pct(during.ms, 90))}  max ${ms(Math.max(...during.ms))}`);
    console.log(`   [${ratio50 <= 2 ? 'OK ' : 'FAIL'}] p50 during / idle: ${ratio50.toFixed(2)}× (bar ≤ 2×)`);
    console.log(`   [${ratio90 <= 2 ? 'OK ' : 'FAIL'}] p90 during / idle: ${ratio90.toFixed(2)}× (bar ≤ 2×)`);
    for (const priority of ['interactive', 'bulk']) {
      const count = (waitsAfter[`${priority}_count`] ?? 0) - (waitsBefore[`${priority}_count`] ?? 0);
      const sum = (waitsAfter[`${priority}_sum`] ?? 0) - (waitsBefore[`${priority}_sum`] ?? 0);
      if (count > 0) console.log(`   Odoo limiter, ${priority} calls during the export: ${count}, mean wait for a slot ${ms((sum / count) * 1000)} (poleepo_odoo_odoo_wait_seconds)`);
    }
    const exportAloneS = (alone.endedAt - alone.startedAt) / 1000;
    const exportDuringS = (task.endedAt - task.startedAt) / 1000;
    reportSection(import.meta.url, {
      id: 'order-latency-during-export',
      title: 'Order latency during a full export',
      setup: `${TEMPLATES} templates / ${VARIANTS} variants, all published; orders at ${RATE}/s, webhook received → confirmed sale order, first with nothing else running (idle), then while a full export runs. Odoo emulator 18 (calibrated, ${ODOO_WORKERS} worker${ODOO_WORKERS === 1 ? '' : 's'}) and Poleepo sandbox in their own processes; the connector on SQLite with its default settings.`,
      figures: [
        { id: 'idle-p50', label: 'Idle, p50', value: pct(idle.ms, 50), unit: 'ms' },
        { id: 'during-p50', label: 'During the export, p50', value: pct(during.ms, 50), unit: 'ms', limit: { label: 'idle p50', value: pct(idle.ms, 50), unit: 'ms' }, ratio: ratio50, ratioLabel: 'of idle' },
        { id: 'ratio-p50', label: 'p50 during / idle', value: ratio50, unit: '×', bar: { op: '<=', value: 2, source: 'issue 18, DESIGN §6' } },
        { id: 'ratio-p90', label: 'p90 during / idle', value: ratio90, unit: '×', bar: { op: '<=', value: 2, source: 'issue 18, DESIGN §6' } },
        { id: 'export-slowdown', label: 'Full export with orders flowing', value: exportDuringS, unit: 's', limit: { label: 'the same export alone', value: exportAloneS, unit: 's' }, ratio: exportDuringS / exportAloneS, ratioLabel: 'of alone' },
      ],
      notes: [`${idle.ms.length} orders idle, ${during.ms.length} confirmed while the export ran (${busyIds.length - during.ms.length} after it, left out).`],
    });
  } finally {
    await service.stop({ drainMs: 0 });
    for (const c of [odoo.child, poleepo.child]) {
      c.stdin?.end();
      c.kill('SIGTERM');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

type Ctx = import('../src/app/context.ts').AppContext;

async function waitAll(ctx: Ctx, ids: string[]): Promise<void> {
  const deadline = Date.now() + 300_000 + ids.length * 2_000;
  for (;;) {
    const rows = await ctx.db.kysely.selectFrom('order_bindings').select(['state']).where('poleepo_order_id', 'in', ids).execute();
    const settled = rows.filter((r) => ['confirmed', 'parked', 'refused', 'error'].includes(r.state)).length;
    if (settled === ids.length) return;
    if (Date.now() > deadline) throw new Error(`only ${settled} of ${ids.length} orders settled in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Webhook received → sale order confirmed, per order (both stamped by the connector's clock); only those confirmed before `until`. */
async function latencies(ctx: Ctx, ids: string[], until = Infinity): Promise<{ ms: number[] }> {
  const bindings = await ctx.db.kysely.selectFrom('order_bindings').select(['poleepo_order_id', 'state', 'confirmed_at', 'error', 'flag', 'parked_reason']).where('poleepo_order_id', 'in', ids).execute();
  const messages = await ctx.db.kysely.selectFrom('webhook_messages').select(['resource_id', 'received_at']).where('resource_id', 'in', ids).execute();
  const received = new Map<string, number>();
  for (const m of messages) received.set(m.resource_id, Math.min(received.get(m.resource_id) ?? Infinity, Number(m.received_at)));
  const notConfirmed = bindings.filter((b) => b.state !== 'confirmed').length;
  const other = bindings.find((b) => b.state !== 'confirmed');
  if (other) console.log(`   (${notConfirmed} orders not confirmed: ${[...new Set(bindings.filter((b) => b.state !== 'confirmed').map((b) => b.state))].join(', ')}; e.g. ${other.parked_reason ?? other.error ?? other.flag ?? '?'})`);
  return {
    ms: bindings.filter((b) => b.state === 'confirmed' && b.confirmed_at !== null && received.has(b.poleepo_order_id) && Number(b.confirmed_at) <= until)
      .map((b) => Number(b.confirmed_at) - received.get(b.poleepo_order_id)!),
  };
}

/** poleepo_odoo_odoo_wait_seconds sums and counts by priority, from this process's /metrics text. */
async function waits(ctx: Ctx): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await ctx.metrics.render()).split('\n')) {
    const m = /^poleepo_odoo_odoo_wait_seconds_(sum|count)\{.*priority="(\w+)".*\} ([\d.e+-]+)$/.exec(line);
    if (m) out[`${m[2]}_${m[1]}`] = (out[`${m[2]}_${m[1]}`] ?? 0) + Number(m[3]);
  }
  return out;
}

async function post(base: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function ms(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(0)} ms` : '—';
}
