import type { AppContext } from '../app/context.ts';
import { ConnectionsService } from '../connections/connections.service.ts';
import { ConnectionsRepo } from '../connections/connections.repo.ts';
import { buildOdooClient } from '../connections/connections.odoo.ts';
import { parseConnectionSettings, type ConnectionSettings } from '../connections/connections.settings.ts';
import type { ProductImagesService } from '../images/images.service.ts';
import type { OdooClient } from '../odoo/odoo.client.ts';
import { withOdooPriority } from '../odoo/odoo.limiter.ts';
import { poleepoClientFor } from '../poleepo/poleepo.factory.ts';
import type { PoleepoClient } from '../poleepo/poleepo.client.ts';
import { NotConfiguredError, ValidationError } from '../shared/errors.ts';
import { BindingsRepo } from './products.bindings.repo.ts';
import { BatchesRepo } from './products.batches.repo.ts';
import { Batcher, operationOf, requeue, withProductId, type GenerateResult } from './products.batcher.ts';
import { stripId, syncMirror } from './products.decide.ts';
import { ChangeDetector, type DetectProgress, type DetectSummary } from './products.detector.ts';
import { payloadHash } from './products.hash.ts';
import { effectiveSku, mapParent, mapVariant } from './products.mapper.ts';
import { mirrorToOdoo } from './products.mirror.ts';
import { ProductOdoo } from './products.odoo.ts';
import { Poller, type PollResult } from './products.poller.ts';
import { ExportRun } from './products.run.ts';
import { ExportBusyError, ExportStateRepo } from './products.state.repo.ts';
import type { ProductEntry, VariantSource } from './products.types.ts';

export interface SyncOptions {
  full?: boolean;
  dryRun?: boolean;
  /** false: detect and queue only (no Poleepo calls). */
  send?: boolean;
  /** false: leave the x_poleepo_* fields in Odoo for the next run (benchmarks of the detection alone). */
  mirror?: boolean;
  onProgress?(progress: DetectProgress | { phase: 'sending'; done: number; total: number | null }): void;
  /** Count the followed variants first (one more Odoo call) so progress has a total. */
  withTotal?: boolean;
  signal?: AbortSignal;
  yieldNow?(): Promise<void>;
}

export interface SyncResult {
  connection: { id: number; name: string };
  detect: DetectSummary;
  mirror: { written: number; calls: number };
  batches: GenerateResult | null;
}

export interface PreviewVariant {
  odooId: number;
  sku: string | null;
  published: boolean;
  active: boolean;
  operation: 'create' | 'update' | 'deactivate' | 'none';
  entry: ProductEntry | null;
  hash: string | null;
  warnings: string[];
  problem: { code: string; message: string } | null;
}

export interface PreviewResult {
  sku: string;
  parent: ProductEntry | null;
  variants: PreviewVariant[];
}

export type PublishTarget = { sku: string } | { templateId: number } | { variantIds: number[] } | { all: true };

const LOCK_LEASE_MS = 10 * 60_000;
const LOCK_RETRY_MS = 15_000;

interface CachedClients {
  stamp: string;
  client: OdooClient;
  odoo: Promise<ProductOdoo>;
}

/**
 * The product export of each connection (DESIGN §4.2–§4.4): sync (detect, mirror to Odoo, batch and send), poll,
 * preview, publish. Every run that changes state holds the connection's export lease, so tasks in any process and the
 * CLI never export the same connection at once. Services never see HTTP; the CLI, console and tasks call these.
 */
export class ProductsService {
  readonly bindings: BindingsRepo;
  readonly batches: BatchesRepo;
  readonly state: ExportStateRepo;
  private readonly clients = new Map<number, CachedClients>();

  constructor(private readonly ctx: AppContext, readonly images: ProductImagesService) {
    this.bindings = new BindingsRepo(ctx.db);
    this.batches = new BatchesRepo(ctx.db);
    this.state = new ExportStateRepo(ctx.db, ctx.clock);
  }

  // ——— clients ———

  private async row(connectionId: number) {
    const row = await new ConnectionsRepo(this.ctx.db).get(connectionId);
    if (!row) throw new ValidationError(`No connection with id ${connectionId}`);
    return row;
  }

  async settings(connectionId: number): Promise<ConnectionSettings> {
    return parseConnectionSettings(JSON.parse((await this.row(connectionId)).settings || '{}'));
  }

  /** The connection's Odoo client, kept while the connection is unchanged (fields_get and the probe are cached in it). */
  async odooClient(connectionId: number): Promise<OdooClient> {
    return (await this.cached(connectionId)).client;
  }

