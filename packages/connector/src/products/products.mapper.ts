import type { TaxBook, TaxSet } from './products.taxes.ts';
import { toCm, toKg } from './products.units.ts';
import type { CategorySource, Problem, ProductEntry, PtavSource, TemplateSource, UnitNames, VariantSource } from './products.types.ts';

/**
 * The product mapping of DESIGN §4.3, as pure functions (no I/O): one variant entry per product.product, one parent
 * entry per template with several variants, and the "sent once as inactive" entry. Cheap by design (the export maps
 * 100,000 variants): no allocation beyond the entry, taxes memoised in the TaxBook.
 */

/** The connector's own dimension fields hold centimetres (their Odoo labels say so). */
const CONNECTOR_DIMENSION_UNITS = { width: 'cm', height: 'cm', depth: 'cm' } as const;

export interface MappingSettings {
  parentSkuPrefix: string;
  categoryMode: 'name' | 'complete_name';
}

export interface MappingContext {
  settings: MappingSettings;
  categories: ReadonlyMap<number, CategorySource>;
  ptavs: ReadonlyMap<number, PtavSource>;
  units: UnitNames;
  taxes: TaxBook;
  /** Signed URLs of the variant's images (its own, else the template's); [] when it has none. */
  imagesFor(variant: VariantSource, template: TemplateSource): string[];
}

export interface MappedVariant {
  entry: ProductEntry;
  taxSet: TaxSet;
  warnings: string[];
  /** Set when the variant cannot be sent (no SKU). Duplicates are found across variants, by the caller. */
  problem: Problem | null;
  hasParent: boolean;
}

/** `x_poleepo_sku`, else `default_code`; null when neither is filled. */
export function effectiveSku(v: Pick<VariantSource, 'poleepoSku' | 'defaultCode'>): string | null {
  const own = v.poleepoSku?.trim();
  if (own) return own;
  const code = v.defaultCode?.trim();
  return code || null;
}

/** The parent entry's SKU: the template id, with the connection's optional prefix. */
export function parentSkuOf(templateId: number, prefix: string): string {
  return `${prefix}${templateId}`;
}

export function hasSeveralVariants(t: TemplateSource): boolean {
  return t.variantCount > 1;
}

/** The variant's display name without its internal reference ("[CODE] Desk (Red)" → "Desk (Red)"). */
export function variantTitle(v: VariantSource): string {
  const code = v.defaultCode;
  const name = v.displayName;
  if (code && name.startsWith(`[${code}] `)) return name.slice(code.length + 3);
  return name;
}

/** An integer, rounded down, never negative (quantities are floats in Odoo: 2.9999999 is 3 at Odoo's precision). */
export function exportQuantity(q: number): number {
  if (!Number.isFinite(q) || q <= 0) return 0;
  return Math.floor(Math.round(q * 1e6) / 1e6);
}

export function categoryPath(t: TemplateSource, ctx: Pick<MappingContext, 'categories' | 'settings'>): string | null {
  if (t.categoryId === null) return null;
  const c = ctx.categories.get(t.categoryId);
  if (!c) return null;
  return ctx.settings.categoryMode === 'complete_name' ? c.completeName : c.name;
}

/** Poleepo ids are numbers; one stored as text is sent as a number when it is one. */
export function poleepoIdValue(id: string | number | null | undefined): number | string | undefined {
  if (id === null || id === undefined || id === '') return undefined;
  if (typeof id === 'number') return id;
  return /^\d{1,15}$/.test(id) ? Number(id) : id;
}

export function mapVariant(v: VariantSource, t: TemplateSource, ctx: MappingContext, productId?: string | number | null): MappedVariant {
  const warnings: string[] = [];
  const sku = effectiveSku(v);
  const several = hasSeveralVariants(t);
  const taxSet = ctx.taxes.setFor(t.taxIds);
  const price = v.lstPrice;
  const rate = ctx.taxes.vatRate(taxSet);
  if (rate === null) warnings.push(taxSet.ids.length ? 'no percent tax among the product\'s sales taxes: vat_rate sent as 0' : 'no sales tax of the company on this product: vat_rate sent as 0');
  const entry: ProductEntry = {} as ProductEntry;
  const pid = poleepoIdValue(productId);
  if (pid !== undefined) entry.product_id = pid;
  entry.sku = sku ?? '';
  entry.parent_sku = several ? parentSkuOf(t.id, ctx.settings.parentSkuPrefix) : null;
  entry.title = variantTitle(v);
  entry.short_description = t.descriptionSale;
  entry.long_description = t.longDescription;
  entry.category_path = categoryPath(t, ctx);
  entry.ean = v.barcode;
  entry.upc = v.codes.upc;
  entry.isbn = v.codes.isbn;
  entry.mpn = v.codes.mpn;
  if (v.weight > 0) entry.weight = toKg(v.weight, ctx.units.weight);
  const dims = ctx.units.dimensions ?? CONNECTOR_DIMENSION_UNITS;
  if (v.dimensions.width > 0) entry.width = toCm(v.dimensions.width, dims.width);
  if (v.dimensions.height > 0) entry.height = toCm(v.dimensions.height, dims.height);
  if (v.dimensions.depth > 0) entry.depth = toCm(v.dimensions.depth, dims.depth);
  entry.price = price;
  entry.price_with_tax = ctx.taxes.priceWithTax(taxSet, price);
  entry.vat_rate = rate ?? 0;
  entry.quantity = exportQuantity(v.quantity);
  entry.active = true;
  entry.images = ctx.imagesFor(v, t);
  const attributes: { name: string; value: string }[] = [];
  for (const id of v.ptavIds) {
    const p = ctx.ptavs.get(id);
    if (p) attributes.push({ name: p.attributeName, value: p.name });
  }
  entry.attributes = attributes;
  const problem: Problem | null = sku ? null : { code: 'MISSING_SKU', message: 'The variant has no SKU: fill "SKU for Poleepo" or the Internal Reference' };
  return { entry, taxSet, warnings, problem, hasParent: several };
}

/** The parent entry of a template with several variants (the seed's fields). */
export function mapParent(t: TemplateSource, ctx: Pick<MappingContext, 'categories' | 'settings'>, productId?: string | number | null): ProductEntry {
  const entry: ProductEntry = {} as ProductEntry;
  const pid = poleepoIdValue(productId);
  if (pid !== undefined) entry.product_id = pid;
  entry.sku = parentSkuOf(t.id, ctx.settings.parentSkuPrefix);
  entry.title = t.name;
  entry.category_path = categoryPath(t, ctx);
  entry.price = t.listPrice;
  entry.active = true;
  return entry;
}

/** Archived, unpublished or deleted: sent once as inactive with no stock, then left alone. */
export function mapInactive(sku: string, productId: string | number | null | undefined, kind: 'variant' | 'parent'): ProductEntry {
  const entry: ProductEntry = {} as ProductEntry;
  const pid = poleepoIdValue(productId);
  if (pid !== undefined) entry.product_id = pid;
  entry.sku = sku;
  entry.active = false;
  if (kind === 'variant') entry.quantity = 0;
  return entry;
}
