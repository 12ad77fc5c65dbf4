/**
 * The Odoo emulator, programmatic API (tests, the demo, benchmarks, `poleepo-odoo sandbox odoo`):
 *
 *   const odoo = await startOdooEmulator({ version: 18, port: 0 });
 *   odoo.url, odoo.db ('sandbox'), odoo.login ('admin'), odoo.apiKey, odoo.version
 *   odoo.knobs.faults.add({ kind: 'error', preset: 'concurrency', model: 'sale.order', method: 'create' })
 *   odoo.knobs.setServiceTime('calibrated'); odoo.knobs.wkhtmltopdf = false; odoo.stats(); odoo.inspect(); await odoo.stop();
 *
 * It answers like the recorded Odoo 17, 18 or 19 (`recordings/odoo17|18|19/`), seeded with the demo catalog
 * extracted from those recordings (or an empty one), plus generated catalogs of any size.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '@poleepo-odoo/clock';
import { Registry } from './orm/registry.ts';
import { addWebsiteSaleFields, ProductImage } from './models/product.image.model.ts';
import { MODEL_CLASSES } from './models/model.catalog.ts';
import { applySeed, demoSeed, finishTechnicalRows, type SeedCatalog } from './seed/seed.loader.ts';
import { generateCatalog, type CatalogResult, type CatalogSpec } from './seed/catalog.generator.ts';
import { CallRunner } from './runtime/call-runner.ts';
import type { ServiceTimeOptions } from './runtime/service-time.ts';
import type { Faults } from './runtime/faults.ts';
import { EmulatorContext } from './http/context.ts';
import { createEmulatorServer } from './http/server.ts';
import { inspectOf, statsOf } from './http/control.handler.ts';
import type { OdooVersion } from './versions/version.profile.ts';
import { Env } from './orm/env.ts';
import { execute } from './rpc/dispatch.ts';
import { PyFloat } from './http/pyjson.ts';
import { readSnapshot, restoreSnapshot, StateFileWriter } from './runtime/state-file.ts';

export interface OdooEmulatorOptions {
  version?: OdooVersion;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  db?: string;
  /** The admin's API key (default: 40 random hex characters, like Odoo's). */
  apiKey?: string;
  /** The admin's password (default "admin"). */
  adminPassword?: string;
  /** 'demo' (default): the catalog extracted from the recordings; 'empty': the demo's companies, users, countries, taxes, warehouses and categories without products or customers (seed/README.md); or a catalog. */
  seed?: 'demo' | 'empty' | SeedCatalog;
  /** A generated catalog added on top of the seed (benchmarks). */
  catalog?: CatalogSpec;
  /** Modules installed besides the recorded ones: `websiteSale` adds product.image (a product's extra images). */
  modules?: { websiteSale?: boolean };
  /** Service time per call and per record read; 'calibrated' follows odoo-api-research §D. Default: none. */
  serviceTime?: ServiceTimeOptions | 'calibrated' | 'none';
  /** Clock for service times, latency, delayed commits and timestamps (tests inject a ManualClock). */
  clock?: Clock;
  /**
   * A JSON file holding the emulated database across restarts (runtime/state-file.ts): loaded at start when it exists
   * (instead of `seed` and `catalog`; its API key and password win), written when the data changed every
   * `saveEveryMs` (default 5000; 0: only at stop) and at stop.
   */
  stateFile?: string;
  saveEveryMs?: number;
}

export interface OdooEmulator {
  url: string;
  port: number;
  db: string;
  login: string;
  apiKey: string;
  password: string;
  version: OdooVersion;
  /** The emulated database (models and tables), for tests that arrange or check data directly. */
  state: Registry;
  knobs: {
    faults: Faults;
    setServiceTime(option: ServiceTimeOptions | 'calibrated' | 'none'): void;
    setLatency(ms: number): void;
    /** Whether the server has wkhtmltopdf (default true): false makes PDF reports fail as Odoo does without it. */
    wkhtmltopdf: boolean;
  };
  stats(): ReturnType<typeof statsOf>;
  inspect(): ReturnType<typeof inspectOf>;
  /** Runs a model method as the admin, without HTTP (arranging data in tests); floats come back as numbers. */
  call(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>): unknown;
  generateCatalog(spec: CatalogSpec): CatalogResult;
  /** True when the database came from the state file (a restart), false when it was seeded. */
  restored: boolean;
  /** Writes the state file now if the data changed (no-op without `stateFile`). */
  saveState(): void;
  stop(): Promise<void>;
}

