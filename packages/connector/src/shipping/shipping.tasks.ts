import type { AppContext } from '../app/context.ts';
import type { WebhookQueueService } from '../webhooks/webhook-queue.service.ts';
import { HAND_OVER, SHIP_DELIVERY, SYNC_SHIPMENT, shipmentPayload } from './shipping.kinds.ts';
import type { ShippingService } from './shipping.service.ts';

/** Plugs shipping into the process: its task kinds, the STATUS_SHIPMENT handler and the Shipment Polling job. */
export function defineShippingTasks(ctx: AppContext, shipping: ShippingService, webhookQueue: WebhookQueueService): void {
  ctx.taskRegistry.define({
    ...SHIP_DELIVERY,
    payload: shipmentPayload,
    maxAttempts: 8,
    timeoutMs: 120_000,
    handler: (payload, task) => shipping.runner.run(payload.shipmentId, task.signal),
    onDead: async (task, reason) => {
      const parsed = shipmentPayload.safeParse(JSON.parse(task.payload));
      if (parsed.success) await shipping.repo.update(parsed.data.shipmentId, { error: `Gave up: ${reason}`.slice(0, 2000), updated_at: ctx.clock.now() });
    },
  });
  ctx.taskRegistry.define({
    ...HAND_OVER,
    payload: shipmentPayload,
    maxAttempts: 8,
    timeoutMs: 60_000,
    handler: (payload, task) => shipping.tracker.handOver(payload.shipmentId, task.signal),
    onDead: async (task, reason) => {
      const parsed = shipmentPayload.safeParse(JSON.parse(task.payload));
      // The request is withdrawn so the button (or a person) can ask again; the reason stays on the shipment.
      if (parsed.success) await shipping.repo.update(parsed.data.shipmentId, { handover_requested_at: null, error: `Hand-over failed: ${reason}`.slice(0, 2000), updated_at: ctx.clock.now() });
    },
  });
  ctx.taskRegistry.define({
    ...SYNC_SHIPMENT,
    payload: shipmentPayload,
    maxAttempts: 5,
    timeoutMs: 60_000,
    handler: (payload, task) => shipping.tracker.sync(payload.shipmentId, task.signal),
  });
  webhookQueue.setHandler('STATUS_SHIPMENT', (message) => shipping.handleWebhook(message));
  ctx.jobs.setHandler('shipment-polling', (jobCtx) => shipping.polling.run(jobCtx.signal));
}
