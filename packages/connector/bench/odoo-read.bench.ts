/**
 * Emulator calibration benchmark (issue 18): the read calls measured on a real Odoo 18.0 (2 cores; 20,001 templates,
 * 51,001 variants, 25,500 stocked variants; docs/odoo-api.md §D) replayed through the real OdooClient against the
 * Odoo emulator with the `calibrated` service-time preset, in its own process, on a generated catalog of the same shape.
 * Each call's time as the client sees it is held within 10 % of the real server's.
 *
 *   node --import tsx bench/odoo-read.bench.ts          (or: npm run bench odoo-read; the same in a --quick run: ≈ 1 min)
 *
 * Beside each figure: the real server's time (the limit the emulator stands for), and the emulator's modelled service
 * time for the same calls (what its clock charges; the rest is HTTP, JSON and the emulator's own work).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HttpClient } from '../src/http/http.client.ts';
import { systemClock } from '../src/shared/clock.ts';
import { OdooClient } from '../src/odoo/odoo.client.ts';
import type { OdooDomain } from '../src/odoo/odoo.types.ts';
import { isQuick, reportSection, type BenchFigure } from './report.ts';
import { MEASURED_CATALOG, OUT_OF_STOCK_SHARE } from './catalog.ts';

const CHILD_FLAG = '--emulator-child';

interface EmulatorInfo { url: string; db: string; login: string; apiKey: string; generatedMs: number; quants: number }

async function runEmulatorChild(): Promise<void> {
  const { startOdooEmulator } = await import('@poleepo-odoo/odoo-emulator');
  const started = performance.now();
  const odoo = await startOdooEmulator({
    version: 18,
    seed: 'empty',
    catalog: { templates: MEASURED_CATALOG.templates, variants: MEASURED_CATALOG.variants, stockCompanies: [1], outOfStockShare: OUT_OF_STOCK_SHARE },
    serviceTime: 'calibrated',
  });
  const quants = (odoo.call('stock.quant', 'search_count', [[]]) as number);
  const info: EmulatorInfo = { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, generatedMs: Math.round(performance.now() - started), quants };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const stop = async () => {
    await odoo.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
}

async function startEmulatorProcess(): Promise<{ info: EmulatorInfo; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD_FLAG], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<EmulatorInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator process exited (${code}) before listening`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as EmulatorInfo));
  });
  return { info, child };
}

async function emulatorMs(url: string): Promise<{ service: number; compute: number }> {
  const s = (await (await fetch(`${url}/__emulator/stats`)).json()) as { serviceTimeMs: number; computeTimeMs: number };
  return { service: s.serviceTimeMs, compute: s.computeTimeMs };
}

/** The fields the product export reads per variant (products.fields.ts, without the connector's own x_ fields). */
const EXPORT_FIELDS = ['product_tmpl_id', 'display_name', 'default_code', 'barcode', 'active', 'lst_price', 'weight', 'product_template_attribute_value_ids', 'image_variant_1920', 'write_date'];
const TEMPLATE_FIELDS = ['name', 'list_price', 'categ_id', 'description_sale', 'taxes_id', 'product_variant_count', 'image_1920', 'write_date', 'uom_id'];

interface Replay {
  id: string;
  label: string;
  /** Seconds on the real Odoo 18.0 (issue 18). */
  realS: number;
  run(client: OdooClient): Promise<number>;
  /** Repeats averaged (a single call of a few ms). */
  repeat?: number;
}

