import type { Hono } from 'hono';
import type { AppContext } from '../app/context.ts';
import type { EnqueueResult } from '../tasks/task.types.ts';
import { connectionForOdooWebhookToken } from '../provisioning/provisioning.tokens.ts';
import { readBoundedBody } from '../server/request-body.ts';
import { jsonDepthExceeds } from '../shared/json-depth.ts';

/** What a notification queues: the model it names only picks the work; the work reads Odoo itself. */
export type OdooChangeDispatch = (connectionId: number, model: string | null) => Promise<EnqueueResult>;

/**
 * `POST /webhooks/odoo/:token` — notifications from Odoo's automation rules (product changes, sale order state
 * changes; provisioned disabled). They only speed things up: the token names the connection, and the change
 * detection runs now instead of at its next tick (it reads Odoo itself, so the body is never trusted). The token is
 * checked before the body is read, and the body is counted while it streams in (WEBHOOK_MAX_BODY_BYTES).
 */
export function mountOdooHookRoutes(app: Hono, ctx: AppContext, dispatch: OdooChangeDispatch): void {
  const maxBytes = ctx.config.webhookMaxBodyBytes;
  app.post('/webhooks/odoo/:token', async (c) => {
    const connectionId = await connectionForOdooWebhookToken(ctx, c.req.param('token'));
    if (connectionId === null) return c.json({ error: 'Unknown webhook' }, 404, { Connection: 'close' });
    c.set('connectionId' as never, connectionId as never);
    const body = await readBoundedBody(c.req.raw, maxBytes);
    if (!body.ok) return c.json({ error: `Body larger than ${maxBytes} bytes` }, 413, { Connection: 'close' });
    const queued = await dispatch(connectionId, modelOf(body.bytes.toString('utf8')));
    return c.json({ queued: true, task: queued.id, coalesced: queued.deduped });
  });
}

/** Odoo's webhook body names the record's model in `_model`; anything unreadable counts as a product change. */
function modelOf(body: string): string | null {
  if (jsonDepthExceeds(body)) return null;
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' && typeof (parsed as { _model?: unknown })._model === 'string' ? (parsed as { _model: string })._model : null;
  } catch {
    return null;
  }
}
