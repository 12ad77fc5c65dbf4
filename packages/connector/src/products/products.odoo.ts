import type { OdooClient } from '../odoo/odoo.client.ts';
import { OdooAccessError, OdooNotFoundError, OdooValidationError } from '../odoo/odoo.errors.ts';
import type { OdooContext, OdooDomain, OdooRecord } from '../odoo/odoo.types.ts';
import type { ConnectionSettings } from '../connections/connections.settings.ts';
import type { OdooMajor, TaxRoundingMethod } from '@poleepo-odoo/odoo-tax-engine';
import { ValidationError } from '../shared/errors.ts';
import { PTAV_FIELDS, planFields, toCategory, toPtav, toTemplate, toVariant, type FieldPlan } from './products.fields.ts';
import type { BookTax, TaxFacts } from './products.taxes.ts';
import { knownLengthUnit, knownWeightUnit, lengthUnitFromVolume } from './products.units.ts';
import type { CategorySource, PtavSource, TemplateSource, UnitNames, VariantSource } from './products.types.ts';
import { QuantStock } from './products.stock.ts';

/** What the mapping needs of the company and the database, read in full runs and kept between ticks. */
export interface ExportFacts {
  company: { id: number; name: string };
  tax: TaxFacts;
  units: UnitNames;
  categories: CategorySource[];
  warnings: string[];
}

export interface VariantPage {
  variants: VariantSource[];
}

/** Records per read while order or shipping work shares the connection (see ProductOdoo.readSize). */
export const CONTENDED_PAGE_SIZE = 250;
/** Templates or attribute values per read in a full export (searchReadAll's largest page). */
const REFERENCE_PAGE_SIZE = 10_000;
/** Template ids named in one attribute-value domain (≈ 150 KB of request at most). */
const TEMPLATE_IDS_PER_DOMAIN = 20_000;
/** How long after the last order or shipping call reads stay short. */
export const CONTENTION_WINDOW_MS = 10_000;

/**
 * Everything the product export reads from and writes to Odoo, through the connection's OdooClient (context with
 * the connection's company on every call). Reads are paged (2,000 records by default; never under 500 in full runs
 * alone; 250 while order imports share the connection, see readSize).
 */
export class ProductOdoo {
  private stock: QuantStock | null = null;

  private constructor(readonly client: OdooClient, readonly settings: ConnectionSettings, readonly plan: FieldPlan, readonly major: OdooMajor) {}

  /**
   * Quantities from one stock.quant aggregate (equal to the computed field, see products.stock.ts), or null when the
   * plan reads the computed field with the variants (FieldPlan.stockSource says why).
   */
  quantStock(companyId: number): QuantStock | null {
    if (this.plan.stockSource.kind !== 'quants') return null;
    this.stock ??= new QuantStock(this.client, this.plan, this.major, companyId, this.settings.warehouseId, () => this.variantContext());
    return this.stock;
  }

  static async open(client: OdooClient, settings: ConnectionSettings): Promise<ProductOdoo> {
    const session = await client.connect();
    const [variantFields, templateFields] = await Promise.all([
      client.fieldsGet('product.product', { attributes: ['type', 'relation'] }),
      client.fieldsGet('product.template', { attributes: ['type', 'relation'] }),
    ]);
    const major = Math.min(19, Math.max(17, session.version.major)) as OdooMajor;
    return new ProductOdoo(client, settings, planFields(variantFields, templateFields, settings), major);
  }

  get pageSize(): number {
    return this.settings.odoo.pageSize;
  }

  /**
   * Records to ask for in the next read: the configured page size, or CONTENDED_PAGE_SIZE while order or shipping calls
   * use the connection (now or within CONTENTION_WINDOW_MS). An Odoo worker serves one call at a time: an order's call
   * arriving behind a page of 2,000 variants waits for all of it (≈ 0.7 s), behind a page of 250 for ≈ 0.1 s.
   */
  readSize(): number {
    return this.client.interactiveWithin(CONTENTION_WINDOW_MS) ? Math.min(this.pageSize, CONTENDED_PAGE_SIZE) : this.pageSize;
  }

  /**
   * Records per read of templates and attribute values in a full export: as many as a call may carry (their records
   * are small — a page of 10,000 templates is ≈ 3 MB of JSON), unless order work shares the connection (readSize).
   */
  referenceReadSize(): number {
    return this.client.interactiveWithin(CONTENTION_WINDOW_MS) ? CONTENDED_PAGE_SIZE : REFERENCE_PAGE_SIZE;
  }

