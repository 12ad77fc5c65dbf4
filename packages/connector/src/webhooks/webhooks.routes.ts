import type { Hono } from 'hono';
import { WebhookIntake } from './webhook.intake.ts';
import { readRequestBody, requestHeaders } from '../server/request-body.ts';

/**
 * `POST /webhooks/poleepo/:name?token=…` — the Poleepo webhook intake (DESIGN §3.2, §4.5). The name and token are
 * checked before a byte of the body is read, and the body is counted while it streams in (WEBHOOK_MAX_BODY_BYTES):
 * neither an unknown URL nor an endless chunked upload makes the connector read more than the limit.
 */
export function mountWebhookRoutes(app: Hono, intake: WebhookIntake): void {
  app.post('/webhooks/poleepo/:name', async (c) => {
    const webhook = await intake.identify(c.req.param('name'), c.req.query('token'));
    if (!webhook) return c.json(WebhookIntake.UNKNOWN.body, WebhookIntake.UNKNOWN.status, { Connection: 'close' });
    c.set('connectionId' as never, webhook.connectionId as never);
    const body = await readRequestBody(c, intake.maxBodyBytes);
    if (!body.ok) {
      const refused = intake.tooLarge(webhook);
      return c.json(refused.body, refused.status, { Connection: 'close' });
    }
    const outcome = await intake.accept(webhook, body.bytes, requestHeaders(c));
    return c.json(outcome.body, outcome.status);
  });
}
