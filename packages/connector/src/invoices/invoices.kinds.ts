import { z } from 'zod';
import type { TaskQueue } from '../tasks/task.queue.ts';
import type { EnqueueOptions, EnqueueResult } from '../tasks/task.types.ts';

/**
 * The task kinds of invoices and documents, both serialised per order (`invoices:<connection>:<Poleepo order>`): making
 * an invoice, picking up one made by hand, a credit note, and importing the order's Poleepo documents never overlap
 * for one order, across processes (the reconciliations look for "a move no row knows", which only holds alone).
 * Their own lane, so a PDF being rendered never holds an order import or a label.
 */
export const INVOICES_LANE = 'invoices';
/** Brings one order's invoices up to date: pick up, create by policy, credit notes, each row to `sent`. */
export const SYNC_ORDER_INVOICES = { kind: 'invoices.order', lane: INVOICES_LANE } as const;
/** Imports the documents Poleepo holds for one order into Odoo. */
export const IMPORT_ORDER_DOCUMENTS = { kind: 'documents.import', lane: INVOICES_LANE } as const;

/** `sync`: the job or a trigger; `send`: a person asked (invoice now whatever the policy says, retry failures, resend). */
export const invoiceTrigger = z.enum(['sync', 'send']);
export type InvoiceTrigger = z.infer<typeof invoiceTrigger>;

export const orderInvoicesPayload = z.object({
  connectionId: z.number().int().positive(),
  poleepoOrderId: z.string().min(1),
  trigger: invoiceTrigger.default('sync'),
});
export type OrderInvoicesPayload = z.infer<typeof orderInvoicesPayload>;

export const orderDocumentsPayload = z.object({
  connectionId: z.number().int().positive(),
  poleepoOrderId: z.string().min(1),
});
export type OrderDocumentsPayload = z.infer<typeof orderDocumentsPayload>;

export function invoicesSerialKey(connectionId: number, poleepoOrderId: string): string {
  return `invoices:${connectionId}:${poleepoOrderId}`;
}

function options(kind: string, connectionId: number, poleepoOrderId: string, extra = ''): EnqueueOptions {
  return {
    connectionId, lane: INVOICES_LANE,
    dedupeKey: `${kind}:${connectionId}:${poleepoOrderId}${extra}`,
    serialKey: invoicesSerialKey(connectionId, poleepoOrderId),
    maxAttempts: 8,
  };
}

/** Queues the order's invoice work (a pending one for the same order and trigger is joined, not doubled). */
export function enqueueOrderInvoices(queue: TaskQueue, payload: OrderInvoicesPayload): Promise<EnqueueResult> {
  return queue.enqueue(SYNC_ORDER_INVOICES, payload, options(SYNC_ORDER_INVOICES.kind, payload.connectionId, payload.poleepoOrderId, payload.trigger === 'send' ? ':send' : ''));
}

export function enqueueOrderDocuments(queue: TaskQueue, payload: OrderDocumentsPayload): Promise<EnqueueResult> {
  return queue.enqueue(IMPORT_ORDER_DOCUMENTS, payload, options(IMPORT_ORDER_DOCUMENTS.kind, payload.connectionId, payload.poleepoOrderId));
}
