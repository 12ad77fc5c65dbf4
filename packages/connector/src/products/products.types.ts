import type { PoleepoBatchEntry } from '../poleepo/poleepo.types.ts';

/**
 * What the product mapping works on: Odoo's records normalised (false → null, many2one → id), so the mapper is pure
 * and cheap, and the same whether the records came from a full read, a change probe or a preview.
 */

export interface TemplateSource {
  id: number;
  name: string;
  listPrice: number;
  categoryId: number | null;
  descriptionSale: string | null;
  longDescription: string | null;
  /** taxes_id as read (every company the user sees; the mapping keeps the connection company's). */
  taxIds: number[];
  /** Active variants (product_variant_count). */
  variantCount: number;
  /** The template's own image (image_1920), when it has one. */
  hasImage: boolean;
  /** Unit of measure (uom_id): quantities are rounded to its step, as Odoo rounds them. */
  uomId: number | null;
  /** Extra images of the template (product_template_image_ids: product.image, website_sale), in Odoo's order. */
  extraImageIds: number[];
}

export interface VariantSource {
  id: number;
  templateId: number;
  /** display_name: "[CODE] Name (Value, Value)". */
  displayName: string;
  defaultCode: string | null;
  /** x_poleepo_sku */
  poleepoSku: string | null;
  barcode: string | null;
  active: boolean;
  published: boolean;
  /** x_poleepo_ref as Odoo shows it. */
  ref: string | null;
  needsUpdate: boolean;
  /** x_poleepo_last_error as Odoo shows it. */
  lastError: string | null;
  lstPrice: number;
  /** The configured quantity field, in the connection's company (and warehouse). */
  quantity: number;
  weight: number;
  codes: { upc: string | null; isbn: string | null; mpn: string | null };
  dimensions: { width: number; height: number; depth: number };
  ptavIds: number[];
  /** The variant's own image (image_variant_1920). */
  hasImage: boolean;
  /** Extra images of this variant (product_variant_image_ids: product.image, website_sale), in Odoo's order. */
  extraImageIds: number[];
}

export interface PtavSource {
  id: number;
  name: string;
  attributeName: string;
}

export interface CategorySource {
  id: number;
  name: string;
  completeName: string;
}

/** The database's units, as Odoo names them (weight_uom_name, the length unit of dimensions). */
export interface UnitNames {
  weight: string;
  length: string;
  /**
   * The unit each mapped dimension field holds: `cm` for the connector's own x_poleepo_width/height/depth (labelled
   * "(cm)" in Odoo: a merchant's 30 is 30 cm), the database's length unit for any other mapped field. Absent in facts
   * stored before this existed: the default mapping, cm.
   */
  dimensions?: { width: string; height: string; depth: string };
}

/** A Poleepo batch entry (docs/poleepo-api.md §4.4), built by the mapper. */
export type ProductEntry = PoleepoBatchEntry;

/** Why a variant is not sent (reported to people, mirrored to x_poleepo_last_error). */
export type ProblemCode = 'MISSING_SKU' | 'SKU_SHARED' | 'TAX_MISMATCH';

export interface Problem {
  code: ProblemCode;
  message: string;
}
