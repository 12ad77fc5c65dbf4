/**
 * `product.image` (website_sale): a product's extra images, on the template (`product_tmpl_id`) or on one variant
 * (`product_variant_id`), shown after the main image. Present only when the emulator is started with the website
 * shop "installed" (`modules: { websiteSale: true }`), as in Odoo, where the model and the one2many fields
 * `product_template_image_ids` / `product_variant_image_ids` come with that module.
 */
import { Model } from '../orm/model.ts';
import type { Registry } from '../orm/registry.ts';
import { fieldFromSpec, type FieldSpec } from '../orm/fields.ts';

export class ProductImage extends Model {
  readonly name = 'product.image';
  description = 'Product Image';
  order = 'sequence, id';

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Name', required: true },
      sequence: { type: 'integer', string: 'Sequence' },
      image_1920: { type: 'binary', string: 'Image' },
      product_tmpl_id: { type: 'many2one', relation: 'product.template', string: 'Product Template' },
      product_variant_id: { type: 'many2one', relation: 'product.product', string: 'Product Variant' },
    };
  }

  override defaults(): Record<string, unknown> {
    return { sequence: 10 };
  }
}

/** The one2many fields website_sale adds to products. */
export function addWebsiteSaleFields(registry: Registry): void {
  registry.model('product.template').addField(fieldFromSpec('product_template_image_ids', { type: 'one2many', relation: 'product.image', relationField: 'product_tmpl_id', string: 'Extra Product Media', store: false }));
  registry.model('product.product').addField(fieldFromSpec('product_variant_image_ids', { type: 'one2many', relation: 'product.image', relationField: 'product_variant_id', string: 'Extra Variant Images', store: false }));
}
