/**
 * Quant bookkeeping, as stock.quant's `_update_reserved_quantity` and `_update_available_quantity` do it: reserving
 * takes free quantity from the location's quants (oldest first), releasing gives it back (newest first), and moving
 * goods changes the quant of exactly (product, location, package), creating it when there is none (a delivered
 * package gets a new quant at the customer's location). Only storable products have quants (17: type `product`;
 * 18/19: `is_storable`); the others are never reserved.
 */
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';

export const roundQty = (n: number) => Math.round(n * 1e4) / 1e4;

export function isStorable(env: Env, productId: number): boolean {
  const products = env.model('product.product');
  const product = products.table.get(productId);
  if (!product) return false;
  if (env.profile.storableByType) return products.getter('type')(product, env) === 'product';
  return Boolean(products.getter('is_storable')(product, env));
}

/** Quants of a product at a location holding a package (false: loose goods), oldest first. */
function quantsAt(env: Env, productId: number, location: number, packageId: number | false): Rec[] {
  const quants = env.model('stock.quant').table;
  return [...quants.lookup('product_id', productId)]
    .map((id) => quants.get(id)!)
    .filter((q) => q.location_id === location && (q.package_id || false) === packageId && !q.lot_id)
    .sort((a, b) => String(a.in_date ?? '').localeCompare(String(b.in_date ?? '')) || a.id - b.id);
}

/** Reserves up to `qty` of free stock; returns what could be reserved. */
export function reserveQuants(env: Env, productId: number, location: number, qty: number, packageId: number | false = false): number {
  const quants = env.model('stock.quant').table;
  let left = qty;
  for (const q of quantsAt(env, productId, location, packageId)) {
    if (left <= 0) break;
    const free = ((q.quantity as number) || 0) - ((q.reserved_quantity as number) || 0);
    if (free <= 0) continue;
    const take = Math.min(free, left);
    quants.update(q.id, { reserved_quantity: roundQty(((q.reserved_quantity as number) || 0) + take), write_date: env.now });
    left = roundQty(left - take);
  }
  return roundQty(qty - left);
}

/** Releases a reservation, newest quants first. */
export function unreserveQuants(env: Env, productId: number, location: number, qty: number, packageId: number | false = false): void {
  const quants = env.model('stock.quant').table;
  let left = qty;
  for (const q of quantsAt(env, productId, location, packageId).reverse()) {
    if (left <= 0) break;
    const give = Math.min((q.reserved_quantity as number) || 0, left);
    if (give <= 0) continue;
    quants.update(q.id, { reserved_quantity: roundQty(((q.reserved_quantity as number) || 0) - give), write_date: env.now });
    left = roundQty(left - give);
  }
}

/** Adds (or removes, when negative) goods at a location: the first quant of that key changes, else a new one. */
export function updateAvailable(env: Env, productId: number, location: number, delta: number, packageId: number | false, inDate?: string): { quantId: number; inDate: string } {
  const quants = env.model('stock.quant');
  const existing = quantsAt(env, productId, location, packageId)[0];
  if (existing) {
    quants.table.update(existing.id, { quantity: roundQty(((existing.quantity as number) || 0) + delta), write_date: env.now, write_uid: env.uid });
    return { quantId: existing.id, inDate: String(existing.in_date ?? env.now) };
  }
  const loc = env.model('stock.location').table.get(location);
  const date = inDate ?? env.now;
  const quantId = quants.createInternal(env, {
    product_id: productId, location_id: location, quantity: roundQty(delta), reserved_quantity: 0, package_id: packageId, lot_id: false,
    company_id: loc?.company_id ?? false, in_date: date,
  });
  return { quantId, inDate: date };
}

/** Where a location's goods are counted (internal locations hold stock; customers, vendors... do not reserve). */
export function bypassesReservation(env: Env, location: number): boolean {
  const usage = env.model('stock.location').table.get(location)?.usage;
  return usage !== 'internal' && usage !== 'transit';
}
