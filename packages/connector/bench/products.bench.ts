/**
 * Product export benchmark (DESIGN §6, issue 18): the Odoo emulator and the Poleepo sandbox run in their OWN process
 * (this file with --child), the emulator calibrated to a real Odoo's service times (docs/odoo-api.md §D) with the
 * catalog measured on real Odoo (20,001 templates / 51,001 variants / 25,500 stocked, bench/catalog.ts); the connector
 * runs here, as in production (SQLite, real clients). Reported to docs/benchmarks.md through bench/report.ts; a
 * --quick run (BENCH_QUICK=1) stops after phase 1 and its comparisons (≈ 1 min).
 *
 *   node --import tsx bench/products.bench.ts          (or: npm run bench products)
 *   BENCH_TEMPLATES=2000 BENCH_VARIANTS=10000 …         a smaller catalog for a quick look
 *
 * 1. Full export, detection: every published variant read (pages of the configured size), mapped, hashed and queued.
 *    Bars: ≤ 1.0 × the time of a naive client reading the same catalog against the same emulator right after
 *    (variants with qty_available in pages of 5,000, templates, attribute values, a stock read_group; issue 18); peak
 *    RSS ≤ 250 MB; Odoo reads ≥ 500 records per call; mapping + hashing ≤ 20 µs per variant. Beside them, the physical
 *    limits: Odoo's modelled service time for the connector's calls, and the naive variant pages over bare HTTP.
 * 2. Full export, sending: Needs Update written back to Odoo, batches built and submitted to the sandbox (figures).
 * 3. Incremental: the steady state after the export is set up (every binding synced, Odoo's x_poleepo_* fields as
 *    the results would leave them, write_dates aged as if the export happened long ago); then 10 variants change
 *    (5 stock quantities, 5 prices) and one Generate Product Batches tick runs. Bar: detected and batched with ≤ 6
 *    Odoo calls.
 * 4. Every product changed: the sale tax every template carries changes rate, and one tick runs (incremental
 *    detection of all 100,000 variants, Needs Update written back, every item batched and sent).
 * For each phase: the connector's peak RSS (sampled every 20 ms; and the process's high-water mark, which covers
 * every phase so far) and the event loop's delay p99 (what a webhook arriving meanwhile would wait for). Bar: peak RSS
 * ≤ 300 MB through the full export and the every-product-changed tick, without forced garbage collections.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { MEASURED_CATALOG, OUT_OF_STOCK_SHARE } from './catalog.ts';
import { isQuick, reportSection, type BenchFigure } from './report.ts';

const TEMPLATES = Number(process.env.BENCH_TEMPLATES ?? MEASURED_CATALOG.templates);
const VARIANTS = Number(process.env.BENCH_VARIANTS ?? MEASURED_CATALOG.variants);
const PUBLIC_URL = 'https://connector.example.test';
const X_FIELDS: [string, string][] = [
  ['x_poleepo_published', 'boolean'], ['x_poleepo_sku', 'char'], ['x_poleepo_ref', 'char'], ['x_poleepo_needs_update', 'boolean'],
  ['x_poleepo_last_error', 'char'], ['x_poleepo_upc', 'char'], ['x_poleepo_isbn', 'char'], ['x_poleepo_mpn', 'char'],
  ['x_poleepo_width', 'float'], ['x_poleepo_height', 'float'], ['x_poleepo_depth', 'float'],
];

type ChildRequest = { id: number; op: string; args?: unknown };

// ——— the other side: Odoo emulator + Poleepo sandbox, in their own process ———

async function child(): Promise<void> {
  const { startOdooEmulator } = await import('@poleepo-odoo/odoo-emulator');
  const { startPoleepoSandbox } = await import('@poleepo-odoo/poleepo-sandbox');
  const { formatDatetime } = await import('@poleepo-odoo/odoo-emulator');
  const old = formatDatetime(Date.now() - 86_400_000);
  const started = performance.now();
  const odoo = await startOdooEmulator({ version: 18, seed: 'empty', serviceTime: 'calibrated', catalog: { templates: TEMPLATES, variants: VARIANTS, timestamp: old, stockCompanies: [1], outOfStockShare: OUT_OF_STOCK_SHARE } });
  const [modelId] = odoo.call('ir.model', 'search', [[['model', '=', 'product.product']]]) as number[];
  for (const [name, ttype] of X_FIELDS) odoo.call('ir.model.fields', 'create', [{ model_id: modelId, name, ttype, field_description: name, state: 'manual' }]);
  const table = (model: string) => odoo.state.model(model).table;
  // Every variant published, written straight into the table (a merchant would have done it long ago).
  for (const r of table('product.product').rows.values()) r.x_poleepo_published = true;
  const sandbox = await startPoleepoSandbox({ batchProcessingDelayMs: 0 });
  const setupMs = Math.round(performance.now() - started);
  const age = () => {
    for (const model of ['product.product', 'product.template', 'product.template.attribute.value', 'stock.quant']) for (const r of table(model).rows.values()) r.write_date = old;
  };
  const ops: Record<string, (args: unknown) => unknown> = {
    stats: () => odoo.stats(),
    /** What the batch results would leave in Odoo: every variant bound (x_poleepo_ref), nothing waiting; stamps aged. */
    steady: () => {
      for (const r of table('product.product').rows.values()) {
        r.x_poleepo_ref = String(1_000_000 + r.id);
        r.x_poleepo_needs_update = false;
      }
      age();
      return true;
    },
    /** 10 variants change: 5 stock quantities and the price of 5 single-variant products. */
    changes: () => {
      const variants = [...table('product.product').rows.values()];
      const byTemplate = new Map<number, number[]>();
      for (const v of variants) (byTemplate.get(v.product_tmpl_id as number) ?? byTemplate.set(v.product_tmpl_id as number, []).get(v.product_tmpl_id as number)!).push(v.id);
      const singles = [...byTemplate.entries()].filter(([, ids]) => ids.length === 1).map(([t, ids]) => ({ t, v: ids[0] }));
      const families = [...byTemplate.values()].filter((ids) => ids.length > 1);
      const changed: number[] = [];
      for (let i = 0; i < 5; i++) {
        const pick = singles[Math.floor((singles.length / 5) * i)];
        odoo.call('product.template', 'write', [[pick.t], { list_price: 11.11 + i }]);
        changed.push(pick.v);
      }
      for (let i = 0; i < 5; i++) {
        const family = families[Math.floor((families.length / 5) * i)];
        const v = family[1];
        const quants = odoo.call('stock.quant', 'search_read', [[['product_id', '=', v], ['location_id.usage', '=', 'internal']]], { fields: ['quantity'], limit: 1 }) as { id: number; quantity: number }[];
        if (quants.length) odoo.call('stock.quant', 'write', [[quants[0].id], { quantity: quants[0].quantity + 3 }]);
        else odoo.call('stock.quant', 'create', [{ product_id: v, location_id: (table('stock.warehouse').rows.values().next().value as unknown as { lot_stock_id: number }).lot_stock_id, quantity: 3, company_id: 1 }]);
        changed.push(v);
      }
      return changed;
    },
    /** The sale tax every generated template carries goes from its rate to another: every product's price with tax changes. */
    taxChange: () => {
      const company = table('res.company').rows.get(1) as unknown as { account_sale_tax_id: number };
      const [tax] = odoo.call('account.tax', 'read', [[company.account_sale_tax_id], ['amount']]) as { amount: number }[];
      odoo.call('account.tax', 'write', [[company.account_sale_tax_id], { amount: tax.amount === 10 ? 22 : 10 }]);
      return company.account_sale_tax_id;
    },
  };
  process.on('message', (m: ChildRequest) => {
    try {
      process.send!({ id: m.id, result: ops[m.op](m.args) });
    } catch (error) {
      process.send!({ id: m.id, error: String(error) });
    }
  });
  process.on('disconnect', () => {
    void Promise.all([odoo.stop(), sandbox.stop()]).then(() => process.exit(0));
  });
  process.send!({ id: 0, result: { odooUrl: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, sandboxUrl: sandbox.url, key: sandbox.clients[0], setupMs } });
}

