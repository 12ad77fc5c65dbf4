import type { OdooClient } from '../odoo/odoo.client.ts';

/**
 * A back-office change an Odoo user would make, done through Odoo's API like any user: a sales price moved by a few
 * percent. The connector notices it through its change detection and sends the product again.
 */
export async function demoChangeInOdoo(odoo: OdooClient, random: () => number): Promise<string | null> {
  const ids = await odoo.search('product.template', [['sale_ok', '=', true], ['list_price', '>', 0]] as never, { limit: 200 });
  const id = ids[Math.floor(random() * ids.length)];
  if (id === undefined) return null;
  const [template] = await odoo.read<{ id: number; name: string; list_price: number }>('product.template', [id], ['name', 'list_price']);
  if (!template) return null; // deleted between the search and the read: no change this time
  const factor = random() < 0.5 ? 0.95 : 1.05;
  const price = Math.round(template.list_price * factor * 100) / 100;
  await odoo.write('product.template', [id], { list_price: price });
  return `price of "${template.name}" ${template.list_price} → ${price}`;
}
