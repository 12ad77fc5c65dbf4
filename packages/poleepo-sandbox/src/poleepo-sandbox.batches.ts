import type { ProductRec, SandboxCatalog } from './poleepo-sandbox.catalog.ts';
import { FieldCheck, SandboxApiError, notFound } from './poleepo-sandbox.errors.ts';
import { isPlainObject } from './poleepo-sandbox.util.ts';

export type BatchStatus = 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED';

export interface BatchItemResult {
  index: number;
  sku: string;
  product_id: number | null;
  status: 'PENDING' | 'SUCCESS' | 'ERROR';
  error_code: string | null;
  message: string | null;
}

export interface BatchRec {
  id: number;
  entries: Record<string, unknown>[];
  submittedAt: number;
  dueAt: number;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  results: BatchItemResult[] | null;
  completedAt: number | null;
}

/**
 * Product batches (docs/poleepo-api.md §4.4): accepted at once, processed when the sandbox clock reaches the due time
 * (checked on every request, so no timer is needed and a controlled clock drives it), items in order, with per-item
 * results — PARENT_NOT_FOUND, DUPLICATE_SKU, PRODUCT_NOT_FOUND, VALIDATION_ERROR.
 */
export class SandboxBatches {
  readonly batches = new Map<number, BatchRec>();
  private nextId = 5001;

  constructor(private readonly catalog: SandboxCatalog) {}

  submit(body: unknown, now: number, delayMs: number, maxItems: number): BatchRec {
    const products = isPlainObject(body) ? body.products : undefined;
    if (!Array.isArray(products) || products.length === 0) {
      throw new SandboxApiError(422, 'VALIDATION_ERROR', 'products must be a non-empty list of entries', [{ field: 'products', code: 'REQUIRED', message: 'products must be a non-empty list' }]);
    }
    if (products.length > maxItems) {
      throw new SandboxApiError(422, 'VALIDATION_ERROR', `A batch holds at most ${maxItems} entries (got ${products.length})`, [{ field: 'products', code: 'TOO_MANY', message: `at most ${maxItems} entries` }]);
    }
    const bad = products.findIndex((p) => !isPlainObject(p));
    if (bad >= 0) throw new SandboxApiError(422, 'VALIDATION_ERROR', `Entry ${bad} is not an object`, [{ field: `products[${bad}]`, code: 'INVALID', message: 'must be an object' }]);
    const rec: BatchRec = {
      id: this.nextId++, entries: products as Record<string, unknown>[], submittedAt: now, dueAt: now + delayMs,
      status: 'PENDING', results: null, completedAt: null,
    };
    this.batches.set(rec.id, rec);
    return rec;
  }

  get(id: number | string): BatchRec {
    const b = this.batches.get(Number(id));
    if (!b) throw notFound(`Batch ${id}`);
    return b;
  }

  /** Processes every batch whose time has come, oldest first. */
  processDue(now: number): void {
    for (const b of [...this.batches.values()].sort((x, y) => x.id - y.id)) {
      if (b.status === 'PENDING' && b.dueAt <= now) this.process(b, now);
    }
  }

  /** What `GET /products/batch/{id}` shows at `now`. */
  view(b: BatchRec, now: number, iso: (ms: number) => string): Record<string, unknown> {
    const processing = b.status === 'PENDING' && now >= b.submittedAt + (b.dueAt - b.submittedAt) / 2;
    const status: BatchStatus = processing ? 'PROCESSING' : b.status;
    const results = b.results ?? b.entries.map((e, index) => ({ index, sku: String(e.sku ?? ''), product_id: null, status: 'PENDING' as const, error_code: null, message: null }));
    return { id: b.id, status, items: b.entries.length, created_at: iso(b.submittedAt), completed_at: b.completedAt === null ? null : iso(b.completedAt), results };
  }

  private process(b: BatchRec, now: number): void {
    const seen = new Set<string>();
    b.results = b.entries.map((entry, index) => {
      const sku = typeof entry.sku === 'string' ? entry.sku : '';
      try {
        const p = this.applyEntry(entry, seen, now);
        return { index, sku, product_id: p.id, status: 'SUCCESS' as const, error_code: null, message: null };
      } catch (error) {
        const e = error as SandboxApiError;
        return { index, sku, product_id: null, status: 'ERROR' as const, error_code: e.code ?? 'VALIDATION_ERROR', message: e.message };
      }
    });
    b.status = b.results.some((r) => r.status === 'SUCCESS') ? 'COMPLETED' : 'FAILED';
    b.completedAt = now;
  }

