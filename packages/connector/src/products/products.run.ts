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

  /**
   * The images a variant shows, first the main one: its own image, its template's, then the extra images Odoo has for
   * the variant and for the template (product.image, when the website shop is installed). Each is sent once (a
   * variant without its own image shows its template's, which is the same picture).
   */
  static imageRefs(v: VariantSource, t: TemplateSource | undefined): ImageRef[] {
    const refs: ImageRef[] = [];
    if (v.hasImage) refs.push({ model: 'product.product', id: v.id, field: 'image_variant_1920' });
    if (t?.hasImage) refs.push({ model: 'product.template', id: t.id, field: 'image_1920' });
    for (const id of v.extraImageIds) refs.push({ model: 'product.image', id, field: 'image_1920' });
    for (const id of t?.extraImageIds ?? []) refs.push({ model: 'product.image', id, field: 'image_1920' });
    return refs;
  }

  /** Looks up the checksums of these variants' images that are not known yet (one Odoo search per call). */
  async resolveImages(images: ProductImagesService, connectionId: number, client: OdooClient, variants: readonly VariantSource[]): Promise<void> {
    const wanted: ImageRef[] = [];
    const seen = new Set<string>();
    for (const v of variants) {
      for (const ref of ExportRun.imageRefs(v, this.templates.get(v.templateId))) {
        const key = refKey(ref);
        if (this.imageChecksums.has(key) || seen.has(key)) continue;
        seen.add(key);
        wanted.push(ref);
      }
    }
    if (!wanted.length) return;
    const found = await images.checksums(connectionId, client, wanted);
    // An image slot left empty (a product.image without a picture) is remembered as such: not looked up again.
    for (const ref of wanted) this.imageChecksums.set(refKey(ref), found.get(refKey(ref)) ?? '');
  }

  private imagesFor(v: VariantSource, t: TemplateSource): string[] {
    const urls: string[] = [];
    const sent = new Set<string>();
    for (const ref of ExportRun.imageRefs(v, t)) {
      const checksum = this.imageChecksums.get(refKey(ref));
      // The same picture twice (an extra image equal to the main one) is sent once.
      if (!checksum || sent.has(checksum)) continue;
      sent.add(checksum);
      urls.push(this.signer(ref, checksum));
    }
    return urls;
  }
}
