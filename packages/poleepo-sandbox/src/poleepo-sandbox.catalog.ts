import { FieldCheck, SandboxApiError, notFound } from './poleepo-sandbox.errors.ts';
import { isPlainObject, round2 } from './poleepo-sandbox.util.ts';

export type ProductType = 'SIMPLE' | 'PARENT' | 'VARIANT';

export interface ProductRec {
  id: number;
  sku: string;
  title: string;
  type: ProductType;
  parent_sku: string | null;
  price: number;
  price_with_tax: number;
  vat_rate: number;
  quantity: number;
  active: boolean;
  main_category_id: number | null;
  ean: string | null;
  upc: string | null;
  isbn: string | null;
  mpn: string | null;
  short_description: string | null;
  long_description: string | null;
  weight: number | null;
  width: number | null;
  height: number | null;
  depth: number | null;
  images: { id: number; url: string }[];
  attributes: { name: string; value: string }[];
  tags: { id: number; value: string }[];
  sales: number;
  created_at: number;
  updated_at: number;
}

export interface CategoryRec {
  id: number;
  name: string;
  path: string;
}

export interface PublicationRec {
  id: number;
  sku: string;
  source_id: string;
  source: { id: string; name: string };
  active: boolean;
}

const TEXT_FIELDS = ['ean', 'upc', 'isbn', 'mpn', 'short_description', 'long_description', 'parent_sku'] as const;
const DIMENSIONS = ['weight', 'width', 'height', 'depth'] as const;

/** Products, categories, tags and publications of the sandbox's one Poleepo account. */
export class SandboxCatalog {
  readonly products = new Map<number, ProductRec>();
  private readonly bySku = new Map<string, number>();
  readonly categories = new Map<number, CategoryRec>();
  /** Tags that exist in the account: only these survive a product update (the confirmed quirk). */
  readonly tags = new Map<number, string>();
  readonly publications = new Map<number, PublicationRec>();
  private nextProductId = 16292700;
  private nextCategoryId = 8400;
  private nextImageId = 1;
  private nextPublicationId = 900001;

  productBySku(sku: string): ProductRec | undefined {
    const id = this.bySku.get(sku);
    return id === undefined ? undefined : this.products.get(id);
  }

  product(id: number | string): ProductRec {
    const p = this.products.get(Number(id));
    if (!p) throw notFound(`Product ${id}`);
    return p;
  }

  addCategory(name: string, path = name, id?: number): CategoryRec {
    const c = { id: id ?? this.nextCategoryId++, name, path };
    this.categories.set(c.id, c);
    return c;
  }

  /** A batch entry's `category_path`: found by path or name, created when unknown. */
  categoryForPath(path: string): CategoryRec {
    const wanted = path.trim();
    for (const c of this.categories.values()) if (c.path === wanted || c.name === wanted) return c;
    const parts = wanted.split(/\s*[>/]\s*/);
    return this.addCategory(parts[parts.length - 1], wanted);
  }

  addPublication(p: Omit<PublicationRec, 'id' | 'active'> & { active?: boolean }): PublicationRec {
    const rec = { id: this.nextPublicationId++, active: true, ...p };
    this.publications.set(rec.id, rec);
    return rec;
  }

  /** Inserts a product as given (seeding and batches); the SKU must be free. */
  insert(fields: Partial<ProductRec> & { sku: string; title: string }, now: number): ProductRec {
    if (this.bySku.has(fields.sku)) throw new SandboxApiError(422, 'DUPLICATE_SKU', `SKU ${fields.sku} already exists`, [{ field: 'sku', code: 'DUPLICATE_SKU', message: `sku ${fields.sku} already exists` }]);
    const price = fields.price ?? 0;
    const vat = fields.vat_rate ?? 22;
    const p: ProductRec = {
      id: this.nextProductId++, type: 'SIMPLE', parent_sku: null, price, vat_rate: vat,
      price_with_tax: fields.price_with_tax ?? round2(price * (1 + vat / 100)), quantity: 0, active: true,
      main_category_id: null, ean: null, upc: null, isbn: null, mpn: null, short_description: null, long_description: null,
      weight: null, width: null, height: null, depth: null, images: [], attributes: [], tags: [], sales: 0,
      created_at: now, updated_at: now,
      ...fields,
    };
    this.products.set(p.id, p);
    this.bySku.set(p.sku, p.id);
    return p;
  }

