import type { AppContext } from '../app/context.ts';
import { IMPORT_ORDER_DOCUMENTS, SYNC_ORDER_INVOICES, orderDocumentsPayload, orderInvoicesPayload } from './invoices.kinds.ts';
import type { InvoicesService } from './invoices.service.ts';

/** Plugs invoices and documents into the process: their task kinds and the Invoice Sync job. */
export function defineInvoiceTasks(ctx: AppContext, invoices: InvoicesService): void {
  ctx.taskRegistry.define({
    ...SYNC_ORDER_INVOICES,
    payload: orderInvoicesPayload,
    maxAttempts: 8,
    // Creating, posting and rendering a PDF (3–4 s in Odoo each) for every invoice of one order.
    timeoutMs: 300_000,
    handler: (payload, task) => invoices.runOrder(payload.connectionId, payload.poleepoOrderId, payload.trigger, task.signal),
  });
  ctx.taskRegistry.define({
    ...IMPORT_ORDER_DOCUMENTS,
    payload: orderDocumentsPayload,
    maxAttempts: 8,
    timeoutMs: 120_000,
    handler: (payload, task) => invoices.importDocuments(payload.connectionId, payload.poleepoOrderId, task.signal),
  });
  ctx.jobs.setHandler('invoice-sync', (jobCtx) => invoices.sync.run(jobCtx.signal));
}