// ——— the connector ———

class Other {
  private next = 1;
  private readonly waiting = new Map<number, (v: { result?: unknown; error?: string }) => void>();
  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: { id: number; result?: unknown; error?: string }) => this.waiting.get(m.id)?.(m));
  }
  ready(): Promise<any> {
    return new Promise((resolve, reject) => {
      this.waiting.set(0, (m) => (m.error ? reject(new Error(m.error)) : resolve(m.result)));
      this.proc.once('exit', (code) => reject(new Error(`the emulator process exited (${code})`)));
    });
  }
  ask<T>(op: string, args?: unknown): Promise<T> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (m) => (m.error ? reject(new Error(m.error)) : resolve(m.result as T)));
      this.proc.send({ id, op, args });
    });
  }
}

interface EmulatorStats {
  objectCalls: number;
  serviceTimeMs: number;
  computeTimeMs: number;
  recordsRead: number;
  readsByModel: Record<string, number>;
}

function diff(a: EmulatorStats, b: EmulatorStats) {
  const byModel: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.readsByModel)) byModel[k] = v - (a.readsByModel[k] ?? 0);
  return { calls: b.objectCalls - a.objectCalls, serviceMs: b.serviceTimeMs - a.serviceTimeMs, computeMs: b.computeTimeMs - a.computeTimeMs, byModel };
}

