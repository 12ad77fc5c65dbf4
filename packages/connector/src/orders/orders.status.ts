import { ORDER_STATUSES, type PoleepoOrderStatus } from '../poleepo/poleepo.types.ts';

/**
 * Poleepo order statuses in the order they can happen (docs/poleepo-api.md §4.5). Webhooks may arrive late or out of
 * order and re-reads may lag, so an order's status only ever moves to a higher rank: a late "Payment accepted" never
 * undoes "Shipped". Cancelled and refunded are final.
 */
const RANK: Record<PoleepoOrderStatus, number> = {
  PAYMENT_ACCEPTED: 1,
  IN_PROCESS: 2,
  SHIPPED: 3,
  DELIVERED: 4,
  CANCELED: 5,
  REFUNDED: 6,
};

export function statusRank(status: string | null | undefined): number {
  if (!status) return 0;
  return RANK[status as PoleepoOrderStatus] ?? 0;
}

export function isKnownStatus(status: string | null | undefined): status is PoleepoOrderStatus {
  return typeof status === 'string' && (ORDER_STATUSES as readonly string[]).includes(status);
}

/** Cancelled or refunded on the marketplace: the sale order must not stand as it is. */
export function isTerminal(status: string | null | undefined): boolean {
  return status === 'CANCELED' || status === 'REFUNDED';
}

/** The status to act on: the newer of what the binding holds and what Poleepo says now (never backwards). */
export function effectiveStatus(stored: string | null, observed: string | null): string | null {
  if (!observed) return stored;
  if (!stored) return observed;
  return statusRank(observed) >= statusRank(stored) ? observed : stored;
}

/** Cancelled on Odoo may be pushed to Poleepo only from these statuses (Poleepo's transition table). */
export function canPushCancellation(status: string | null): boolean {
  return status === 'PAYMENT_ACCEPTED' || status === 'IN_PROCESS';
}

/**
 * The status to push to Poleepo for an order confirmed in Odoo (the connection's `confirmedStatus`), or null when
 * there is none to push: not configured, the order moved on from "Payment accepted", or already pushed.
 */
export function confirmationToPush<S extends string>(confirmedStatus: S | null, poleepoStatus: string | null, pushedStatus: string | null): S | null {
  return confirmedStatus && poleepoStatus === 'PAYMENT_ACCEPTED' && pushedStatus !== confirmedStatus ? confirmedStatus : null;
}
