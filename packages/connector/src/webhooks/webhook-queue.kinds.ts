import { z } from 'zod';

/** The task that processes one webhook queue message (lane `webhooks`). */
export const PROCESS_WEBHOOK_MESSAGE = { kind: 'webhooks.process-message', lane: 'webhooks' } as const;
export const processWebhookMessagePayload = z.object({ messageId: z.number().int().positive() });
export type ProcessWebhookMessagePayload = z.infer<typeof processWebhookMessagePayload>;