const mb = (kb: number) => Math.round(kb / 1024);

/** Peak RSS (sampled) and event-loop delay of one phase; `stop()` gives both. */
function watchPhase() {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let peak = process.memoryUsage();
  const sample = () => {
    if (process.memoryUsage.rss() > peak.rss) peak = process.memoryUsage();
  };
  const timer = setInterval(sample, 20);
  return {
    stop() {
      clearInterval(timer);
      delay.disable();
      sample();
      const m = (bytes: number) => Math.round(bytes / 1_048_576);
      return {
        peakMb: m(peak.rss), p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6,
        atPeak: `V8 heap ${m(peak.heapUsed)} used of ${m(peak.heapTotal)} MB, external ${m(peak.external)} MB (array buffers ${m(peak.arrayBuffers)} MB)`,
      };
    },
  };
}
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ok: boolean) => (ok ? 'OK ' : 'FAIL');

async function main(): Promise<void> {
  // As the bin does for every process (src/shared/heap.ts); BENCH_HEAP_DEFAULT=1 leaves V8's own growth to compare.
  const { limitHeapGrowth, HEAP_GROWING_PERCENT } = await import('../src/shared/heap.ts');
  const heapNote = process.env.BENCH_HEAP_DEFAULT ? 'V8\'s default heap growth (BENCH_HEAP_DEFAULT)' : limitHeapGrowth() ? `heap growth ${HEAP_GROWING_PERCENT} % as the bin sets it` : 'heap growth as given on the command line';
  const proc = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const other = new Other(proc);
  const env = await other.ready();
  const [load1] = loadavg();
  if (load1 > 1.5) console.log(`Note: load average ${load1.toFixed(1)} — not a quiet machine; the ratios below include that noise.`);
  console.log(`Other process: Odoo emulator 18 (calibrated service times) with ${TEMPLATES} templates / ${VARIANTS} variants, Poleepo sandbox; set up in ${fmt(env.setupMs)}`);
  console.log(`Connector (this process): SQLite, real clients, ${heapNote}, no forced garbage collection.`);

  const { loadConfig } = await import('../src/config/env.ts');
  const { createContext } = await import('../src/app/context.ts');
  const { buildServices } = await import('../src/app/modules.ts');
  const { ConnectionsService } = await import('../src/connections/connections.service.ts');
  const { silentLogger } = await import('../src/shared/logger.ts');
  const dir = mkdtempSync(join(tmpdir(), 'poleepo-products-bench-'));
  const calls = new Map<string, number>();
  // Counts Odoo calls by model and method from the requests this process sends (the wire, not our code).
  const countingFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    if (String(url).endsWith('/jsonrpc') && typeof init?.body === 'string' && init.body.length < 100_000) {
      const args = (JSON.parse(init.body) as { params?: { args?: unknown[] } }).params?.args;
      if (Array.isArray(args) && args.length >= 5) calls.set(`${args[3]}.${args[4]}`, (calls.get(`${args[3]}.${args[4]}`) ?? 0) + 1);
    }
    return fetch(url, init);
  }) as typeof fetch;
  try {
    const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`, ENCRYPTION_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent', PUBLIC_URL });
    const ctx = await createContext(config, { migrate: true, logger: silentLogger, fetch: countingFetch as never });
    const services = buildServices(ctx);
    const connection = await new ConnectionsService(ctx, []).create({
      name: 'bench', odoo: { url: env.odooUrl, db: env.db, login: env.login, apiKey: env.apiKey, companyId: 1 },
      poleepo: { baseUrl: env.sandboxUrl, clientId: env.key.clientId, clientSecret: env.key.clientSecret },
      settings: { batchSize: 500 },
    });
    const products = services.products;
    const rss0 = process.resourceUsage().maxRSS;

    // 1. Full export: detection.
    const s0 = await other.ask<EmulatorStats>('stats');
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const phaseA = watchPhase();
    const full = await products.sync(connection.id, { full: true, send: false, mirror: false });
    const watchedA = phaseA.stop();
    const wallA = performance.now() - t0;
    const cpuA = process.cpuUsage(cpu0);
    const dA = diff(s0, await other.ask<EmulatorStats>('stats'));
    const rssA = process.resourceUsage().maxRSS;
    const variantReads = (calls.get('product.product.search_read') ?? 0);
    const perVariantRead = (dA.byModel['product.product'] ?? 0) / Math.max(1, variantReads);
    const mapUs = (full.detect.mapping.ms * 1000) / Math.max(1, full.detect.mapping.variants);
    const cpuUs = ((cpuA.user + cpuA.system) / Math.max(1, full.detect.variantsRead));
    const ratio = wallA / dA.serviceMs;
    console.log('\n1. Full export — detection (read, map, hash, queue)');
    console.log(`   variants read ${full.detect.variantsRead}, queued ${full.detect.decisions.queued}, parents queued ${full.detect.parents.queued}, problems ${full.detect.problemCount}`);
    console.log(`   Odoo calls ${dA.calls} (${[...calls.entries()].map(([k, v]) => `${k} ${v}`).join(', ')})`);
    console.log(`   [${verdict(perVariantRead >= 500)}] Odoo reads: ${Math.round(perVariantRead)} variants per product.product call on average (pages of ${(await products.settings(connection.id)).odoo.pageSize}; bar ≥ 500)`);
    console.log(`   [${verdict(mapUs <= 20)}] mapping + hashing: ${mapUs.toFixed(2)} µs per variant (bar ≤ 20 µs); all connector CPU: ${cpuUs.toFixed(1)} µs per variant`);
    console.log(`   [${verdict(mb(rssA) <= 300)}] connector peak RSS: ${mb(rssA)} MB (bar ≤ 300 MB; ${mb(rss0)} MB before the export, with every module loaded; no forced GC)`);
    console.log(`   at the peak: ${watchedA.atPeak}; event-loop delay during detection: p99 ${watchedA.p99Ms.toFixed(1)} ms, max ${watchedA.maxMs.toFixed(1)} ms`);
    console.log(`   [${verdict(ratio <= 1.3)}] connector wall time ${fmt(wallA)} vs Odoo service time ${fmt(dA.serviceMs)}: ${ratio.toFixed(3)}× (bar ≤ 1.3×); the emulator's own compute ${fmt(dA.computeMs)}`);
    console.log(`   phases (ms): ${Object.entries(full.detect.phases).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const callsA = new Map(calls);

    // The minimal client of issue 18 against the same emulator, then the same variant pages over bare HTTP.
    const naive = await naiveRead(env);
    const bare = await bareVariantPages(env);
    const naiveRatio = wallA / naive.wallMs;
    console.log(`   [${verdict(naiveRatio <= 1)}] connector ${fmt(wallA)} vs a naive client reading the same catalog ${fmt(naive.wallMs)} (${naive.calls} calls, Odoo service ${fmt(naive.serviceMs)}): ${naiveRatio.toFixed(3)}× (bar ≤ 1.0×, issue 18)`);
    console.log(`   [${verdict(mb(rssA) <= 250)}] connector peak RSS of the export ${mb(rssA)} MB (bar ≤ 250 MB, issue 18)`);
    console.log(`   bare HTTP: the naive client's variant pages with no modelled service time take ${fmt(bare.wallMs)} (the emulator's CPU and the transfer)`);
    const exportFigures: BenchFigure[] = [
      {
        id: 'full-export-vs-naive', label: 'Full export (detection) / naive client reading the same catalog', value: naiveRatio, unit: '×', bar: { op: '<=', value: 1, source: 'issue 18' },
        note: `connector ${fmt(wallA)}, naive ${fmt(naive.wallMs)}`,
      },
      {
        id: 'full-export-wall', label: `Full export (detection) of ${VARIANTS.toLocaleString('en-US')} variants, wall time`, value: wallA / 1000, unit: 's',
        limit: { label: "Odoo's service time for the connector's calls (calibrated emulator)", value: dA.serviceMs / 1000, unit: 's' }, ratio, ratioLabel: "× Odoo's",
        note: `${dA.calls} Odoo calls`,
      },
      {
        id: 'naive-wall', label: 'Naive client (variants with qty_available in pages of 5,000, templates, attribute values, a stock read_group), wall time', value: naive.wallMs / 1000, unit: 's',
        limit: { label: "Odoo's service time for its calls", value: naive.serviceMs / 1000, unit: 's' }, ratio: naive.wallMs / naive.serviceMs, ratioLabel: "× Odoo's",
        note: `${naive.calls} calls; 29–34 s against the real Odoo 18.0 of issue 18`,
      },
      {
        id: 'bare-variant-pages', label: 'The naive variant pages over bare HTTP (no modelled service time)', value: bare.wallMs / 1000, unit: 's',
        limit: { label: 'bare HTTP, same emulator and pages', value: bare.wallMs / 1000, unit: 's' }, note: `${bare.pages} pages, ${Math.round(bare.bytes / 1_048_576)} MB of JSON`,
      },
      { id: 'full-export-rss', label: 'Connector peak RSS during the full export', value: mb(rssA), unit: 'MB', bar: { op: '<=', value: 250, source: 'issue 18' }, note: `${mb(rss0)} MB before, every module loaded; no forced GC` },
      { id: 'reads-per-call', label: 'Variants per product.product call', value: perVariantRead, unit: 'records', bar: { op: '>=', value: 500, source: 'DESIGN §6' } },
      { id: 'mapping-cpu', label: 'Mapping and hashing per variant (CPU)', value: mapUs, unit: 'µs', bar: { op: '<=', value: 20, source: 'DESIGN §6' } },
    ];
    const exportSection = (extra: BenchFigure[] = [], notes: string[] = []) => reportSection(import.meta.url, {
      id: 'product-export',
      title: 'Product export against the calibrated Odoo emulator',
      setup: `The Odoo emulator 18 (service times calibrated to a real Odoo 18.0, one worker) and the Poleepo sandbox in their own process, with the catalog measured on real Odoo in issue 18 (${TEMPLATES.toLocaleString('en-US')} templates, ${VARIANTS.toLocaleString('en-US')} variants, ${naive.stocked.toLocaleString('en-US')} stocked, every variant published); the connector in this process as in production (SQLite, real clients). The naive client and the bare pages run in this process against the same emulator, right after the export.${isQuick() ? ' Quick run: the full export and its comparisons only.' : ''}`,
      figures: [...exportFigures, ...extra],
      notes: [
        `Connector calls: ${[...callsA.entries()].map(([k, v]) => `${k} ${v}`).join(', ')}.`,
        `Phases (ms): ${Object.entries(full.detect.phases).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
        'Quantities come from one stock.quant read_group, equal to qty_available by construction (src/products/products.stock.ts; test/products.stock.test.ts proves it per company on 17/18/19).',
        ...notes,
      ],
    });
    if (isQuick()) {
      exportSection();
      await ctx.close();
      return;
    }

    // 2. Full export: Needs Update in Odoo, batches to Poleepo.
    calls.clear();
    const s1 = await other.ask<EmulatorStats>('stats');
    const t1 = performance.now();
    const phaseB = watchPhase();
    const sent = await products.sync(connection.id, { send: true });
    const watchedB = phaseB.stop();
    const wallB = performance.now() - t1;
    const dB = diff(s1, await other.ask<EmulatorStats>('stats'));
    console.log('\n2. Full export — sending');
    console.log(`   Needs Update written to ${sent.mirror.written} variants in ${sent.mirror.calls} Odoo calls; ${sent.batches?.batches} batches / ${sent.batches?.items} items submitted; ${fmt(wallB)} in all (Odoo service ${fmt(dB.serviceMs)}), ${Math.round((sent.batches?.items ?? 0) / (wallB / 1000))} items/s`);
    console.log(`   [${verdict(mb(process.resourceUsage().maxRSS) <= 300)}] connector peak RSS so far: ${mb(process.resourceUsage().maxRSS)} MB (this phase: ${watchedB.peakMb} MB sampled; ${watchedB.atPeak}); event-loop delay p99 ${watchedB.p99Ms.toFixed(1)} ms, max ${watchedB.maxMs.toFixed(1)} ms`);

    // 3. Incremental.
    await other.ask('steady');
    const now = Date.now();
    await sql`update product_bindings set
      sent_hash = (select payload_hash from product_batch_items i where i.id = product_bindings.inflight_item_id),
      sent_payload = (select payload from product_batch_items i where i.id = product_bindings.inflight_item_id),
      poleepo_id = cast(case when kind = 'parent' then 2000000 + odoo_id else 1000000 + odoo_id end as text),
      odoo_ref = case when kind = 'parent' then null else cast(1000000 + odoo_id as text) end,
      inflight_item_id = null, queued_at = null, pending_hash = null, pending_payload = null,
      odoo_needs_update = 0, flagged = 0, mirror_pending = 0, sent_at = ${now}`.execute(ctx.db.kysely);
    await sql`update product_batches set status = 'completed', completed_at = ${now}`.execute(ctx.db.kysely);
    const changed = await other.ask<number[]>('changes');
    calls.clear();
    const s2 = await other.ask<EmulatorStats>('stats');
    const t2 = performance.now();
    const tick = await products.sync(connection.id);
    const wallC = performance.now() - t2;
    const dC = diff(s2, await other.ask<EmulatorStats>('stats'));
    const found = tick.detect.decisions.queued;
    console.log('\n3. Incremental — 10 changed variants among', VARIANTS, '(steady state set up: bindings synced, Odoo fields and stamps as after the results)');
    console.log(`   detected ${found} (of ${changed.length} changed), variants read ${tick.detect.variantsRead}, batched ${tick.batches?.items} items in ${tick.batches?.batches} batch; ${fmt(wallC)} (Odoo service ${fmt(dC.serviceMs)})`);
    console.log(`   Odoo calls: ${[...calls.entries()].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`   [${verdict(dC.calls <= 6 && found === changed.length && tick.batches?.items === changed.length)}] ${dC.calls} Odoo calls in the tick (bar ≤ 6)`);

    // 4. Every product changed: the shared sale tax changes rate; one tick (incremental) detects, mirrors and sends all.
    await sql`update product_batches set status = 'completed', completed_at = ${Date.now()} where status = 'sent'`.execute(ctx.db.kysely);
    await sql`update product_bindings set inflight_item_id = null`.execute(ctx.db.kysely);
    await other.ask('taxChange');
    calls.clear();
    const s3 = await other.ask<EmulatorStats>('stats');
    const t3 = performance.now();
    const phaseD = watchPhase();
    const all = await products.sync(connection.id);
    const watchedD = phaseD.stop();
    const wallD = performance.now() - t3;
    const dD = diff(s3, await other.ask<EmulatorStats>('stats'));
    const rssD = process.resourceUsage().maxRSS;
    console.log(`\n4. Every product changed — the sale tax all ${TEMPLATES} templates carry changes rate; one tick`);
    console.log(`   ${all.detect.mode}: variants read ${all.detect.variantsRead}, queued ${all.detect.decisions.queued}, parents queued ${all.detect.parents.queued}; Needs Update written to ${all.mirror.written}; ${all.batches?.batches} batches / ${all.batches?.items} items sent; ${fmt(wallD)} (Odoo service ${fmt(dD.serviceMs)}, ${dD.calls} calls)`);
    console.log(`   [${verdict(watchedD.peakMb <= 300 && mb(rssD) <= 300)}] connector peak RSS in this tick: ${watchedD.peakMb} MB sampled; process high-water mark after every phase: ${mb(rssD)} MB (bar ≤ 300 MB)`);
    console.log(`   at the peak: ${watchedD.atPeak}; event-loop delay during the tick: p99 ${watchedD.p99Ms.toFixed(1)} ms, max ${watchedD.maxMs.toFixed(1)} ms`);
    exportSection([
      { id: 'incremental-calls', label: 'Incremental tick, 10 changed variants: Odoo calls', value: dC.calls, unit: 'calls', bar: { op: '<=', value: 6, source: 'DESIGN §6' }, note: `${found} of ${changed.length} detected, ${fmt(wallC)}` },
      { id: 'all-changed-rss', label: 'Every product changed (one tick): connector peak RSS', value: Math.max(watchedD.peakMb, mb(rssD)), unit: 'MB', bar: { op: '<=', value: 300, source: 'DESIGN §6' }, note: `${all.batches?.items} items sent, ${fmt(wallD)}` },
      { id: 'sending', label: 'Full export, sending: items per second', value: Math.round((sent.batches?.items ?? 0) / (wallB / 1000)), unit: 'items/s', note: `${sent.batches?.batches} batches, Odoo service ${fmt(dB.serviceMs)}` },
    ]);
    await ctx.close();
  } finally {
    proc.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}


interface NaiveEnv { odooUrl: string; db: string; login: string; apiKey: string }

/** An OdooClient of its own, one call at a time, for the naive reads. */
async function plainClient(env: NaiveEnv) {
  const { OdooClient } = await import('../src/odoo/odoo.client.ts');
  const { HttpClient } = await import('../src/http/http.client.ts');
  const { systemClock } = await import('../src/shared/clock.ts');
  const client = new OdooClient({ endpoint: { url: env.odooUrl, db: env.db, login: env.login, apiKey: env.apiKey }, http: new HttpClient({ clock: systemClock }), clock: systemClock, context: { companyId: 1 }, timeoutMs: 120_000, limiter: { maxConcurrent: 1 } });
  const session = await client.connect();
  return { client, uid: session.uid };
}

/** What the export reads per variant (the connector's field plan on this database), with the computed stock field. */
const NAIVE_VARIANT_FIELDS = ['product_tmpl_id', 'display_name', 'default_code', 'barcode', 'active', 'lst_price', 'qty_available', 'weight', 'product_template_attribute_value_ids',
  'image_variant_1920', 'write_date', ...X_FIELDS.map(([name]) => name)];
const NAIVE_TEMPLATE_FIELDS = ['name', 'list_price', 'categ_id', 'description_sale', 'taxes_id', 'product_variant_count', 'image_1920', 'write_date', 'uom_id'];

async function emulatorService(url: string): Promise<number> {
  return ((await (await fetch(`${url}/__emulator/stats`)).json()) as { serviceTimeMs: number }).serviceTimeMs;
}

/**
 * The minimal client of issue 18: reads the same catalog naively, one call at a time — variants with qty_available in
 * pages of 5,000, the templates and the template attribute values in pages of 5,000, and a stock read_group.
 */
async function naiveRead(env: NaiveEnv): Promise<{ wallMs: number; serviceMs: number; calls: number; stocked: number }> {
  const { client } = await plainClient(env);
  const context = { active_test: false, bin_size: true };
  let calls = 0;
  const pages = async (model: string, fields: string[]) => {
    for (let after = 0; ;) {
      const rows = await client.searchRead(model, [['id', '>', after]], { fields, order: 'id asc', limit: 5000, context });
      calls++;
      if (rows.length < 5000) return;
      after = rows[rows.length - 1].id;
    }
  };
  const before = await emulatorService(env.odooUrl);
  const t0 = performance.now();
  await pages('product.product', NAIVE_VARIANT_FIELDS);
  await pages('product.template', NAIVE_TEMPLATE_FIELDS);
  await pages('product.template.attribute.value', ['name', 'attribute_id']);
  const groups = await client.readGroup('stock.quant', [['location_id.usage', '=', 'internal'], ['company_id', '=', 1]], ['quantity:sum'], ['product_id'], { lazy: false });
  calls++;
  const wallMs = performance.now() - t0;
  return { wallMs, serviceMs: (await emulatorService(env.odooUrl)) - before, calls, stocked: groups.length };
}

/** The naive client's variant pages as raw JSON-RPC over HTTP with no modelled service time: the floor of this stack. */
async function bareVariantPages(env: NaiveEnv): Promise<{ wallMs: number; pages: number; bytes: number }> {
  const { uid } = await plainClient(env);
  const preset = (p: string) => fetch(`${env.odooUrl}/__emulator/service-time`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ preset: p }) });
  await preset('none');
  try {
    const t0 = performance.now();
    let pages = 0;
    let bytes = 0;
    for (let page = 0; page * 5000 < VARIANTS; page++) {
      const body = JSON.stringify({ jsonrpc: '2.0', method: 'call', id: page, params: { service: 'object', method: 'execute_kw', args: [env.db, uid, env.apiKey, 'product.product', 'search_read', [[]], { fields: NAIVE_VARIANT_FIELDS, order: 'id asc', limit: 5000, offset: page * 5000, context: { active_test: false, bin_size: true, allowed_company_ids: [1] } }] } });
      const res = await fetch(`${env.odooUrl}/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      bytes += (await res.text()).length;
      pages++;
    }
    return { wallMs: performance.now() - t0, pages, bytes };
  } finally {
    await preset('calibrated');
  }
}

if (process.argv.includes('--child')) await child();
else await main();