  private applyEntry(entry: Record<string, unknown>, seen: Set<string>, now: number): ProductRec {
    const check = new FieldCheck(entry);
    const sku = check.requiredString('sku');
    const hasId = entry.product_id !== undefined && entry.product_id !== null && entry.product_id !== '';
    if (!hasId && entry.title !== undefined) check.requiredString('title');
    else if (!hasId) check.add('title', 'title is required for a new product', 'REQUIRED');
    const price = check.number('price', { min: 0 });
    const pwt = check.number('price_with_tax', { min: 0 });
    const vat = check.number('vat_rate', { min: 0, max: 100 });
    const quantity = check.number('quantity', { min: 0, integer: true });
    const active = check.boolean('active');
    const dims = this.catalog.dimensions(check);
    const texts: Partial<ProductRec> = {};
    for (const f of ['ean', 'upc', 'isbn', 'mpn', 'short_description', 'long_description'] as const) {
      const v = check.optionalString(f);
      if (v !== undefined) texts[f] = v;
    }
    const parentSku = check.optionalString('parent_sku');
    const categoryPath = check.optionalString('category_path');
    if (check.errors.length) {
      const first = check.errors[0];
      throw new SandboxApiError(422, 'VALIDATION_ERROR', `${first.field}: ${first.message}`);
    }
    if (seen.has(sku!)) throw new SandboxApiError(422, 'DUPLICATE_SKU', `SKU ${sku} appears more than once in this batch`);
    seen.add(sku!);
    if (parentSku && !this.catalog.productBySku(parentSku)) {
      throw new SandboxApiError(422, 'PARENT_NOT_FOUND', `Parent SKU ${parentSku} does not exist (send the parent entry first)`);
    }
    const changes: Partial<ProductRec> = {
      ...texts, ...dims,
      ...(typeof entry.title === 'string' ? { title: entry.title } : {}),
      ...(price !== undefined ? { price } : {}), ...(pwt !== undefined ? { price_with_tax: pwt } : {}),
      ...(vat !== undefined ? { vat_rate: vat } : {}), ...(quantity !== undefined ? { quantity } : {}),
      ...(active !== undefined ? { active } : {}),
      ...(parentSku !== undefined ? { parent_sku: parentSku, type: parentSku ? 'VARIANT' as const : 'SIMPLE' as const } : {}),
      ...(categoryPath ? { main_category_id: this.catalog.categoryForPath(categoryPath).id } : {}),
      ...(Array.isArray(entry.images) ? { images: this.catalog.imagesFromUrls(entry.images) } : {}),
      ...(Array.isArray(entry.attributes) ? { attributes: entry.attributes.filter(isPlainObject).map((a) => ({ name: String(a.name ?? ''), value: String(a.value ?? '') })) } : {}),
    };
    let product: ProductRec;
    if (hasId) {
      const existing = this.catalog.products.get(Number(entry.product_id));
      if (!existing) throw new SandboxApiError(422, 'PRODUCT_NOT_FOUND', `Product ${String(entry.product_id)} does not exist`);
      const holder = this.catalog.productBySku(sku!);
      if (holder && holder.id !== existing.id) throw new SandboxApiError(422, 'DUPLICATE_SKU', `SKU ${sku} belongs to product ${holder.id}`);
      product = this.catalog.apply(existing, { ...changes, sku: sku! }, now);
    } else {
      if (this.catalog.productBySku(sku!)) throw new SandboxApiError(422, 'DUPLICATE_SKU', `SKU ${sku} already exists`);
      product = this.catalog.insert({ ...changes, sku: sku!, title: changes.title ?? sku! }, now);
    }
    if (parentSku) {
      const parent = this.catalog.productBySku(parentSku)!;
      if (parent.type !== 'PARENT') this.catalog.apply(parent, { type: 'PARENT' }, now);
    }
    return product;
  }
}