  /** Applies changes to a product (API update and batch update); a SKU change must not clash. */
  apply(p: ProductRec, changes: Partial<ProductRec>, now: number): ProductRec {
    if (changes.sku !== undefined && changes.sku !== p.sku) {
      if (this.bySku.has(changes.sku)) throw new SandboxApiError(422, 'DUPLICATE_SKU', `SKU ${changes.sku} already exists`, [{ field: 'sku', code: 'DUPLICATE_SKU', message: `sku ${changes.sku} already exists` }]);
      this.bySku.delete(p.sku);
      this.bySku.set(changes.sku, p.id);
    }
    Object.assign(p, changes);
    if (changes.price !== undefined || changes.vat_rate !== undefined) {
      if (changes.price_with_tax === undefined) p.price_with_tax = round2(p.price * (1 + p.vat_rate / 100));
    }
    p.updated_at = now;
    return p;
  }

  /** `POST /products`: the confirmed minimal body is required (docs/poleepo-api.md §4.1). */
  createFromApi(body: unknown, now: number): ProductRec {
    const b = requireObject(body);
    const check = new FieldCheck(b);
    const sku = check.requiredString('sku');
    const title = check.requiredString('title');
    const price = check.number('price', { required: true, min: 0 });
    const vat = check.number('vat_rate', { required: true, min: 0, max: 100 });
    const quantity = check.number('quantity', { min: 0, integer: true });
    const active = check.boolean('active');
    const categoryId = check.number('main_category_id', { required: true, integer: true });
    if (categoryId !== undefined && !this.categories.has(categoryId)) check.add('main_category_id', `main_category_id ${categoryId} is not a category of this account`, 'NOT_FOUND');
    const dims = this.dimensions(check);
    if (sku && this.bySku.has(sku)) check.add('sku', `sku ${sku} already exists`, 'DUPLICATE_SKU');
    check.throwIfAny('The product cannot be created');
    return this.insert({ sku: sku!, title: title!, price: price!, vat_rate: vat!, quantity: quantity ?? 0, active: active ?? true, main_category_id: categoryId!, ...dims }, now);
  }

  /** `PUT /products/{id}`: partial; tags keep only those with an id the account knows (new values silently dropped). */
  updateFromApi(id: number | string, body: unknown, now: number): ProductRec {
    const p = this.product(id);
    const b = requireObject(body);
    const check = new FieldCheck(b);
    const changes: Partial<ProductRec> = {};
    if (b.sku !== undefined) changes.sku = check.requiredString('sku');
    if (b.title !== undefined) changes.title = check.requiredString('title');
    const price = check.number('price', { min: 0 });
    if (price !== undefined) changes.price = price;
    const pwt = check.number('price_with_tax', { min: 0 });
    if (pwt !== undefined) changes.price_with_tax = pwt;
    const vat = check.number('vat_rate', { min: 0, max: 100 });
    if (vat !== undefined) changes.vat_rate = vat;
    const qty = check.number('quantity', { min: 0, integer: true });
    if (qty !== undefined) changes.quantity = qty;
    const active = check.boolean('active');
    if (active !== undefined) changes.active = active;
    const cat = check.number('main_category_id', { integer: true });
    if (cat !== undefined) {
      if (!this.categories.has(cat)) check.add('main_category_id', `main_category_id ${cat} is not a category of this account`, 'NOT_FOUND');
      else changes.main_category_id = cat;
    }
    for (const f of TEXT_FIELDS) {
      const v = check.optionalString(f);
      if (v !== undefined) changes[f] = v;
    }
    Object.assign(changes, this.dimensions(check));
    if (b.tags !== undefined) {
      if (!Array.isArray(b.tags)) check.add('tags', 'tags must be a list');
      else changes.tags = b.tags.filter((t): t is { id: number } => isPlainObject(t) && typeof t.id === 'number' && this.tags.has(t.id))
        .map((t) => ({ id: t.id, value: this.tags.get(t.id)! }));
    }
    check.throwIfAny('The product cannot be updated');
    return this.apply(p, changes, now);
  }

  dimensions(check: FieldCheck): Partial<ProductRec> {
    const out: Partial<ProductRec> = {};
    for (const d of DIMENSIONS) {
      const v = check.number(d, { min: 0 });
      if (v !== undefined) out[d] = v;
    }
    return out;
  }

  imagesFromUrls(urls: unknown): { id: number; url: string }[] {
    if (!Array.isArray(urls)) return [];
    return urls.filter((u): u is string => typeof u === 'string' && u !== '').map((url) => ({ id: this.nextImageId++, url }));
  }

  list(filter: { active?: string | null; sku?: string | null }): ProductRec[] {
    let out = [...this.products.values()];
    if (filter.active === 'true' || filter.active === 'false') out = out.filter((p) => p.active === (filter.active === 'true'));
    if (filter.sku) out = out.filter((p) => p.sku === filter.sku);
    return out.sort((a, b) => a.id - b.id);
  }
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'The request body must be a JSON object');
  return body;
}
