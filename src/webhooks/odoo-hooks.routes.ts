import type { Hono } from 'hono';
import type { AppContext } from '../app/context.ts';
import type { TaskKind } from '../tasks/task.registry.ts';
import { connectionForOdooWebhookToken } from '../provisioning/provisioning.tokens.ts';
import { productTaskOptions } from '../products/products.tasks.ts';

const MAX_BODY_BYTES = 64 * 1024;

/**
 * `POST /webhooks/odoo/:token` — notifications from Odoo's automation rules (product changes; provisioned disabled).
 * They only speed things up: the token names the connection, and the change detection runs now instead of at the
 * next Generate Product Batches tick (it reads Odoo itself, so the body is never trusted).
 */
export function mountOdooHookRoutes(app: Hono, ctx: AppContext, generate: TaskKind<{ connectionId: number }>): void {
  app.post('/webhooks/odoo/:token', async (c) => {
    if (Number(c.req.header('content-length') ?? '0') > MAX_BODY_BYTES) return c.json({ error: 'Body too large' }, 413);
    const connectionId = await connectionForOdooWebhookToken(ctx, c.req.param('token'));
    if (connectionId === null) return c.json({ error: 'Unknown webhook' }, 404);
    c.set('connectionId' as never, connectionId as never);
    const queued = await ctx.tasks.enqueue(generate, { connectionId }, productTaskOptions(generate.kind, connectionId));
    return c.json({ queued: true, task: queued.id, coalesced: queued.deduped });
  });
}
