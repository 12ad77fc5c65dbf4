import type { PoleepoOrder } from '../poleepo/poleepo.types.ts';

const COD_METHODS = /^(cash[_ ]?on[_ ]?delivery|cod|contrassegno)$/i;

/**
 * The amount the courier collects, or 0. Poleepo's order says it in `cash_on_delivery` (assumed, docs/poleepo-api.md
 * §4.5); an order paid "cash on delivery" without the amount collects its total. The shipping must carry it: a COD
 * parcel sent without it is delivered for free.
 */
export function cashOnDeliveryAmount(order: Pick<PoleepoOrder, 'cash_on_delivery' | 'payment_method' | 'total_price'>): number {
  const explicit = Number(order.cash_on_delivery ?? 0);
  if (Number.isFinite(explicit) && explicit > 0) return Math.round(explicit * 100) / 100;
  if (order.payment_method && COD_METHODS.test(order.payment_method.trim())) return Math.round(Number(order.total_price ?? 0) * 100) / 100;
  return 0;
}
