import { performance } from 'node:perf_hooks';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { ConnectionSettings } from '../connections/connections.settings.ts';
import type { ProductImagesService } from '../images/images.service.ts';
import { toOdooDatetime } from '../odoo/odoo.paging.ts';
import type { OdooDomain } from '../odoo/odoo.types.ts';
import { BindingsRepo } from './products.bindings.repo.ts';
import { decideGone, decideParent, decideVariant, markProblem, stripId, type BindingValues, type Decision, type VariantObservation } from './products.decide.ts';
import { hashText } from './products.hash.ts';
import { effectiveSku, mapParent, mapVariant, parentSkuOf } from './products.mapper.ts';
import { chunks, prefetch, type ProductOdoo } from './products.odoo.ts';
import { ExportRun } from './products.run.ts';
import type { ExportState, ExportStateRepo } from './products.state.repo.ts';
import type { TaxSet } from './products.taxes.ts';
import type { BindingRow } from './products.tables.ts';
import type { Problem, VariantSource } from './products.types.ts';

export interface DetectProgress {
  phase: 'reference' | 'variants' | 'parents' | 'done';
  done: number;
  total: number | null;
}

export interface DetectOptions {
  full: boolean;
  dryRun: boolean;
  /** Lets the event loop breathe between chunks of CPU work (task heartbeats, HTTP). */
  yieldNow(): Promise<void>;
  onProgress?(progress: DetectProgress): void;
  /** Known total of followed variants (for a progress bar). */
  total?: number | null;
  signal?: AbortSignal;
}

export interface ReportedProblem {
  odooId: number;
  sku: string | null;
  code: string;
  message: string;
}

export interface DetectSummary {
  mode: 'full' | 'incremental';
  dryRun: boolean;
  variantsRead: number;
  decisions: Record<Decision, number>;
  parents: Record<Decision, number>;
  problems: ReportedProblem[];
  problemCount: number;
  warnings: string[];
  /** CPU time of mapping and hashing only (the bar of DESIGN §6), measured as process CPU, not wall time. */
  mapping: { variants: number; ms: number };
  /** Odoo's clock at the start (the next detection reads from it minus the overlap). */
  odooNow: string;
  /** Wall time of each phase (ms): reference data, templates and attribute values, variants, parents and the rest. */
  phases: Record<string, number>;
}

const CHUNK = 500;
/** Bindings read or written at once outside the variant pages (parents, gone variants, SKU checks). */
const DB_PAGE = 2000;
const MAX_REPORTED = 100;

export interface DetectorDeps {
  connectionId: number;
  odoo: ProductOdoo;
  bindings: BindingsRepo;
  stateRepo: ExportStateRepo;
  images: ProductImagesService;
  clock: Clock;
  logger: Logger;
  settings: ConnectionSettings;
}

/**
 * Change detection and mapping (DESIGN §4.2, §4.3). A full run reads every followed variant (pages of the
 * configured size, the next page fetched while this one is mapped); an incremental run asks Odoo, in one search,
 * for the followed variants touched since the last run minus the overlap — their own write_date, their template's,
 * their attribute values' (price extras), their stock quants', or their taxes' — and reads only those. Either way
 * each variant is mapped, hashed and decided against its binding, page by page: what a run keeps across pages is
 * ids, template ids and SKUs, never the rows (a change to a shared tax touches the whole catalog), and the bindings
 * it reads besides (parents, gone variants, SKU holders) are read a page at a time too. Memory stays flat without
 * forcing garbage collections in a process that also serves webhooks.
 */
export class ChangeDetector {
  private readonly summary: DetectSummary;

  constructor(private readonly deps: DetectorDeps, private readonly state: ExportState) {
    const zero = (): Record<Decision, number> => ({ queued: 0, coalesced: 0, unchanged: 0, refused: 0, problem: 0, inactive: 0, ignored: 0 });
    this.summary = { mode: 'incremental', dryRun: false, variantsRead: 0, decisions: zero(), parents: zero(), problems: [], problemCount: 0, warnings: [], mapping: { variants: 0, ms: 0 }, odooNow: '', phases: {} };
  }