  async productOdoo(connectionId: number): Promise<ProductOdoo> {
    const entry = await this.cached(connectionId);
    try {
      return await entry.odoo;
    } catch (error) {
      // Fields may be provisioned meanwhile: ask Odoo again next time.
      if (this.clients.get(connectionId) === entry) this.clients.delete(connectionId);
      throw error;
    }
  }

  private async cached(connectionId: number): Promise<CachedClients> {
    const row = await this.row(connectionId);
    const stamp = `${row.updated_at}`;
    const existing = this.clients.get(connectionId);
    if (existing && existing.stamp === stamp) return existing;
    const settings = parseConnectionSettings(JSON.parse(row.settings || '{}'));
    const client = buildOdooClient(this.ctx, {
      id: connectionId, url: row.odoo_url, db: row.odoo_db, login: row.odoo_login,
      companyId: row.odoo_company_id === null ? null : Number(row.odoo_company_id), settings,
    }, this.ctx.secrets.decrypt(row.odoo_api_key));
    const odoo = ProductOdoo.open(client, settings);
    odoo.catch(() => undefined);
    const entry = { stamp, client, odoo };
    this.clients.set(connectionId, entry);
    return entry;
  }

  async poleepo(connectionId: number): Promise<PoleepoClient> {
    const connections = new ConnectionsService(this.ctx, []);
    const view = await connections.get(connectionId);
    const secrets = await connections.secrets(connectionId);
    if (!view.poleepo.clientId || !secrets.poleepoClientSecret) {
      throw new NotConfiguredError(`Connection "${view.name}" has no Poleepo credentials yet: set them with "connection add" (or update) before sending products`);
    }
    return poleepoClientFor(this.ctx, view, secrets.poleepoClientSecret);
  }

  // ——— runs ———

  /** Runs `fn` holding the connection's export lease; ExportBusyError when another run holds it. */
  async withLock<T>(connectionId: number, fn: (keepAlive: () => Promise<void>) => Promise<T>): Promise<T> {
    const owner = `${this.ctx.processId}:${Math.random().toString(36).slice(2, 10)}`;
    if (!(await this.state.tryLock(connectionId, owner, LOCK_LEASE_MS))) throw new ExportBusyError(connectionId, LOCK_RETRY_MS);
    let renewedAt = this.ctx.clock.now();
    const keepAlive = async () => {
      if (this.ctx.clock.now() - renewedAt < LOCK_LEASE_MS / 4) return;
      renewedAt = this.ctx.clock.now();
      if (!(await this.state.tryLock(connectionId, owner, LOCK_LEASE_MS))) throw new ExportBusyError(connectionId, LOCK_RETRY_MS);
    };
    try {
      return await fn(keepAlive);
    } finally {
      await this.state.unlock(connectionId, owner);
    }
  }

  /**
   * Detect changes (full or incremental), mirror to Odoo, then batch and send what is queued. Its Odoo calls are bulk:
   * they never queue ahead of an order import's or a shipment's on the connection's limiter (odoo.limiter.ts).
   */
  sync(connectionId: number, options: SyncOptions = {}): Promise<SyncResult> {
    return withOdooPriority('bulk', () => this.syncNow(connectionId, options));
  }

  private async syncNow(connectionId: number, options: SyncOptions): Promise<SyncResult> {
    const row = await this.row(connectionId);
    if (!row.active && !options.dryRun) throw new NotConfiguredError(`Connection "${row.name}" is not active`);
    const settings = parseConnectionSettings(JSON.parse(row.settings || '{}'));
    const odoo = await this.productOdoo(connectionId);
    const send = options.send !== false && !options.dryRun;
    const poleepo = send ? await this.poleepo(connectionId) : null;
    const run = async (keepAlive: () => Promise<void>): Promise<SyncResult> => {
      const yieldNow = async () => {
        await (options.yieldNow ? options.yieldNow() : new Promise<void>((resolve) => setImmediate(resolve)));
        await keepAlive();
      };
      const state = await this.state.load(connectionId);
      const total = options.withTotal ? await odoo.countFollowed() : null;
      const detector = new ChangeDetector({
        connectionId, odoo, bindings: this.bindings, stateRepo: this.state, images: this.images, clock: this.ctx.clock, logger: this.ctx.logger, settings,
      }, state);
      const detect = await detector.run({ full: Boolean(options.full), dryRun: Boolean(options.dryRun), yieldNow, onProgress: options.onProgress, total, signal: options.signal });
      if (options.dryRun) return { connection: { id: connectionId, name: row.name }, detect, mirror: { written: 0, calls: 0 }, batches: null };
      state.lastSummary = { mode: detect.mode, decisions: detect.decisions, parents: detect.parents, problems: detect.problemCount, at: this.ctx.clock.now() };
      await this.state.save(connectionId, state);
      const mirrorDeps = { connectionId, odoo, bindings: this.bindings, clock: this.ctx.clock };
      const mirror = options.mirror === false ? { written: 0, calls: 0 } : await mirrorToOdoo(mirrorDeps);
      let batches: GenerateResult | null = null;
      if (poleepo) {
        options.onProgress?.({ phase: 'sending', done: 0, total: null });
        batches = await this.batcher(connectionId, settings, poleepo, keepAlive).generate(options.signal);
        // Variants now in flight show needs-update in Odoo already; recovered or refused ones may have changed.
        const after = options.mirror === false ? { written: 0, calls: 0 } : await mirrorToOdoo(mirrorDeps);
        mirror.written += after.written;
        mirror.calls += after.calls;
      }
      return { connection: { id: connectionId, name: row.name }, detect, mirror, batches };
    };
    return options.dryRun ? run(async () => undefined) : this.withLock(connectionId, run);
  }

