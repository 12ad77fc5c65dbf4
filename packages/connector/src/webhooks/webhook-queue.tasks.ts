import type { TaskRegistry } from '../tasks/task.registry.ts';
import type { WebhookQueueService } from './webhook-queue.service.ts';
import { PROCESS_WEBHOOK_MESSAGE, processWebhookMessagePayload } from './webhook-queue.kinds.ts';

/** Defines the task that processes webhook queue messages; a dead task shows its message as Fallito. */
export function defineWebhookTasks(registry: TaskRegistry, service: WebhookQueueService): void {
  registry.define({
    ...PROCESS_WEBHOOK_MESSAGE,
    payload: processWebhookMessagePayload,
    maxAttempts: 8,
    handler: (payload, ctx) => service.process(payload.messageId, ctx.signal),
    onDead: async (task, reason) => {
      const parsed = processWebhookMessagePayload.safeParse(JSON.parse(task.payload));
      if (parsed.success) await service.markFailed(parsed.data.messageId, reason);
    },
  });
}
