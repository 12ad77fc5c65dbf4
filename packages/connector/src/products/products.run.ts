import type { ImageUrlSigner, ProductImagesService } from '../images/images.service.ts';
import { refKey, type ImageRef } from '../images/images.tokens.ts';
import type { OdooClient } from '../odoo/odoo.client.ts';
import type { MappingContext, MappingSettings } from './products.mapper.ts';
import type { ExportFacts } from './products.odoo.ts';
import { TaxBook, type BookTax } from './products.taxes.ts';
import type { CategorySource, PtavSource, TemplateSource, VariantSource } from './products.types.ts';

/**
 * The reference data of one export run (facts, taxes, categories, templates, attribute values, image checksums) and
 * the mapping context built on it.
 */
export class ExportRun {
  readonly taxes: TaxBook;
  readonly categories = new Map<number, CategorySource>();
  readonly templates = new Map<number, TemplateSource>();
  readonly ptavs = new Map<number, PtavSource>();
  readonly imageChecksums = new Map<string, string>();
  readonly mapping: MappingContext;

  constructor(readonly facts: ExportFacts, taxes: BookTax[], settings: MappingSettings, private readonly signer: ImageUrlSigner) {
    this.taxes = new TaxBook(taxes, facts.tax);
    for (const c of facts.categories) this.categories.set(c.id, c);
    this.mapping = {
      settings,
      categories: this.categories,
      ptavs: this.ptavs,
      units: facts.units,
      taxes: this.taxes,
      imagesFor: (v, t) => this.imagesFor(v, t),
    };
  }

  /** The image a variant shows: its own, else its template's (Odoo's image_1920 on product.product). */
  static imageRef(v: VariantSource, t: TemplateSource | undefined): ImageRef | null {
    if (v.hasImage) return { model: 'product.product', id: v.id, field: 'image_variant_1920' };
    if (t?.hasImage) return { model: 'product.template', id: t.id, field: 'image_1920' };
    return null;
  }

  /** Looks up the checksums of these variants' images that are not known yet (one Odoo search per call). */
  async resolveImages(images: ProductImagesService, connectionId: number, client: OdooClient, variants: readonly VariantSource[]): Promise<void> {
    const wanted: ImageRef[] = [];
    const seen = new Set<string>();
    for (const v of variants) {
      const ref = ExportRun.imageRef(v, this.templates.get(v.templateId));
      if (!ref) continue;
      const key = refKey(ref);
      if (this.imageChecksums.has(key) || seen.has(key)) continue;
      seen.add(key);
      wanted.push(ref);
    }
    if (!wanted.length) return;
    for (const [k, v] of await images.checksums(connectionId, client, wanted)) this.imageChecksums.set(k, v);
  }

  private imagesFor(v: VariantSource, t: TemplateSource): string[] {
    const ref = ExportRun.imageRef(v, t);
    if (!ref) return [];
    const checksum = this.imageChecksums.get(refKey(ref));
    return checksum ? [this.signer(ref, checksum)] : [];
  }
}