  /** Poll Product Batches for one connection (rate-limited: RateLimitedError reschedules the caller's task); bulk in Odoo. */
  poll(connectionId: number, options: { signal?: AbortSignal } = {}): Promise<PollResult & { mirror: { written: number; calls: number } }> {
    return withOdooPriority('bulk', () => this.pollNow(connectionId, options));
  }

  private async pollNow(connectionId: number, options: { signal?: AbortSignal }): Promise<PollResult & { mirror: { written: number; calls: number } }> {
    const poleepo = await this.poleepo(connectionId);
    const odoo = await this.productOdoo(connectionId);
    return this.withLock(connectionId, async () => {
      const poller = new Poller({ db: this.ctx.db, connectionId, bindings: this.bindings, batches: this.batches, clock: this.ctx.clock }, poleepo);
      let result: PollResult;
      try {
        result = await poller.poll(options.signal);
      } finally {
        // Whatever was applied before a rate limit is shown in Odoo too.
        await mirrorToOdoo({ connectionId, odoo, bindings: this.bindings, clock: this.ctx.clock }).catch((error: unknown) => {
          this.ctx.logger.warn({ connectionId, err: error }, 'mirroring batch results to Odoo failed; retried on the next run');
        });
      }
      const mirror = await mirrorToOdoo({ connectionId, odoo, bindings: this.bindings, clock: this.ctx.clock });
      return { ...result, mirror };
    });
  }

  private batcher(connectionId: number, settings: ConnectionSettings, poleepo: PoleepoClient, keepAlive: () => Promise<void>): Batcher {
    return new Batcher({
      db: this.ctx.db, connectionId, bindings: this.bindings, batches: this.batches, clock: this.ctx.clock, logger: this.ctx.logger,
      batchSize: settings.batchSize, between: keepAlive,
    }, poleepo);
  }

  /**
   * Sends again the last payload Poleepo refused for this product (after the cause was fixed on Poleepo's side), with
   * the next batch. Unchanged products are otherwise never resent after a refusal.
   */
  async resend(connectionId: number, bindingId: number): Promise<void> {
    await this.withLock(connectionId, async () => {
      const binding = await this.bindings.get(bindingId);
      if (!binding || binding.connection_id !== connectionId) throw new ValidationError(`No product binding #${bindingId}`);
      if (binding.inflight_item_id !== null) throw new ValidationError('This product is in a batch Poleepo has not answered yet');
      const [last] = await this.batches.itemsOfBinding(binding.id, 1);
      if (!last || !binding.failed_hash) throw new ValidationError('Poleepo has not refused this product: nothing to send again');
      const row = stripId(binding);
      row.failed_hash = null;
      row.pending_hash = null;
      requeue(row, last, this.ctx.clock.now());
      row.forced = 1;
      row.updated_at = this.ctx.clock.now();
      syncMirror(row);
      await this.bindings.update(binding.id, row);
    });
  }

  // ——— preview and publish ———