  async run(options: DetectOptions): Promise<DetectSummary> {
    this.summary.dryRun = options.dryRun;
    const full = options.full || !this.state.horizon || !this.state.facts;
    this.summary.mode = full ? 'full' : 'incremental';
    if (full) await this.full(options);
    else await this.incremental(options);
    options.onProgress?.({ phase: 'done', done: this.summary.variantsRead, total: options.total ?? this.summary.variantsRead });
    return this.summary;
  }

  // ——— full ———

  private async full(options: DetectOptions): Promise<void> {
    const { odoo } = this.deps;
    options.onProgress?.({ phase: 'reference', done: 0, total: options.total ?? null });
    const phase = this.phaseTimer();
    const odooNow = await odoo.odooNow();
    const facts = await odoo.readFacts();
    const run = await this.newRun(facts, await odoo.readTaxes(facts.company.id));
    this.summary.warnings.push(...facts.warnings, ...odoo.plan.missing.map((f) => `The mapped Odoo field "${f}" does not exist: it is not sent`));
    phase('reference');
    // Every binding this pass sees gets this mark; one left with an older mark was not seen.
    const pass = Math.max(this.deps.clock.now(), (this.state.lastFullAt ?? 0) + 1, (await this.deps.bindings.maxSeenAt(this.deps.connectionId)) + 1);
    // SKU → first holder; a second holder starts the list of duplicates (rare: no array per SKU).
    const firstHolder = new Map<string, number>();
    const skuHolders = new Map<string, number[]>();
    const eligibleTemplates = new Set<number>();
    // Odoo serves one call at a time: everything the variant pages need is asked for first — the quantities (one
    // stock.quant aggregate instead of the computed field, see products.stock.ts) and the followed templates with
    // their attribute values (a few large search_reads instead of two reads by ids per page) — and the variant pages
    // queue behind them, each mapped while Odoo serves the next.
    const stock = odoo.quantStock(facts.company.id);
    const reference = Promise.all([stock?.loadAll(), this.loadFollowedTemplates(run)]);
    reference.catch(() => undefined);
    let referenceRead = false;
    const ready = async () => {
      if (referenceRead) return;
      await reference;
      referenceRead = true;
      phase('templatesAndStock');
    };
    for await (const page of odoo.streamVariants()) {
      options.signal?.throwIfAborted();
      await ready();
      if (stock) for (const v of page.variants) v.quantity = stock.quantity(v.id, run.templates.get(v.templateId)?.uomId ?? null);
      await this.processVariants(run, page.variants, pass, options, (r) => {
        if (r.eligible) eligibleTemplates.add(r.template_id);
        if (r.eligible && r.sku && r.last_error_code !== 'TAX_MISMATCH' && r.last_error_code !== 'MISSING_SKU') {
          const first = firstHolder.get(r.sku);
          if (first === undefined) firstHolder.set(r.sku, r.odoo_id);
          else (skuHolders.get(r.sku) ?? skuHolders.set(r.sku, [first]).get(r.sku)!).push(r.odoo_id);
        }
      });
      options.onProgress?.({ phase: 'variants', done: this.summary.variantsRead, total: options.total ?? null });
    }
    await ready();
    phase('variants');
    // A SKU two published variants share, or one equal to a parent's SKU, is not sent (both are reported).
    const parentSkus = new Map<string, number>();
    for (const t of run.templates.values()) {
      if (!(t.variantCount > 1 && eligibleTemplates.has(t.id))) continue;
      const sku = parentSkuOf(t.id, this.deps.settings.parentSkuPrefix);
      parentSkus.set(sku, t.id);
      const holder = firstHolder.get(sku);
      if (holder !== undefined && !skuHolders.has(sku)) skuHolders.set(sku, [holder]);
    }
    firstHolder.clear();
    await this.markDuplicates(skuHolders, parentSkus, options);
    options.onProgress?.({ phase: 'parents', done: this.summary.variantsRead, total: options.total ?? null });
    await this.decideParents(run, [...run.templates.keys()], eligibleTemplates, pass, options, true);
    // Variants the connector knows and Odoo no longer shows (deleted, or neither published nor on Poleepo), a page at a
    // time: each is marked seen by this pass, so the next page starts after it.
    if (!options.dryRun) {
      for (;;) {
        const page = await this.deps.bindings.notSeenSince(this.deps.connectionId, pass, DB_PAGE);
        if (!page.length) break;
        const gone = page.map((b) => {
          const { row, decision } = decideGone(b, this.deps.clock.now(), pass);
          this.summary.decisions[decision]++;
          return row;
        });
        await this.deps.bindings.upsert(gone);
        await options.yieldNow();
      }
    }
    this.state.facts = { ...facts, readAt: this.deps.clock.now() };
    this.state.lastFullAt = pass;
    phase('parentsAndGone');
    this.finish(odooNow);
  }

