/**
 * Odoo read benchmark: the full product read of an export — 100,000 variants (20,000 templates) with the fields the
 * product mapping needs, stock included — through the real OdooClient, against the Odoo emulator running in its own
 * process with service times calibrated to a real Odoo 18 (docs/odoo-api.md §D: ≈ 14 ms per call, ≈ 0.35 ms per
 * variant read with stock, one worker).
 *
 *   node --import tsx bench/odoo-read.bench.ts [--variants 100000] [--templates 20000] [--page-size 2000,5000] [--version 18]
 *
 * Prints, per page size: records/s, the client's CPU per record, the client's peak RSS, the emulator's own service
 * time for the same reads and the ratio of the client's wall time to it (DESIGN §6 asks ≤ 1.3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HttpClient } from '../src/http/http.client.ts';
import { systemClock } from '../src/shared/clock.ts';
import { OdooClient } from '../src/odoo/odoo.client.ts';

const CHILD_FLAG = '--emulator-child';

interface EmulatorInfo { url: string; db: string; login: string; apiKey: string; version: number; generatedMs: number }

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

if (process.argv.includes(CHILD_FLAG)) {
  await runEmulatorChild();
} else {
  await runBenchmark();
}

/** Child process: the emulator with the generated catalog, calibrated; prints where it listens, then serves. */
async function runEmulatorChild(): Promise<void> {
  const { startOdooEmulator } = await import('@poleepo-odoo/odoo-emulator');
  const version = Number(arg('version', '18')) as 17 | 18 | 19;
  const started = performance.now();
  const odoo = await startOdooEmulator({
    version,
    seed: 'empty',
    catalog: { templates: Number(arg('templates', '20000')), variants: Number(arg('variants', '100000')) },
    serviceTime: 'calibrated',
  });
  const info: EmulatorInfo = { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, version, generatedMs: Math.round(performance.now() - started) };
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
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD_FLAG, ...process.argv.slice(2)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<EmulatorInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator process exited (${code}) before listening`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as EmulatorInfo));
  });
  return { info, child };
}

async function emulatorStats(url: string): Promise<{ serviceTimeMs: number; computeTimeMs: number; objectCalls: number; recordsRead: number }> {
  const res = await fetch(`${url}/__emulator/stats`);
  return (await res.json()) as { serviceTimeMs: number; computeTimeMs: number; objectCalls: number; recordsRead: number };
}

async function runBenchmark(): Promise<void> {
  const pageSizes = arg('page-size', '2000,5000').split(',').map(Number);
  const { info, child } = await startEmulatorProcess();
  try {
    console.log(`Odoo emulator ${info.version} in process ${child.pid}: ${arg('variants', '100000')} variants / ${arg('templates', '20000')} templates generated in ${info.generatedMs} ms, calibrated service times`);
    const clock = systemClock;
    const client = new OdooClient({
      endpoint: { url: info.url, db: info.db, login: info.login, apiKey: info.apiKey },
      http: new HttpClient({ clock }),
      clock,
      context: { companyId: 1 },
      timeoutMs: 120_000,
      limiter: { maxConcurrent: 1 },
    });
    await client.connect();
    // The fields the product export reads per variant, those this version has (stock included).
    const wanted = ['default_code', 'barcode', 'name', 'display_name', 'product_tmpl_id', 'lst_price', 'taxes_id', 'categ_id',
      'description_sale', 'weight', 'volume', 'active', 'product_template_attribute_value_ids', 'qty_available', 'free_qty', 'write_date'];
    const available = await client.fieldsGet('product.product');
    const fields = wanted.filter((f) => f in available);
    console.log(`fields read (${fields.length}): ${fields.join(', ')}`);

    const rows: string[][] = [];
    for (const pageSize of pageSizes) {
      globalThis.gc?.();
      const before = await emulatorStats(info.url);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let records = 0;
      let pages = 0;
      let checksum = 0;
      for await (const page of client.searchReadAll('product.product', [], { fields, pageSize, context: { active_test: false } })) {
        pages++;
        records += page.records.length;
        for (const r of page.records) checksum = (checksum + r.id) % 1_000_003;
      }
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const after = await emulatorStats(info.url);
      const serviceMs = after.serviceTimeMs - before.serviceTimeMs;
      const calls = after.objectCalls - before.objectCalls;
      const computeMs = after.computeTimeMs - before.computeTimeMs;
      const readByOdoo = after.recordsRead - before.recordsRead;
      const cpuUsPerRecord = (cpu.user + cpu.system) / records;
      const peakRssMb = process.resourceUsage().maxRSS / 1024;
      rows.push([
        String(pageSize), String(records), String(calls), `${(wallMs / 1000).toFixed(2)} s`, `${Math.round(records / (wallMs / 1000))}`,
        `${cpuUsPerRecord.toFixed(1)} µs`, `${peakRssMb.toFixed(0)} MB`, `${(serviceMs / 1000).toFixed(2)} s`, `${(computeMs / 1000).toFixed(2)} s`,
        String(readByOdoo), `${((wallMs - (cpu.user + cpu.system) / 1000) / 1000).toFixed(2)} s`, (wallMs / serviceMs).toFixed(3),
      ]);
      void pages;
      void checksum;
    }
    printTable(['page size', 'records', 'calls', 'client wall', 'records/s', 'client CPU/record', 'client peak RSS', 'emulator service', 'emulator compute', 'records served', 'client idle', 'wall/service'], rows);
    console.log('client CPU/record: HTTP, JSON parsing and paging in this process; client idle: wall minus that CPU (waiting for the');
    console.log('emulator). emulator service: the modelled Odoo time it waited for (calibrated); emulator compute: its own CPU time.');
    console.log('records served > records: a generated catalog shares one write_date, so the first page only finds that second.');
  } finally {
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}
