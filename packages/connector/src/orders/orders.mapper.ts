import type { PoleepoAddress, PoleepoOrder } from '../poleepo/poleepo.types.ts';
import { orderStatusCode } from '../poleepo/poleepo.types.ts';
import { parsePoleepoDate } from '../poleepo/poleepo.time.ts';

/** What the orders page and the binding keep of a Poleepo order (no personal data). */
export interface OrderFacts {
  status: string | null;
  reference: string | null;
  channel: string | null;
  currency: string | null;
  total: number | null;
  orderDate: number | null;
  updatedAt: number | null;
}

export function orderFacts(order: PoleepoOrder): OrderFacts {
  return {
    status: orderStatusCode(order.status),
    reference: order.reference_id ?? order.source_id ?? null,
    channel: order.source?.name ?? order.source?.id ?? null,
    currency: order.currency ?? null,
    total: typeof order.total_price === 'number' ? order.total_price : null,
    orderDate: parsePoleepoDate(order.order_date ?? order.creation_date),
    updatedAt: parsePoleepoDate(order.update_date ?? order.creation_date),
  };
}

/**
 * An order whose customer data or prices the API key hides is refused with the reason and what to do (DESIGN §4.6):
 * importing it with blanks would create nameless customers and zero-priced orders. Null when the order is complete.
 */
export function hiddenDataRefusal(order: PoleepoOrder): string | null {
  const problems: string[] = [];
  if (!order.invoice_address && !order.delivery_address && !order.customer) problems.push('customer data (name, addresses)');
  const lines = order.lines ?? [];
  if (lines.length === 0) problems.push('order lines');
  else if (lines.some((l) => typeof l.price !== 'number') || typeof order.total_price !== 'number') problems.push('prices');
  if (problems.length === 0) return null;
  return `Poleepo did not send this order's ${problems.join(' and ')}: the API key's Orders permission hides them. `
    + 'Allow sensitive customer data and prices on the key (Poleepo › Settings › API), then retry. Nothing was imported.';
}

/** Odoo datetimes are naive UTC `YYYY-MM-DD HH:MM:SS`. */
export function toOdooDatetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function fromOdooDatetime(value: unknown): number | null {
  if (typeof value !== 'string' || !value) return null;
  const t = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(t) ? null : t;
}

/** `Mario Rossi`, from whichever name fields Poleepo sent. */
export function personName(a: PoleepoAddress | undefined, fallback?: { firstname?: string; lastname?: string; name?: string; surname?: string }): string {
  const first = a?.name ?? fallback?.firstname ?? fallback?.name ?? '';
  const last = a?.surname ?? fallback?.lastname ?? fallback?.surname ?? '';
  return `${first} ${last}`.replace(/\s+/g, ' ').trim();
}

export function orderUrl(pattern: string, poleepoOrderId: string): string {
  return pattern.replaceAll('{id}', encodeURIComponent(poleepoOrderId));
}