  /** The exact payload(s) the connector would send for this SKU now, read fresh from Odoo. */
  async preview(connectionId: number, sku: string): Promise<PreviewResult> {
    const wanted = sku.trim();
    if (!wanted) throw new ValidationError('Give the SKU of a variant');
    const odoo = await this.productOdoo(connectionId);
    const settings = odoo.settings;
    const variants = (await odoo.findBySku(wanted)).filter((v) => effectiveSku(v) === wanted);
    if (!variants.length) throw new ValidationError(`No variant has the SKU "${wanted}" (x_poleepo_sku, else Internal Reference) in Odoo`);
    const facts = await odoo.readFacts();
    const run = new ExportRun(facts, await odoo.readTaxes(facts.company.id), { parentSkuPrefix: settings.parentSkuPrefix, categoryMode: settings.categoryMode }, await this.images.signer(connectionId));
    for (const t of await odoo.readTemplates([...new Set(variants.map((v) => v.templateId))])) run.templates.set(t.id, t);
    for (const p of await odoo.readPtavs([...new Set(variants.flatMap((v) => v.ptavIds))])) run.ptavs.set(p.id, p);
    await run.resolveImages(this.images, connectionId, odoo.client, variants);
    const state = await this.state.load(connectionId);
    const bindings = await this.bindings.byOdooIds(connectionId, 'variant', variants.map((v) => v.id));
    const holders = await this.bindings.eligibleBySku(connectionId, [wanted]);
    const out: PreviewVariant[] = [];
    let parent: ProductEntry | null = null;
    for (const v of variants) {
      const t = run.templates.get(v.templateId);
      const binding = bindings.get(v.id);
      const productId = binding?.poleepo_id ?? v.ref;
      if (!t || !v.published || !v.active) {
        out.push({ odooId: v.id, sku: effectiveSku(v), published: v.published, active: v.active, operation: productId ? 'deactivate' : 'none', entry: null, hash: null, warnings: [], problem: null });
        continue;
      }
      const m = mapVariant(v, t, run.mapping, productId);
      let problem = m.problem;
      const verdict = Object.values(state.taxChecks).length && m.taxSet.ids.length ? state.taxChecks[run.taxes.signature(m.taxSet)] : undefined;
      if (!problem && verdict && !verdict.ok) problem = { code: 'TAX_MISMATCH', message: verdict.message ?? 'tax mismatch' };
      const others = new Set([...holders.map((h) => h.odoo_id), ...variants.filter((o) => o.published && o.active).map((o) => o.id)]);
      others.delete(v.id);
      if (!problem && others.size > 0) problem = { code: 'SKU_SHARED', message: `Another published variant also has SKU "${wanted}"` };
      const entry = withProductId(m.entry, productId);
      out.push({ odooId: v.id, sku: effectiveSku(v), published: v.published, active: v.active, operation: operationOf(entry), entry, hash: payloadHash(m.entry), warnings: m.warnings, problem });
      if (m.hasParent && !parent) {
        const parentBinding = await this.bindings.parentOf(connectionId, t.id);
        parent = mapParent(t, run.mapping, parentBinding?.poleepo_id);
      }
    }
    return { sku: wanted, parent, variants: out };
  }

  /** Sets or clears Published on Poleepo (x_poleepo_published); the next detection picks the change up. */
  async setPublished(connectionId: number, target: PublishTarget, value: boolean): Promise<{ count: number; ids: number[] }> {
    const odoo = await this.productOdoo(connectionId);
    let ids: number[];
    if ('sku' in target) {
      const found: VariantSource[] = (await odoo.findBySku(target.sku.trim())).filter((v) => effectiveSku(v) === target.sku.trim() && v.active);
      if (!found.length) throw new ValidationError(`No active variant has the SKU "${target.sku}" in Odoo`);
      ids = found.map((v) => v.id);
    } else if ('variantIds' in target) {
      ids = [...new Set(target.variantIds)];
      if (!ids.length) throw new ValidationError('Name at least one variant');
    } else if ('templateId' in target) {
      ids = await odoo.client.search('product.product', [['product_tmpl_id', '=', target.templateId]], { order: 'id asc' });
      if (!ids.length) throw new ValidationError(`Template ${target.templateId} has no active variant in Odoo`);
    } else if (value) {
      // Every saleable storable product: services and consumables have no stock and (in the demo) no SKU; sent, they
      // would only show as errors on Poleepo.
      const { storable } = await odoo.client.capabilities();
      ids = await odoo.client.search('product.product', [['sale_ok', '=', true], [storable.field, '=', storable.value], ['x_poleepo_published', '=', false]], { order: 'id asc' });
    } else {
      ids = await odoo.client.search('product.product', [['x_poleepo_published', '=', true]], { order: 'id asc' });
    }
    await odoo.writeVariants(ids, { x_poleepo_published: value });
    return { count: ids.length, ids };
  }
}

export type { VariantSource };
