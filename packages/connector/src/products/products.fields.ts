import { NotConfiguredError } from '../shared/errors.ts';
import type { ConnectionSettings } from '../connections/connections.settings.ts';
import type { OdooFields, OdooRecord } from '../odoo/odoo.types.ts';
import type { CategorySource, PtavSource, TemplateSource, VariantSource } from './products.types.ts';

/**
 * Which Odoo fields the export reads, decided once per connection from `fields_get` (feature detection, not version
 * numbers), and how a record read with them becomes a normalised source.
 */

/** The provisioned fields the export cannot work without (DESIGN §4.9). */
export const REQUIRED_VARIANT_FIELDS = ['x_poleepo_published'] as const;

/** Provisioned fields the export reads or writes when they exist. */
export const CONNECTOR_VARIANT_FIELDS = ['x_poleepo_sku', 'x_poleepo_ref', 'x_poleepo_needs_update', 'x_poleepo_last_error'] as const;

export interface FieldPlan {
  /** What the export reads per variant (without the quantity field when quantities come from quants). */
  variant: string[];
  /** The same with the computed quantity field (a preview reads a few variants: the computed field is cheap there). */
  variantWithQuantity: string[];
  template: string[];
  quantityField: 'qty_available' | 'free_qty' | 'virtual_available';
  /** Mapped Odoo field per Poleepo code/dimension (null: the field does not exist in this database). */
  codes: { upc: string | null; isbn: string | null; mpn: string | null };
  dims: { width: string | null; height: string | null; depth: string | null };
  longDescription: string | null;
  /** Connector fields present on product.product. */
  has: { sku: boolean; ref: boolean; needsUpdate: boolean; lastError: boolean };
  /** Mapped fields that do not exist (reported once, never read). */
  missing: string[];
  /** Stock relations the change probe can follow (stock installed). */
  stock: { quants: boolean; moves: boolean };
  /**
   * Where exported quantities come from: `quants` — one stock.quant read_group, equal to the computed field (see
   * products.stock.ts for why); `computed` — the quantity field itself, read with the variants, for the reason given.
   */
  stockSource: { kind: 'quants' } | { kind: 'computed'; reason: string };
  /** mrp is installed (`is_kits`): kit variants have their computed quantity read separately. */
  stockKits: boolean;
}