  /** Odoo's clock now (a datetime default evaluated by Odoo): change cursors never depend on our own clock. */
  async odooNow(): Promise<string> {
    const defaults = await this.client.call<Record<string, unknown>>('sale.order', 'default_get', [['date_order']]);
    const value = defaults?.date_order;
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(value)) {
      throw new OdooValidationError({ odooMessage: `Odoo did not tell its time (sale.order default date_order was ${JSON.stringify(value)})`, model: 'sale.order', method: 'default_get' });
    }
    return value.slice(0, 19);
  }

  async readFacts(): Promise<ExportFacts> {
    const warnings: string[] = [];
    const caps = await this.client.capabilities();
    let companyId = this.client.context().allowed_company_ids as number[] | undefined;
    let cid = companyId?.[0] ?? null;
    if (!cid) {
      const { uid } = await this.client.connect();
      const [user] = await this.client.read('res.users', [uid], ['company_id']);
      cid = Array.isArray(user?.company_id) ? (user.company_id[0] as number) : null;
      if (!cid) throw new ValidationError('The connection names no company and the Odoo user has none');
      companyId = [cid];
    }
    const companyFields = ['name', 'currency_id', 'tax_calculation_rounding_method', ...(caps.companyPriceIncludeField ? [caps.companyPriceIncludeField] : [])];
    const [company] = await this.client.read('res.company', [cid], companyFields);
    if (!company) throw new ValidationError(`Company ${cid} does not exist in Odoo`);
    const currencyId = Array.isArray(company.currency_id) ? (company.currency_id[0] as number) : null;
    const [currency] = currencyId ? await this.client.read('res.currency', [currencyId], ['rounding']) : [];
    const rounding = typeof currency?.rounding === 'number' && currency.rounding > 0 ? currency.rounding : 0.01;
    const units = await this.readUnits(warnings);
    const categories = (await this.client.searchRead('product.category', [], { fields: ['name', 'complete_name'], context: { active_test: false } })).map(toCategory);
    const priceInclude = caps.companyPriceIncludeField ? company[caps.companyPriceIncludeField] : null;
    return {
      company: { id: cid, name: String(company.name ?? '') },
      tax: {
        version: this.major,
        companyId: cid,
        roundingMethod: (company.tax_calculation_rounding_method as TaxRoundingMethod) || 'round_per_line',
        companyPriceInclude: priceInclude === 'tax_included' ? 'tax_included' : 'tax_excluded',
        currencyRounding: rounding,
      },
      units,
      categories,
      warnings,
    };
  }

  private async readUnits(warnings: string[]): Promise<UnitNames> {
    const [tmpl] = await this.client.searchRead('product.template', [], { fields: ['weight_uom_name', 'volume_uom_name'], limit: 1, context: { active_test: false } });
    let weight = typeof tmpl?.weight_uom_name === 'string' && tmpl.weight_uom_name ? tmpl.weight_uom_name : 'kg';
    let length: string | null = null;
    try {
      const [pkg] = await this.client.searchRead('stock.package.type', [], { fields: ['length_uom_name'], limit: 1, context: { active_test: false } });
      if (typeof pkg?.length_uom_name === 'string' && pkg.length_uom_name) length = pkg.length_uom_name;
    } catch (error) {
      if (!(error instanceof OdooNotFoundError || error instanceof OdooAccessError || error instanceof OdooValidationError)) throw error;
    }
    length ??= lengthUnitFromVolume(typeof tmpl?.volume_uom_name === 'string' ? tmpl.volume_uom_name : null);
    if (!knownWeightUnit(weight)) {
      warnings.push(`Unknown weight unit "${weight}": weights are sent as they are`);
      weight = 'kg';
    }
    if (!knownLengthUnit(length)) {
      warnings.push(`Unknown length unit "${length}": dimensions are taken as millimetres`);
      length = 'mm';
    }
    // The connector's x_poleepo_width/height/depth are labelled "(cm)" and hold centimetres; a dimension mapped to
    // another field holds the database's length unit.
    const unitOf = (field: string | null) => (field === null || field.startsWith('x_poleepo_') ? 'cm' : length!);
    return { weight, length, dimensions: { width: unitOf(this.plan.dims.width), height: unitOf(this.plan.dims.height), depth: unitOf(this.plan.dims.depth) } };
  }

  async readCategories(ids: readonly number[]): Promise<CategorySource[]> {
    return (await this.client.read('product.category', ids, ['name', 'complete_name'], { context: { active_test: false } })).map(toCategory);
  }

  /** The company's taxes (archived too: a group may name archived children). */
  async readTaxes(companyId: number): Promise<BookTax[]> {
    const caps = await this.client.capabilities();
    const includeFields = caps.taxPriceIncludeField === 'price_include_override' ? ['price_include', 'price_include_override'] : ['price_include'];
    const rows = await this.client.searchRead('account.tax', [['company_id', '=', companyId]], {
      fields: ['name', 'amount', 'amount_type', ...includeFields, 'include_base_amount', 'is_base_affected', 'sequence', 'children_tax_ids', 'company_id', 'active', 'write_date'],
      context: { active_test: false },
    });
    return rows.map((r) => ({
      id: r.id,
      name: String(r.name ?? ''),
      amount: Number(r.amount) || 0,
      amount_type: r.amount_type as BookTax['amount_type'],
      price_include: r.price_include === true,
      price_include_override: caps.taxPriceIncludeField === 'price_include_override' ? ((r.price_include_override as BookTax['price_include_override']) || false) : undefined,
      include_base_amount: r.include_base_amount === true,
      is_base_affected: r.is_base_affected !== false,
      sequence: typeof r.sequence === 'number' ? r.sequence : 1,
      children_tax_ids: Array.isArray(r.children_tax_ids) ? (r.children_tax_ids as number[]) : [],
      companyId: Array.isArray(r.company_id) ? (r.company_id[0] as number) : null,
      writeDate: typeof r.write_date === 'string' ? r.write_date : null,
      active: r.active !== false,
    }));
  }

  /** Odoo's own compute_all for one unit (the cross-check of the local tax engine). */
  async computeAllTotal(taxIds: readonly number[], price: number): Promise<number> {
    const result = await this.client.call<{ total_included?: unknown }>('account.tax', 'compute_all', [taxIds, price], { quantity: 1 });
    const total = Number(result?.total_included);
    if (!Number.isFinite(total)) throw new OdooValidationError({ odooMessage: 'compute_all answered without total_included', model: 'account.tax', method: 'compute_all' });
    return total;
  }

  // ——— variants, templates, attribute values ———

  /** Variants the export follows: published, or already on Poleepo (to send them inactive when they stop being). */
  followedDomain(options: { queuedToo?: boolean } = {}): OdooDomain {
    const terms: unknown[][] = [['x_poleepo_published', '=', true]];
    if (this.plan.has.ref) terms.push(['x_poleepo_ref', '!=', false]);
    // Queued variants show needs-update: one unpublished before it was sent must still be seen (and dropped).
    if (options.queuedToo && this.plan.has.needsUpdate) terms.push(['x_poleepo_needs_update', '=', true]);
    return [...Array(terms.length - 1).fill('|'), ...terms];
  }

  async variantContext(): Promise<OdooContext> {
    return { active_test: false, bin_size: true, ...(await this.client.stockContext(this.settings.warehouseId)) };
  }

  /**
   * Every followed variant, page by page; the next page — and, through `enrich`, what it needs (its templates and
   * attribute values, read by id) — is fetched while the caller maps this one.
   */
  async *streamVariants(options: { domain?: OdooDomain; enrich?(variants: VariantSource[]): Promise<void> } = {}): AsyncGenerator<VariantPage> {
    const context = await this.variantContext();
    const pages = this.client.searchReadAll('product.product', options.domain ?? this.followedDomain(), { fields: this.plan.variant, pageSize: () => this.readSize(), context });
    // Records become compact sources as soon as they arrive (before the prefetched page waits for its turn).
    const sources = async function* (self: ProductOdoo) {
      for await (const page of pages) {
        const converted = self.variantPage(page.records);
        await options.enrich?.(converted.variants);
        yield converted;
      }
    };
    yield* prefetch(sources(this));
  }

  /** Variants matching a domain, paged on id (the change probe: its rows are not ordered by one write_date). */
  async *searchVariants(domain: OdooDomain): AsyncGenerator<VariantPage> {
    const context = await this.variantContext();
    let after = 0;
    for (;;) {
      const limit = this.readSize();
      // A change probe reads few variants: the computed quantity is cheap there (and equal to the quant aggregate).
      const rows = await this.client.searchRead('product.product', [...domain, ['id', '>', after]], { fields: this.plan.variantWithQuantity, order: 'id asc', limit, context });
      if (rows.length) yield this.variantPage(rows);
      const last = rows[rows.length - 1];
      if (rows.length < limit || !last) return;
      after = last.id;
    }
  }

  private variantPage(rows: OdooRecord[]): VariantPage {
    return { variants: rows.map((r) => toVariant(r, this.plan)) };
  }

  async countFollowed(): Promise<number> {
    return this.client.searchCount('product.product', this.followedDomain(), { context: { active_test: false } });
  }

  async readTemplates(ids: readonly number[]): Promise<TemplateSource[]> {
    const out: TemplateSource[] = [];
    for (const chunk of chunks(ids, this.readSize())) {
      const rows = await this.client.read('product.template', chunk, this.plan.template, { context: { bin_size: true, active_test: false } });
      for (const r of rows) out.push(toTemplate(r, this.plan));
    }
    return out;
  }

  /**
   * The templates of the followed variants and their attribute values, in large pages (a full export: 20,000 templates
   * and their 27,000 attribute values in 5 search_read calls, where reading them by ids with each variant page took
   * 50, each `read` costing Odoo about twice a search_read's overhead — docs/odoo-api.md §D).
   */
  async *streamFollowedTemplates(): AsyncGenerator<{ templates: TemplateSource[]; ptavs: PtavSource[] }> {
    const followed: OdooDomain = [['product_variant_ids', 'any', this.followedDomain()]];
    const templateIds: number[] = [];
    for await (const page of this.client.searchReadAll('product.template', followed, { fields: this.plan.template, pageSize: () => this.referenceReadSize(), context: { bin_size: true, active_test: false } })) {
      for (const r of page.records) templateIds.push(r.id);
      yield { templates: page.records.map((r) => toTemplate(r, this.plan)), ptavs: [] };
    }
    // Their attribute values by template id (a plain indexed lookup, where a second `any` would make Odoo join again).
    const intern = new Map<string, string>();
    for (const ids of chunks(templateIds, TEMPLATE_IDS_PER_DOMAIN)) {
      for await (const page of this.client.searchReadAll('product.template.attribute.value', [['product_tmpl_id', 'in', ids]], { fields: [...PTAV_FIELDS], pageSize: () => this.referenceReadSize(), context: { active_test: false } })) {
        yield { templates: [], ptavs: page.records.map((r) => toPtav(r, intern)) };
      }
    }
  }

  async readPtavs(ids: readonly number[]): Promise<PtavSource[]> {
    const out: PtavSource[] = [];
    for (const chunk of chunks(ids, this.readSize())) {
      const intern = new Map<string, string>();
      for (const r of await this.client.read('product.template.attribute.value', chunk, [...PTAV_FIELDS], { context: { active_test: false } })) out.push(toPtav(r, intern));
    }
    return out;
  }

  /** Variants whose effective SKU is `sku` (x_poleepo_sku, else default_code), archived ones too. */
  async findBySku(sku: string): Promise<VariantSource[]> {
    const domain: OdooDomain = this.plan.has.sku
      ? ['|', ['x_poleepo_sku', '=', sku], '&', ['default_code', '=', sku], '|', ['x_poleepo_sku', '=', false], ['x_poleepo_sku', '=', '']]
      : [['default_code', '=', sku]];
    const rows = await this.client.searchRead('product.product', domain, { fields: this.plan.variantWithQuantity, order: 'id asc', limit: 50, context: await this.variantContext() });
    return rows.map((r) => toVariant(r, this.plan));
  }

  async searchVariantIds(domain: OdooDomain): Promise<number[]> {
    return this.client.search('product.product', domain, { order: 'id asc', context: { active_test: false } });
  }

  async writeVariants(ids: readonly number[], vals: Record<string, unknown>): Promise<void> {
    for (const chunk of chunks(ids, 1000)) await this.client.write('product.product', chunk, vals);
  }
}

/** Starts fetching the next page as soon as the current one is handed out, so Odoo works while we map. */
export async function* prefetch<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  for (;;) {
    const current = await next;
    if (current.done) return;
    next = source.next();
    // An error of the prefetch is reported when the caller asks for that page, not before.
    next.catch(() => undefined);
    yield current.value;
  }
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
