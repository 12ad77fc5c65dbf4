import type { Hono } from 'hono';
import type { AppContext } from '../app/context.ts';
import type { EnqueueResult } from '../tasks/task.types.ts';
import { connectionForOdooWebhookToken } from '../provisioning/provisioning.tokens.ts';

const MAX_BODY_BYTES = 64 * 1024;

/** What a notification queues: the model it names only picks the work; the work reads Odoo itself. */
export type OdooChangeDispatch = (connectionId: number, model: string | null) => Promise<EnqueueResult>;

/**
 * `POST /webhooks/odoo/:token` — notifications from Odoo's automation rules (product changes, sale order state
 * changes; provisioned disabled). They only speed things up: the token names the connection, and the change
 * detection runs now instead of at its next tick (it reads Odoo itself, so the body is never trusted).
 */
export function mountOdooHookRoutes(app: Hono, ctx: AppContext, dispatch: OdooChangeDispatch): void {
  app.post('/webhooks/odoo/:token', async (c) => {
    if (Number(c.req.header('content-length') ?? '0') > MAX_BODY_BYTES) return c.json({ error: 'Body too large' }, 413);
    const connectionId = await connectionForOdooWebhookToken(ctx, c.req.param('token'));
    if (connectionId === null) return c.json({ error: 'Unknown webhook' }, 404);
    c.set('connectionId' as never, connectionId as never);
    const queued = await dispatch(connectionId, modelOf(await c.req.text()));
    return c.json({ queued: true, task: queued.id, coalesced: queued.deduped });
  });
}

/** Odoo's webhook body names the record's model in `_model`; anything unreadable counts as a product change. */
function modelOf(body: string): string | null {
  if (body.length > MAX_BODY_BYTES) return null;
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' && typeof (parsed as { _model?: unknown })._model === 'string' ? (parsed as { _model: string })._model : null;
  } catch {
    return null;
  }
}