export function planFields(variantFields: OdooFields, templateFields: OdooFields, settings: ConnectionSettings): FieldPlan {
  const absent = REQUIRED_VARIANT_FIELDS.filter((f) => !(f in variantFields));
  if (absent.length) {
    throw new NotConfiguredError(`The Odoo field ${absent.join(', ')} does not exist on product.product: run "poleepo-odoo odoo provision" to create the connector's fields first`);
  }
  const missing: string[] = [];
  const present = (name: string, fields: OdooFields): string | null => {
    if (name in fields) return name;
    missing.push(name);
    return null;
  };
  const m = settings.fieldMapping;
  const codes = { upc: present(m.upc, variantFields), isbn: present(m.isbn, variantFields), mpn: present(m.mpn, variantFields) };
  const dims = { width: present(m.width, variantFields), height: present(m.height, variantFields), depth: present(m.depth, variantFields) };
  const longDescription = present(m.longDescription, templateFields);
  const has = {
    sku: 'x_poleepo_sku' in variantFields, ref: 'x_poleepo_ref' in variantFields,
    needsUpdate: 'x_poleepo_needs_update' in variantFields, lastError: 'x_poleepo_last_error' in variantFields,
  };
  const quantityField = settings.quantitySource;
  const stockSource: FieldPlan['stockSource'] = !('stock_quant_ids' in variantFields)
    ? { kind: 'computed', reason: 'the stock module is not installed (no stock.quant to aggregate)' }
    : quantityField === 'virtual_available'
      ? { kind: 'computed', reason: 'the forecast quantity adds moves by date and final destination: not one quant aggregate' }
      : { kind: 'quants' };
  const variant = [
    'product_tmpl_id', 'display_name', 'default_code', 'barcode', 'active', 'lst_price', ...(stockSource.kind === 'computed' && quantityField in variantFields ? [quantityField] : []), 'weight',
    'product_template_attribute_value_ids', 'image_variant_1920', 'write_date', 'x_poleepo_published',
    ...(has.sku ? ['x_poleepo_sku'] : []), ...(has.ref ? ['x_poleepo_ref'] : []), ...(has.needsUpdate ? ['x_poleepo_needs_update'] : []), ...(has.lastError ? ['x_poleepo_last_error'] : []),
    ...[codes.upc, codes.isbn, codes.mpn, dims.width, dims.height, dims.depth].filter((f): f is string => Boolean(f)),
    // Extra images, where the website shop (website_sale) provides them.
    ...('product_variant_image_ids' in variantFields ? ['product_variant_image_ids'] : []),
  ];
  const template = ['name', 'list_price', 'categ_id', 'description_sale', ...(longDescription && longDescription !== 'description_sale' ? [longDescription] : []),
    'taxes_id', 'product_variant_count', 'image_1920', 'write_date', ...('uom_id' in templateFields ? ['uom_id'] : []),
    ...('product_template_image_ids' in templateFields ? ['product_template_image_ids'] : [])];
  const stock = { quants: 'stock_quant_ids' in variantFields, moves: 'stock_move_ids' in variantFields };
  const variantWithQuantity = quantityField in variantFields ? [...new Set([...variant, quantityField])] : [...new Set(variant)];
  return { variant: [...new Set(variant)], variantWithQuantity, template, quantityField, codes, dims, longDescription, has, missing, stock, stockSource, stockKits: stockSource.kind === 'quants' && 'is_kits' in variantFields };
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const m2oId = (v: unknown): number | null => (Array.isArray(v) ? (v[0] as number) : typeof v === 'number' ? v : null);
const ids = (v: unknown): number[] => (Array.isArray(v) ? (v as number[]) : []);
const flag = (v: unknown): boolean => v === true;
/** Binary fields read with `bin_size`: a size string when set, false when empty. */
const hasBinary = (v: unknown): boolean => typeof v === 'string' && v !== '' && v !== '0.00 bytes';

export function toVariant(r: OdooRecord, plan: FieldPlan): VariantSource {
  return {
    id: r.id,
    templateId: m2oId(r.product_tmpl_id) ?? 0,
    displayName: text(r.display_name) ?? '',
    defaultCode: text(r.default_code),
    poleepoSku: plan.has.sku ? text(r.x_poleepo_sku) : null,
    barcode: text(r.barcode),
    active: r.active !== false,
    published: flag(r.x_poleepo_published),
    ref: plan.has.ref ? text(r.x_poleepo_ref) : null,
    needsUpdate: plan.has.needsUpdate ? flag(r.x_poleepo_needs_update) : false,
    lastError: plan.has.lastError ? text(r.x_poleepo_last_error) : null,
    lstPrice: num(r.lst_price),
    // Read with the variant only when the plan reads the computed field; else set from the quant aggregate.
    quantity: num(r[plan.quantityField]),
    weight: num(r.weight),
    codes: {
      upc: plan.codes.upc ? text(r[plan.codes.upc]) : null,
      isbn: plan.codes.isbn ? text(r[plan.codes.isbn]) : null,
      mpn: plan.codes.mpn ? text(r[plan.codes.mpn]) : null,
    },
    dimensions: {
      width: plan.dims.width ? num(r[plan.dims.width]) : 0,
      height: plan.dims.height ? num(r[plan.dims.height]) : 0,
      depth: plan.dims.depth ? num(r[plan.dims.depth]) : 0,
    },
    ptavIds: ids(r.product_template_attribute_value_ids),
    hasImage: hasBinary(r.image_variant_1920),
    extraImageIds: ids(r.product_variant_image_ids),
  };
}

export function toTemplate(r: OdooRecord, plan: FieldPlan): TemplateSource {
  return {
    id: r.id,
    name: text(r.name) ?? '',
    listPrice: num(r.list_price),
    categoryId: m2oId(r.categ_id),
    descriptionSale: text(r.description_sale),
    longDescription: plan.longDescription ? text(r[plan.longDescription]) : null,
    taxIds: ids(r.taxes_id),
    variantCount: num(r.product_variant_count),
    hasImage: hasBinary(r.image_1920),
    uomId: m2oId(r.uom_id),
    extraImageIds: ids(r.product_template_image_ids),
  };
}

export const PTAV_FIELDS = ['name', 'attribute_id'] as const;

/**
 * Attribute value names repeat across a catalog ("Red", "XL"): one string each, not one per record (a full read holds
 * every attribute value of the published templates in memory).
 */
export function toPtav(r: OdooRecord, intern: Map<string, string> = new Map()): PtavSource {
  const attr = r.attribute_id;
  const name = text(r.name) ?? '';
  const attributeName = Array.isArray(attr) ? String(attr[1] ?? '') : '';
  return {
    id: r.id,
    name: intern.get(name) ?? (intern.set(name, name), name),
    attributeName: intern.get(attributeName) ?? (intern.set(attributeName, attributeName), attributeName),
  };
}

export function toCategory(r: OdooRecord): CategorySource {
  const name = text(r.name) ?? '';
  return { id: r.id, name, completeName: text(r.complete_name) ?? name };
}