  /** Records the wall time since the previous mark under a name. */
  private phaseTimer(): (name: string) => void {
    let last = performance.now();
    return (name) => {
      const now = performance.now();
      this.summary.phases[name] = Math.round(now - last);
      last = now;
    };
  }

  // ——— incremental ———

  private async incremental(options: DetectOptions): Promise<void> {
    const { odoo, settings } = this.deps;
    const facts = this.state.facts!;
    const odooNow = await odoo.odooNow();
    const since = toOdooDatetime(Date.parse(`${this.state.horizon!.replace(' ', 'T')}Z`) - settings.changeOverlapMs);
    const run = await this.newRun(facts, await odoo.readTaxes(facts.company.id));
    const changedTaxes = run.taxes.changedSince(since);
    const conditions: unknown[][] = [
      ['write_date', '>=', since],
      ['product_tmpl_id.write_date', '>=', since],
      ['product_template_attribute_value_ids.write_date', '>=', since],
    ];
    if (odoo.plan.stock.quants) conditions.push(['stock_quant_ids.write_date', '>=', since]);
    if (odoo.plan.stock.moves && settings.quantitySource === 'virtual_available') conditions.push(['stock_move_ids.write_date', '>=', since]);
    if (changedTaxes.length) conditions.push(['product_tmpl_id.taxes_id', 'in', changedTaxes]);
    if (this.state.recheck.length) conditions.push(['id', 'in', this.state.recheck]);
    const domain: OdooDomain = [...odoo.followedDomain({ queuedToo: true }), ...anyOf(conditions)];
    const pass = this.deps.clock.now();
    // What the run keeps across pages: ids and SKUs, not rows.
    const seen = new Set<number>();
    const templateIds = new Set<number>();
    const eligibleTemplates = new Set<number>();
    const skus = new Set<string>();
    const keep = (row: BindingValues) => {
      templateIds.add(row.template_id);
      if (row.eligible) {
        eligibleTemplates.add(row.template_id);
        if (row.sku) skus.add(row.sku);
      }
    };
    const processPage = async (variants: VariantSource[]) => {
      options.signal?.throwIfAborted();
      for (const v of variants) seen.add(v.id);
      await this.loadTemplates(run, variants.map((v) => v.templateId), variants);
      await this.loadCategories(run);
      await this.processVariants(run, variants, pass, options, keep);
    };
    for await (const page of prefetch(odoo.searchVariants(domain))) await processPage(page.variants);
    this.state.recheck = [];
    if (seen.size) {
      // A family that changed shape (one variant ↔ several) re-parents its other variants too.
      const extra = await this.reshapedSiblings(run, templateIds, seen);
      for (const ids of chunks(extra, odoo.pageSize)) {
        for await (const page of odoo.searchVariants([...odoo.followedDomain(), ['id', 'in', ids]])) await processPage(page.variants);
      }
      const templates = [...templateIds];
      const withEligible = options.dryRun ? eligibleTemplates : await this.deps.bindings.templatesWithEligible(this.deps.connectionId, templates);
      await this.decideParents(run, templates, withEligible, pass, options, false);
      if (!options.dryRun) await this.checkDuplicatesIncrementally(skus, run, options);
    }
    this.finish(odooNow);
  }

  /** A full run's templates and attribute values: those of the followed variants, read in large pages up front. */
  private async loadFollowedTemplates(run: ExportRun): Promise<void> {
    for await (const page of this.deps.odoo.streamFollowedTemplates()) {
      for (const t of page.templates) run.templates.set(t.id, t);
      for (const p of page.ptavs) run.ptavs.set(p.id, p);
    }
    await this.loadCategories(run);
  }

  private async loadTemplates(run: ExportRun, templateIds: number[], variants: VariantSource[]): Promise<void> {
    const missingTemplates = [...new Set(templateIds)].filter((id) => !run.templates.has(id));
    const missingPtavs = [...new Set(variants.flatMap((v) => v.ptavIds))].filter((id) => !run.ptavs.has(id));
    const [templates, ptavs] = await Promise.all([
      this.deps.odoo.readTemplates(missingTemplates),
      this.deps.odoo.readPtavs(missingPtavs),
    ]);
    for (const t of templates) run.templates.set(t.id, t);
    for (const p of ptavs) run.ptavs.set(p.id, p);
  }

