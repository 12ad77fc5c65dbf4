import { SHIPPING_STATUSES, type PoleepoShippingStatus } from '../poleepo/poleepo.types.ts';

/**
 * Poleepo's shipment statuses in the order a parcel lives them. A status is applied only when its rank is not lower
 * than the one already applied: duplicated and reordered STATUS_SHIPMENT events (and a slow read racing a fast one)
 * can never move a delivered parcel back to "in transit". EXCEPTION sits beside IN_TRANSIT (a parcel goes back and
 * forth between them); DELIVERED and CANCELED end the story.
 */
const RANKS: Record<PoleepoShippingStatus, number> = {
  CREATED: 1,
  LABEL_READY: 2,
  HANDED_TO_CARRIER: 3,
  IN_TRANSIT: 4,
  EXCEPTION: 4,
  DELIVERED: 5,
  CANCELED: 5,
};

export function isShippingStatus(value: unknown): value is PoleepoShippingStatus {
  return typeof value === 'string' && (SHIPPING_STATUSES as readonly string[]).includes(value);
}

/** 0 for anything Poleepo may add later: applied only over nothing. */
export function shippingStatusRank(status: string | null | undefined): number {
  return isShippingStatus(status) ? RANKS[status] : 0;
}

/** Whether `next` may replace `current` (same status: nothing to do). */
export function shouldApplyStatus(current: { status: string | null; rank: number }, next: string): boolean {
  if (next === current.status) return false;
  return shippingStatusRank(next) >= current.rank;
}

export function isFinalStatus(status: string | null | undefined): boolean {
  return status === 'DELIVERED' || status === 'CANCELED';
}

/** Handed to the courier or later: the parcel has left. */
export function hasLeft(status: string | null | undefined): boolean {
  return shippingStatusRank(status) >= RANKS.HANDED_TO_CARRIER && status !== 'CANCELED';
}

/** Poleepo's own Italian words (its console shows them), used in Odoo where merchants read them. */
export const STATUS_ITALIAN: Record<PoleepoShippingStatus, string> = {
  CREATED: 'Creata',
  LABEL_READY: 'Etichetta pronta',
  HANDED_TO_CARRIER: 'Consegnato al corriere',
  IN_TRANSIT: 'In transito',
  DELIVERED: 'Consegnata',
  EXCEPTION: 'Anomalia',
  CANCELED: 'Annullata',
};

/** What the picking's `x_poleepo_status` shows: the code, then Poleepo's Italian word. */
export function pickingStatusText(status: string): string {
  return isShippingStatus(status) ? `${status} (${STATUS_ITALIAN[status]})` : status;
}
