import { RateLimitedError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import { OdooAccessError, OdooTransportError } from '../odoo/odoo.errors.ts';
import { OrderParkedError, OrderUncertainError } from './orders.errors.ts';
import type { OrderConnection } from './orders.connections.ts';
import type { OrdersRepo } from './orders.repo.ts';

/** Internal reference of the Discount product the connector creates when the company has none of Odoo's own. */
export const DISCOUNT_PRODUCT_CODE = 'POLEEPO-DISCOUNT';

const RETRY_MS = 1_000;

/**
 * The product of discount and voucher lines (orders.amounts.ts): the company's own Discount product when Odoo has
 * one (`res.company.sale_discount_product_id`, the one Odoo's Discount button uses, 17+), else the connector's
 * "Discount" service (internal reference POLEEPO-DISCOUNT, no taxes of its own: each discount line carries the taxes
 * of what it discounts), found by that reference or created once, the first time an order needs it. Created under a
 * lease, as customers are, so two imports never create two; a create without an answer keeps the lease until Odoo's
 * request time limit has passed, and the next look finds it. The company's setting is left alone.
 */
export async function discountProduct(conn: OrderConnection, repo: OrdersRepo, clock: Clock, leaseMs: number, signal?: AbortSignal): Promise<{ id: number; name: string }> {
  const company = await conn.data.company();
  if (company.discountProductId) {
    const [own] = await conn.odoo.read('product.product', [company.discountProductId], ['name', 'active'], { signal, context: { active_test: false } });
    if (own && own.active !== false) return { id: own.id, name: String(own.name || 'Discount') };
  }
  const found = await findOurs(conn, company.id, signal);
  if (found) return found;
  const lease = `orders:discount-product:${conn.view.id}`;
  const held = await repo.tryLease(lease, `discount:${clock.now()}`, clock.now(), leaseMs);
  if (!held) throw new RateLimitedError('Another import is creating the Discount product; trying again in a moment', RETRY_MS);
  try {
    const again = await findOurs(conn, company.id, signal);
    if (again) {
      await repo.releaseLease(lease, held);
      return again;
    }
    const id = await conn.odoo.create('product.product', {
      name: 'Discount', default_code: DISCOUNT_PRODUCT_CODE, type: 'service', sale_ok: true, purchase_ok: false, list_price: 0,
      invoice_policy: 'order', taxes_id: [[6, 0, []]], company_id: company.id,
    }, { signal, context: { tracking_disable: true } });
    await repo.releaseLease(lease, held);
    return { id, name: 'Discount' };
  } catch (error) {
    // A create that may have committed keeps the lease (it expires after Odoo's time limit); the order waits too.
    if (error instanceof OdooTransportError && error.ambiguous) throw new OrderUncertainError('discount product', { cause: error });
    await repo.releaseLease(lease, held);
    if (error instanceof OdooAccessError) {
      throw new OrderParkedError('The order has discounts or vouchers, but the company has no Discount product and the connector\'s Odoo user may not create one. '
        + `Create a service product with internal reference ${DISCOUNT_PRODUCT_CODE} and no taxes (or apply a fixed-amount discount once with Odoo's Discount button, which creates Odoo's own), then retry the order.`);
    }
    throw error;
  }
}

async function findOurs(conn: OrderConnection, companyId: number, signal?: AbortSignal): Promise<{ id: number; name: string } | null> {
  const rows = await conn.odoo.searchRead('product.product', [['default_code', '=', DISCOUNT_PRODUCT_CODE], ['company_id', 'in', [companyId, false]]], { fields: ['name'], order: 'id', limit: 1, signal });
  return rows[0] ? { id: rows[0].id, name: String(rows[0].name || 'Discount') } : null;
}