  private async loadCategories(run: ExportRun): Promise<void> {
    const missing = [...new Set([...run.templates.values()].map((t) => t.categoryId).filter((id): id is number => id !== null && !run.categories.has(id)))];
    if (!missing.length) return;
    const found = await this.deps.odoo.readCategories(missing);
    for (const c of found) run.categories.set(c.id, c);
    if (this.state.facts) this.state.facts = { ...this.state.facts, categories: [...run.categories.values()] };
  }

  private async reshapedSiblings(run: ExportRun, templateIds: Set<number>, seen: Set<number>): Promise<number[]> {
    const out: number[] = [];
    for (const b of await this.deps.bindings.variantShapes(this.deps.connectionId, [...templateIds])) {
      const t = run.templates.get(b.template_id);
      if (t && b.eligible === 1 && !seen.has(b.odoo_id) && b.has_parent !== (t.variantCount > 1 ? 1 : 0)) out.push(b.odoo_id);
    }
    return out;
  }

  // ——— shared ———

  private async newRun(facts: NonNullable<ExportState['facts']> | Awaited<ReturnType<ProductOdoo['readFacts']>>, taxes: Awaited<ReturnType<ProductOdoo['readTaxes']>>): Promise<ExportRun> {
    const signer = await this.deps.images.signer(this.deps.connectionId);
    return new ExportRun(facts, taxes, { parentSkuPrefix: this.deps.settings.parentSkuPrefix, categoryMode: this.deps.settings.categoryMode }, signer);
  }

  /**
   * Maps, hashes, cross-checks taxes and decides one page of variants, and stores the bindings (unless dry), in chunks
   * so that a chunk's objects die young (a full export streams 100,000 variants through here).
   */
  private async processVariants(run: ExportRun, variants: VariantSource[], pass: number, options: DetectOptions, keep: (row: BindingValues) => void = () => undefined): Promise<void> {
    const { odoo, connectionId } = this.deps;
    // Whatever a published variant needs and the run has not read yet (normally nothing in a full run).
    const published = variants.filter((v) => v.published && v.active);
    const missingTemplates = [...new Set(published.map((v) => v.templateId))].filter((id) => !run.templates.has(id));
    const missingPtavs = [...new Set(published.flatMap((v) => v.ptavIds))].filter((id) => !run.ptavs.has(id));
    if (missingTemplates.length || missingPtavs.length) {
      await this.loadTemplates(run, missingTemplates, published.filter((v) => v.ptavIds.some((p) => !run.ptavs.has(p))));
      await this.loadCategories(run);
    }
    await run.resolveImages(this.deps.images, connectionId, odoo.client, published.filter((v) => run.templates.has(v.templateId)));
    this.summary.variantsRead += variants.length;
    for (let i = 0; i < variants.length; i += CHUNK) {
      const rows = await this.processChunk(run, variants.slice(i, i + CHUNK), pass);
      if (!options.dryRun) await this.deps.bindings.upsert(rows);
      for (const row of rows) keep(row);
      await options.yieldNow();
    }
  }

