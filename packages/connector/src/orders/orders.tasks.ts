import type { AppContext } from '../app/context.ts';
import type { WebhookQueueService } from '../webhooks/webhook-queue.service.ts';
import { IMPORT_ORDER, ODOO_ORDER_CHANGES, importOrderPayload, odooOrderChangesPayload } from './orders.kinds.ts';
import type { OrdersService } from './orders.service.ts';

/** Plugs the order import into the process: its task kinds, the STATUS_ORDER handler, the Order Polling job. */
export function defineOrderTasks(ctx: AppContext, orders: OrdersService, webhookQueue: WebhookQueueService): void {
  ctx.taskRegistry.define({
    ...IMPORT_ORDER,
    payload: importOrderPayload,
    maxAttempts: 8,
    // Two minutes of work at most per run: an import is a dozen short calls; a run that needs Odoo's time limit
    // reschedules itself instead of waiting here.
    timeoutMs: 120_000,
    handler: (payload, taskCtx) => orders.runImportTask(payload, taskCtx),
    onDead: (task, reason) => orders.onImportDead(task, reason),
  });
  ctx.taskRegistry.define({
    ...ODOO_ORDER_CHANGES,
    payload: odooOrderChangesPayload,
    maxAttempts: 3,
    timeoutMs: 120_000,
    handler: (payload, taskCtx) => orders.readOdooChanges(payload.connectionId, taskCtx.signal),
  });
  webhookQueue.setHandler('STATUS_ORDER', (message) => orders.handleWebhook(message));
  ctx.jobs.setHandler('order-polling', (jobCtx) => orders.polling.run(jobCtx.signal));
}