export async function startOdooEmulator(options: OdooEmulatorOptions = {}): Promise<OdooEmulator> {
  const version = options.version ?? 18;
  const clock = options.clock ?? systemClock;
  const saved = options.stateFile ? readSnapshot(options.stateFile, version) : null;
  const db = saved?.db ?? options.db ?? 'sandbox';
  const apiKey = saved?.apiKey ?? options.apiKey ?? randomBytes(20).toString('hex');
  const password = saved?.password ?? options.adminPassword ?? 'admin';
  const websiteSale = options.modules?.websiteSale === true;
  const registry = new Registry(version, db, clock, websiteSale ? [...MODEL_CLASSES, ProductImage] : MODEL_CLASSES);
  if (websiteSale) addWebsiteSaleFields(registry);
  if (saved) restoreSnapshot(registry, saved);
  else {
    const seed = options.seed ?? 'demo';
    const catalog = seed === 'demo' ? demoSeed(version) : seed === 'empty' ? emptySeed(demoSeed(version)) : seed;
    applySeed(registry, catalog, { apiKey, adminPassword: password });
    if (options.catalog) {
      generateCatalog(registry, options.catalog);
      finishTechnicalRows(registry);
    }
  }
  const stateWriter = options.stateFile ? new StateFileWriter(options.stateFile, registry, { apiKey, password }, options.saveEveryMs ?? 5000) : null;
  // A new state file is written at once, so a crash right after the start still finds this database.
  if (stateWriter && !saved) stateWriter.flush(true);
  const runner = new CallRunner(registry, clock, options.serviceTime);
  const ctx = new EmulatorContext(registry, runner);
  const server = createEmulatorServer(ctx);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    db,
    login: 'admin',
    apiKey,
    password,
    version,
    state: registry,
    knobs: {
      faults: runner.faults,
      setServiceTime: (o) => runner.setServiceTime(o),
      setLatency: (ms) => (runner.extraLatencyMs = ms),
      get wkhtmltopdf() {
        return registry.server.wkhtmltopdf;
      },
      set wkhtmltopdf(value: boolean) {
        registry.server.wkhtmltopdf = Boolean(value);
      },
    },
    stats: () => statsOf(ctx),
    inspect: () => inspectOf(ctx),
    call: (model, method, args = [], kwargs = {}) => plain(execute(registry, { transport: 'jsonrpc', uid: 2, model, method, args, kwargs, nowMs: clock.now() })),
    generateCatalog: (spec) => generateCatalog(registry, spec),
    restored: saved !== null,
    saveState: () => stateWriter?.flush(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => stateWriter?.stop()),
  };
}

/** Companies, users, countries, currencies, taxes and technical records; no products, partners or stock. */
function emptySeed(demo: SeedCatalog): SeedCatalog {
  const keep = new Set(['res.company', 'res.users', 'res.country', 'res.country.state', 'res.currency', 'res.lang', 'res.groups', 'uom.uom', 'account.tax', 'account.tax.group', 'stock.warehouse', 'stock.location', 'stock.picking.type', 'stock.package.type', 'ir.model', 'ir.module.module', 'ir.model.data', 'res.users.apikeys', 'mail.message.subtype', 'product.category']);
  const records: SeedCatalog['records'] = {};
  for (const [model, rows] of Object.entries(demo.records)) if (keep.has(model)) records[model] = rows;
  const partners = new Set<number>();
  for (const c of demo.records['res.company'] ?? []) partners.add(c.partner_id as number);
  for (const u of demo.records['res.users'] ?? []) partners.add(u.partner_id as number);
  records['res.partner'] = (demo.records['res.partner'] ?? []).filter((p) => partners.has(p.id as number));
  return { ...demo, records };
}

/** Python floats of the read format (PyFloat) as plain numbers. */
export function plain<T = unknown>(value: unknown): T {
  if (value instanceof PyFloat) return value.value as T;
  if (Array.isArray(value)) return value.map((v) => plain(v)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)])) as T;
  return value as T;
}

export { Env };