  private async processChunk(run: ExportRun, variants: VariantSource[], pass: number): Promise<BindingValues[]> {
    const { odoo, connectionId } = this.deps;
    const observations: VariantObservation[] = [];
    const sets = new Map<string, { set: TaxSet; price: number }>();
    const started = process.cpuUsage();
    let mapped = 0;
    for (const v of variants) {
      const t = v.published && v.active ? run.templates.get(v.templateId) : undefined;
      if (!t) {
        observations.push({ variant: v, eligible: false, entry: null, hash: null, json: null, hasParent: false, warnings: [], problem: null });
        continue;
      }
      const m = mapVariant(v, t, run.mapping);
      // In detection entries carry no product_id: their JSON is the hashed content, kept as the pending payload.
      const json = m.problem ? null : JSON.stringify(m.entry);
      observations.push({ variant: v, eligible: true, entry: m.entry, hash: json === null ? null : hashText(json), json, hasParent: m.hasParent, warnings: m.warnings, problem: m.problem });
      if (m.taxSet.ids.length && !sets.has(m.taxSet.key)) sets.set(m.taxSet.key, { set: m.taxSet, price: v.lstPrice });
      mapped++;
    }
    const cpu = process.cpuUsage(started);
    this.summary.mapping.ms += (cpu.user + cpu.system) / 1000;
    this.summary.mapping.variants += mapped;
    // Odoo's own compute_all, once per distinct tax set (and again only when a tax or the company's rounding changes).
    const mismatched = new Map<string, Problem>();
    for (const { set, price } of sets.values()) {
      const verdict = await this.taxVerdict(run, set, price);
      if (!verdict.ok) mismatched.set(set.key, { code: 'TAX_MISMATCH', message: verdict.message ?? 'The price with tax does not match Odoo' });
    }
    if (mismatched.size) {
      for (const obs of observations) {
        if (!obs.eligible || obs.problem) continue;
        const t = run.templates.get(obs.variant.templateId)!;
        const problem = mismatched.get(run.taxes.setFor(t.taxIds).key);
        if (problem) obs.problem = problem;
      }
    }
    const old = await this.deps.bindings.byOdooIds(connectionId, 'variant', variants.map((v) => v.id));
    const now = this.deps.clock.now();
    return observations.map((obs) => {
      const { row, decision } = decideVariant(old.get(obs.variant.id), obs, connectionId, now, pass, odoo.plan.has);
      this.count(decision, row, obs.problem);
      return row;
    });
  }

  private async taxVerdict(run: ExportRun, set: TaxSet, price: number): Promise<{ ok: boolean; message: string | null }> {
    const signature = run.taxes.signature(set);
    const known = this.state.taxChecks[signature];
    if (known) return known;
    const local = run.taxes.priceWithTax(set, price);
    const odoo = await this.deps.odoo.computeAllTotal(set.ids, price);
    const ok = Math.abs(local - odoo) < 1e-9;
    const message = ok ? null : `Taxes ${run.taxes.describe(set)}: for a price of ${price} Odoo computes ${odoo} with tax and the connector ${local}. Products with these taxes are not sent until this is resolved (check the taxes and the company's rounding in Odoo).`;
    const verdict = { ok, message, at: this.deps.clock.now() };
    this.state.taxChecks[signature] = verdict;
    if (!ok) this.summary.warnings.push(message!);
    return verdict;
  }

  /**
   * Parents of these templates (a page of templates at a time); with `everyKnownParent` (full runs), then every other
   * parent binding the connection has — templates that no longer have a published variant, sent inactive once — walked
   * a page at a time.
   */
  private async decideParents(run: ExportRun, templateIds: number[], eligibleTemplates: Set<number>, pass: number, options: DetectOptions, everyKnownParent: boolean): Promise<void> {
    const { bindings, connectionId } = this.deps;
    const decide = async (ids: Iterable<number>, old: Map<number, BindingRow>) => {
      const now = this.deps.clock.now();
      const rows: BindingValues[] = [];
      for (const id of ids) {
        const t = run.templates.get(id);
        const needed = Boolean(t && t.variantCount > 1 && eligibleTemplates.has(id));
        const previous = old.get(id);
        if (!needed && !previous) continue;
        const entry = needed ? mapParent(t!, run.mapping) : null;
        const { row, decision } = decideParent(previous, id, needed, entry, connectionId, now, pass);
        this.summary.parents[decision]++;
        rows.push(row);
      }
      if (!options.dryRun) await bindings.upsert(rows);
      await options.yieldNow();
    };
    const decided = new Set(templateIds);
    for (const ids of chunks(templateIds, DB_PAGE)) await decide(ids, await bindings.byOdooIds(connectionId, 'parent', ids));
    if (!everyKnownParent || options.dryRun) return;
    for (let after = 0; ;) {
      const page = await bindings.parentsAfter(connectionId, after, DB_PAGE);
      const last = page[page.length - 1];
      if (!last) return;
      after = last.odoo_id;
      const others = page.filter((b) => !decided.has(b.odoo_id));
      await decide(others.map((b) => b.odoo_id), new Map(others.map((b) => [b.odoo_id, b])));
    }
  }

