import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { TaskQueue } from '../tasks/task.queue.ts';
import type { EnqueueResult } from '../tasks/task.types.ts';

/**
 * The one task kind that touches an order: import it, resume it, apply a status change, push a change made in Odoo
 * back. Every trigger (webhook, Order Polling, the CLI, a person's retry) enqueues the same kind with the same keys:
 * - dedupe key: at most one pending run per (connection, order) — a webhook and a poll racing coalesce;
 * - serial key `order:<connectionId>:<poleepoId>`: never two running at once, across processes, held from the
 *   look-up through create, confirm and the date write-back.
 */
export const IMPORT_ORDER = { kind: 'orders.import', lane: 'orders' } as const;

export const ORDER_TRIGGERS = ['webhook', 'polling', 'odoo', 'manual', 'cli'] as const;
export type OrderTrigger = (typeof ORDER_TRIGGERS)[number];

export const importOrderPayload = z.object({
  connectionId: z.number().int().positive(),
  poleepoOrderId: z.string().min(1).max(64),
  trigger: z.enum(ORDER_TRIGGERS).default('manual'),
  /** The webhook message that asked for it (for the record). */
  messageId: z.number().int().positive().optional(),
});
export type ImportOrderPayload = z.input<typeof importOrderPayload>;

export function orderSerialKey(connectionId: number, poleepoOrderId: string): string {
  return `order:${connectionId}:${poleepoOrderId}`;
}

export function orderDedupeKey(connectionId: number, poleepoOrderId: string): string {
  return `order-import:${connectionId}:${poleepoOrderId}`;
}

/**
 * Queues the import of one order (any trigger). Works without the orders service (the console, the CLI): the lane
 * is given, so the kind need not be defined in this process's registry to be stored.
 */
export function enqueueOrderImport(queue: TaskQueue, payload: ImportOrderPayload, options: { runAt?: number; executor?: Kysely<Database> } = {}): Promise<EnqueueResult> {
  const id = String(payload.poleepoOrderId);
  return queue.enqueue(IMPORT_ORDER, { ...payload, poleepoOrderId: id }, {
    connectionId: payload.connectionId,
    lane: IMPORT_ORDER.lane,
    dedupeKey: orderDedupeKey(payload.connectionId, id),
    serialKey: orderSerialKey(payload.connectionId, id),
    runAt: options.runAt,
    // Ambiguous Odoo failures reschedule without spending attempts; these are for real errors.
    maxAttempts: 8,
  }, options.executor);
}

/**
 * Reads the sale orders changed in Odoo (the Odoo half of Order Polling) for one connection, now: what an Odoo
 * automation rule's notification asks for. At most one pending per connection; the notification is only a hint.
 */
export const ODOO_ORDER_CHANGES = { kind: 'orders.odoo-changes', lane: 'orders' } as const;
export const odooOrderChangesPayload = z.object({ connectionId: z.number().int().positive() });

export function enqueueOdooOrderChanges(queue: TaskQueue, connectionId: number): Promise<EnqueueResult> {
  const key = `orders-odoo-changes:${connectionId}`;
  return queue.enqueue(ODOO_ORDER_CHANGES, { connectionId }, { connectionId, lane: ODOO_ORDER_CHANGES.lane, dedupeKey: key, serialKey: key, maxAttempts: 3 });
}