async function runBenchmark(): Promise<void> {
  const { info, child } = await startEmulatorProcess();
  try {
    console.log(`Odoo emulator 18 (calibrated) in process ${child.pid}: ${MEASURED_CATALOG.variants} variants / ${MEASURED_CATALOG.templates} templates / ${info.quants} quants generated in ${info.generatedMs} ms`);
    const clock = systemClock;
    const client = new OdooClient({
      endpoint: { url: info.url, db: info.db, login: info.login, apiKey: info.apiKey },
      http: new HttpClient({ clock }), clock, context: { companyId: 1 }, timeoutMs: 120_000, limiter: { maxConcurrent: 1 },
    });
    await client.connect();
    const context = { active_test: false, bin_size: true };
    const templateIds = await client.search('product.template', [], { order: 'id asc', context });
    const ptavIds = await client.search('product.template.attribute.value', [], { order: 'id asc' });
    const variantPages = async (fields: string[]) => {
      let after = 0;
      let records = 0;
      for (;;) {
        const rows = await client.searchRead('product.product', [['id', '>', after]], { fields, order: 'id asc', limit: 2000, context });
        records += rows.length;
        if (rows.length < 2000) return records;
        after = rows[rows.length - 1].id;
      }
    };
    const readByIds = async (model: string, ids: number[], fields: string[], calls: number) => {
      // As measured: `calls` reads of 400 ids (the measured catalog's count; ids repeat when this one has fewer).
      let n = 0;
      for (let c = 0; c < calls; c++) {
        const chunk = Array.from({ length: Math.min(400, model === 'product.template' ? ids.length - c * 400 : 400) }, (_, i) => ids[(c * 400 + i) % ids.length]);
        n += (await client.read(model, chunk, fields, { context })).length;
      }
      return n;
    };
    const replays: Replay[] = [
      { id: 'variants-stock', label: 'Variants, export fields and qty_available, pages of 2,000 (26 calls)', realS: 18.7, run: () => variantPages([...EXPORT_FIELDS, 'qty_available']) },
      { id: 'variants', label: 'The same without any stock field', realS: 13.8, run: () => variantPages(EXPORT_FIELDS) },
      {
        id: 'quant-group', label: 'stock.quant read_group by product, internal locations of the company (one call)', realS: 3.9,
        run: async () => (await client.readGroup('stock.quant', [['location_id.usage', '=', 'internal'], ['company_id', '=', 1]] as OdooDomain, ['quantity:sum'], ['product_id'], { lazy: false })).length,
      },
      { id: 'templates-read', label: 'Templates, read by ids, 400 per call (51 calls)', realS: 2.45, run: () => readByIds('product.template', templateIds, TEMPLATE_FIELDS, Math.ceil(templateIds.length / 400)) },
      { id: 'templates-search-read', label: 'Templates, one search_read of all', realS: 0.88, run: async () => (await client.searchRead('product.template', [], { fields: TEMPLATE_FIELDS, context })).length },
      { id: 'ptav-read', label: 'Template attribute values, read by ids, 400 per call (84 calls)', realS: 3.95, run: () => readByIds('product.template.attribute.value', ptavIds, ['name', 'attribute_id'], 84) },
      {
        id: 'probe', label: 'Incremental probe, search_count on write_date > T, no hit (mean of 20)', realS: 0.045, repeat: 20,
        run: () => client.searchCount('product.product', [['write_date', '>', '2099-01-01 00:00:00']], { context }),
      },
    ];
    const figures: BenchFigure[] = [];
    const rows: string[][] = [];
    for (const r of replays) {
      globalThis.gc?.();
      const before = await emulatorMs(info.url);
      const t0 = performance.now();
      const times = r.repeat ?? 1;
      for (let i = 0; i < times; i++) await r.run(client);
      const wallS = (performance.now() - t0) / 1000 / times;
      const after = await emulatorMs(info.url);
      const modelledS = (after.service - before.service) / 1000 / times;
      const computeS = (after.compute - before.compute) / 1000 / times;
      const deviation = (Math.abs(wallS - r.realS) / r.realS) * 100;
      rows.push([r.label, `${r.realS.toFixed(3)} s`, `${wallS.toFixed(3)} s`, `${modelledS.toFixed(3)} s`, `${computeS.toFixed(3)} s`, `${deviation.toFixed(1)} %`]);
      figures.push({
        id: r.id, label: `${r.label}: emulator vs real Odoo`, value: deviation, unit: '%', bar: { op: '<=', value: 10, source: 'issue 18' },
        limit: { label: 'real Odoo 18.0', value: r.realS, unit: 's' }, ratio: wallS / r.realS, ratioLabel: 'of real Odoo',
        note: `emulator ${wallS.toFixed(3)} s as the client sees it, ${modelledS.toFixed(3)} s modelled, its own CPU ${computeS.toFixed(3)} s`,
      });
    }
    printTable(['call (as measured on real Odoo 18.0)', 'real Odoo', 'emulator (client wall)', 'emulator modelled', 'emulator CPU', 'deviation'], rows);
    reportSection(import.meta.url, {
      id: 'emulator-calibration',
      title: 'Emulator calibration against real Odoo 18.0',
      setup: `The read calls measured on a real Odoo 18.0 (2 cores, one worker; 20,001 templates, 51,001 variants, 25,500 stocked; docs/odoo-api.md §D) replayed through the connector's OdooClient against the emulator (calibrated service times, own process) on a generated catalog of the same shape (${info.quants} quants). Each figure: how far the time the client sees is from the real server's.${isQuick() ? ' The quick run replays the same calls (about a minute).' : ''}`,
      figures,
      notes: ['"modelled" is the service time the emulator charges on its clock (per call, per record, per computed field: packages/odoo-emulator/src/runtime/service-time.ts); the rest of the client\'s time is HTTP, JSON and the emulator\'s own work.'],
    });
  } finally {
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

if (process.argv.includes(CHILD_FLAG)) await runEmulatorChild();
else await runBenchmark();