  private async markDuplicates(holders: Map<string, number[]>, parentSkus: Map<string, number>, options: DetectOptions): Promise<void> {
    const problems = new Map<number, Problem>();
    for (const [sku, ids] of holders) {
      if (ids.length > 1) {
        for (const id of ids) problems.set(id, { code: 'SKU_SHARED', message: `SKU "${sku}" is also used by ${ids.filter((o) => o !== id).map((o) => `variant ${o}`).join(', ')}: give each published variant its own SKU` });
      }
      const parent = parentSkus.get(sku);
      if (parent !== undefined) for (const id of ids) problems.set(id, { code: 'SKU_SHARED', message: `SKU "${sku}" equals the parent SKU of template ${parent}: change it or set a parent SKU prefix` });
    }
    if (!problems.size) return;
    this.summary.problemCount += problems.size;
    if (options.dryRun) {
      for (const [id, p] of problems) this.report(id, null, p);
      return;
    }
    const rows = await this.deps.bindings.byOdooIds(this.deps.connectionId, 'variant', [...problems.keys()]);
    const now = this.deps.clock.now();
    const changed: BindingValues[] = [];
    for (const [id, problem] of problems) {
      const b = rows.get(id);
      if (!b) continue;
      const row = stripId(b);
      if (b.queued_at !== null) this.summary.decisions.queued--;
      markProblem(row, problem, now);
      this.summary.decisions.problem++;
      this.report(id, row.sku, problem);
      changed.push(row);
    }
    await this.deps.bindings.upsert(changed);
  }

  /**
   * Incremental: SKUs of this run's variants checked against every published variant the connector knows, a page of
   * SKUs at a time (every holder of a SKU comes in the same page); only shared SKUs and SKUs equal to a parent's are kept.
   */
  private async checkDuplicatesIncrementally(skus: Set<string>, run: ExportRun, options: DetectOptions): Promise<void> {
    const { bindings, connectionId } = this.deps;
    const parentSkus = new Map<string, number>();
    for (const t of run.templates.values()) if (t.variantCount > 1) parentSkus.set(parentSkuOf(t.id, this.deps.settings.parentSkuPrefix), t.id);
    const holders = new Map<string, number[]>();
    for (const page of chunks([...skus], DB_PAGE)) {
      const inPage = new Map<string, number[]>();
      for (const b of await bindings.eligibleSkuHolders(connectionId, page)) {
        if (b.last_error_code === 'TAX_MISMATCH' || b.last_error_code === 'MISSING_SKU') continue;
        (inPage.get(b.sku!) ?? inPage.set(b.sku!, []).get(b.sku!)!).push(b.odoo_id);
      }
      for (const [sku, ids] of inPage) if (ids.length > 1 || parentSkus.has(sku)) holders.set(sku, ids);
      await options.yieldNow();
    }
    await this.markDuplicates(holders, parentSkus, { ...options, dryRun: false });
    // Variants refused as duplicates of a SKU that is unique now are read again next time.
    const stale = await bindings.skusWithErrorCode(connectionId, 'SKU_SHARED');
    if (stale.length) {
      const current = await bindings.eligibleSkuHolders(connectionId, stale.map((b) => b.sku!).filter(Boolean));
      const counts = new Map<string, number>();
      for (const b of current) counts.set(b.sku!, (counts.get(b.sku!) ?? 0) + 1);
      for (const b of stale) if ((counts.get(b.sku ?? '') ?? 0) <= 1) this.state.recheck.push(b.odoo_id);
    }
  }

  private count(decision: Decision, row: BindingValues, problem: Problem | null): void {
    this.summary.decisions[decision]++;
    if (decision === 'problem' && problem) {
      this.summary.problemCount++;
      this.report(row.odoo_id, row.sku, problem);
    }
  }

  private report(odooId: number, sku: string | null, problem: Problem): void {
    if (this.summary.problems.length < MAX_REPORTED) this.summary.problems.push({ odooId, sku, code: problem.code, message: problem.message });
  }

  private finish(odooNow: string): void {
    this.summary.odooNow = odooNow;
    this.state.horizon = odooNow;
    this.state.cursors = { ...this.state.cursors, horizon: odooNow };
    this.state.lastRunAt = this.deps.clock.now();
  }
}

/** `A or B or C` in Odoo's prefix notation. */
export function anyOf(conditions: unknown[][]): unknown[] {
  if (conditions.length === 0) return [];
  return [...Array(conditions.length - 1).fill('|'), ...conditions];
}

export { effectiveSku };
