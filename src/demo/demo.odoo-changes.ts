import type { OdooClient } from '../odoo/odoo.client.ts';

/** SKUs customers can order in the demo: the variants published on Poleepo (all variants with a code, before publishing). */
export async function publishedSkus(odoo: OdooClient): Promise<string[]> {
  const fields = await odoo.fieldsGet('product.product');
  const domain: unknown[] = [['default_code', '!=', false], ['sale_ok', '=', true]];
  if ('x_poleepo_published' in fields) domain.push(['x_poleepo_published', '=', true]);
  const rows = await odoo.searchRead<{ id: number; default_code: string }>('product.product', domain as never, { fields: ['default_code'], limit: 200 });
  return rows.map((r) => r.default_code);
}

/**
 * A back-office change an Odoo user would make, done through Odoo's API like any user: a sales price moved by a few
 * percent. The connector notices it through its change detection and sends the product again.
 */
export async function demoChangeInOdoo(odoo: OdooClient, random: () => number): Promise<string | null> {
  const ids = await odoo.search('product.template', [['sale_ok', '=', true], ['list_price', '>', 0]] as never, { limit: 200 });
  if (ids.length === 0) return null;
  const id = ids[Math.floor(random() * ids.length)];
  const [template] = await odoo.read<{ id: number; name: string; list_price: number }>('product.template', [id], ['name', 'list_price']);
  const factor = random() < 0.5 ? 0.95 : 1.05;
  const price = Math.round(template.list_price * factor * 100) / 100;
  await odoo.write('product.template', [id], { list_price: price });
  return `price of "${template.name}" ${template.list_price} → ${price}`;
}
