import { afterEach, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../src/app/service.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';
import { signPoleepoBody } from '../src/poleepo/poleepo.signature.ts';
import { testConfig } from './helpers/config.ts';
import { insertTestConnection } from './helpers/connections.ts';
import { eventually } from './helpers/wait.ts';

describe('webhook to webhook queue through the running service', () => {
  let service: RunningService | undefined;
  afterEach(async () => service?.stop({ drainMs: 1000 }));

  it('acknowledges only after storing, then processes the message at once (no wait for the 1-minute job)', async () => {
    service = await startService(testConfig(), 'all', { port: 0 });
    const { ctx } = service;
    const connectionId = await insertTestConnection(ctx.db);
    const { url } = await new WebhooksService(ctx.db, ctx.clock, ctx.secrets, service.url!).add({ connectionId, name: 'main', secret: 'secret-from-poleepo', events: ['STATUS_ORDER', 'STATUS_SHIPMENT'] });
    const body = JSON.stringify({ event: 'STATUS_SHIPMENT', event_id: 'evt_1', data: { shipping_id: 77, order_id: 5, status: 'IN_TRANSIT' } });
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-poleepo-signature': signPoleepoBody(body, 'secret-from-poleepo') } });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: number };
    const stored = await ctx.db.kysely.selectFrom('webhook_messages').select('payload').where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.payload).toBe(body);
    const processed = await eventually(async () => {
      const m = await ctx.db.kysely.selectFrom('webhook_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return m.status !== 'pending' ? m : null;
    }, 30_000, 'the webhook message to be processed');
    // A shipping the connector did not create: nothing to update, the message is done.
    expect(processed.status).toBe('done');
    await ctx.apiLog.flush();
    const log = await ctx.apiLogRepo.list({ system: 'webhook' });
    expect(log[0]).toMatchObject({ direction: 'inbound', method: 'POST', path: '/webhooks/poleepo/main', status: 200, connection_id: connectionId });
  });
});
