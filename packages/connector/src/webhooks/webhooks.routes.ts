import type { Hono } from 'hono';
import type { WebhookIntake } from './webhook.intake.ts';
import { MAX_WEBHOOK_BODY_BYTES } from './webhook.intake.ts';

/** `POST /webhooks/poleepo/:name?token=…` — the Poleepo webhook intake (DESIGN §3.2, §4.5). */
export function mountWebhookRoutes(app: Hono, intake: WebhookIntake): void {
  app.post('/webhooks/poleepo/:name', async (c) => {
    const declared = Number(c.req.header('content-length') ?? '0');
    // Refuse oversized bodies before reading them; the intake re-checks the real size.
    if (declared > MAX_WEBHOOK_BODY_BYTES) return c.json({ error: `Body larger than ${MAX_WEBHOOK_BODY_BYTES} bytes` }, 413);
    const rawBody = Buffer.from(await c.req.arrayBuffer());
    const outcome = await intake.receive({
      name: c.req.param('name'),
      token: c.req.query('token'),
      rawBody,
      headers: c.req.header(),
    });
    if (outcome.connectionId !== undefined) c.set('connectionId' as never, outcome.connectionId as never);
    return c.json(outcome.body, outcome.status);
  });
}
