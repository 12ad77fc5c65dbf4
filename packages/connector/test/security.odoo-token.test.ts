import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../src/app/service.ts';
import { createLogger } from '../src/shared/logger.ts';
import { odooWebhookToken, odooWebhookUrl } from '../src/provisioning/provisioning.tokens.ts';
import { up as scrubApiLog } from '../src/storage/migrations/0009_apilog_redact_odoo_token.ts';
import { testConfig } from './helpers/config.ts';
import { insertTestConnection } from './helpers/connections.ts';
import { provisioningWorld, type ProvisioningWorld } from './provisioning.fixture.ts';

/**
 * The Odoo notification token (`/webhooks/odoo/<token>`) names a connection to anyone who holds it: it must not be
 * readable by operators in the API log, nor in the process's log lines. It used to be the path of every inbound
 * call, and part of the automation rules' `webhook_url` in the logged Odoo request and response bodies.
 */
describe('the Odoo notification token is never logged in clear', () => {
  let service: RunningService | undefined;
  let world: ProvisioningWorld | undefined;
  afterEach(async () => {
    await service?.stop({ drainMs: 0 });
    await world?.close();
    service = world = undefined;
  });

  it('is redacted from the path of inbound calls in the API log and from log lines', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } }));
    service = await startService(testConfig(), 'all', { port: 0, logger });
    const connectionId = await insertTestConnection(service.ctx.db);
    const token = await odooWebhookToken(service.ctx, connectionId);
    const res = await fetch(`${service.url}/webhooks/odoo/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"_model":"product.template","_id":1}' });
    expect(res.status).toBe(200);
    expect((await fetch(`${service.url}/webhooks/odoo/${token}x`, { method: 'POST', body: '{}' })).status).toBe(404);
    await service.ctx.apiLog.flush();
    const rows = await service.ctx.db.kysely.selectFrom('api_log').selectAll().where('direction', '=', 'inbound').execute();
    expect(rows.map((r) => [r.path, r.status])).toEqual([['/webhooks/odoo/[redacted]', 200], ['/webhooks/odoo/[redacted]', 404]]);
    expect(JSON.stringify(rows)).not.toContain(token);
    // A log line naming the URL, in the message or a field, an error's message and stack.
    const url = odooWebhookUrl('https://connector.example.com', token);
    service.ctx.logger.info({ path: `/webhooks/odoo/${token}`, nested: { url } }, `calling ${url}`);
    service.ctx.logger.error({ err: new Error(`no answer from ${url}`) }, 'failed');
    expect(lines.join('')).toContain('/webhooks/odoo/[redacted]');
    expect(lines.join('')).not.toContain(token);
  });

  it('is redacted from the automation rules sent to Odoo and read back (request and response bodies)', async () => {
    world = await provisioningWorld(17);
    const id = await world.connect('shop', 1);
    await world.provisioning.provision(id);
    await world.ctx.apiLog.flush();
    const logged = JSON.stringify(await world.db.kysely.selectFrom('api_log').selectAll().execute());
    expect(logged).toContain('/webhooks/odoo/[redacted]');
    expect(logged).not.toContain(await odooWebhookToken(world.ctx, id));
  });

  it('is removed from API log entries written before the fix (migration 0009)', async () => {
    world = await provisioningWorld(17);
    const token = 'Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTAxMg';
    await world.db.kysely.insertInto('api_log').values([
      { connection_id: null, system: 'webhook', direction: 'inbound', method: 'POST', path: `/webhooks/odoo/${token}`, status: 200, duration_ms: 1, error: null, request_body: null, response_body: null, created_at: 1 },
      { connection_id: null, system: 'odoo', direction: 'outbound', method: 'POST', path: '/jsonrpc', status: 200, duration_ms: 1, error: null, request_body: JSON.stringify({ webhook_url: `https://c.example/webhooks/odoo/${token}` }), response_body: `[{"webhook_url":"https://c.example/webhooks/odoo/${token}"}]`, created_at: 1 },
      { connection_id: null, system: 'odoo', direction: 'outbound', method: 'POST', path: '/jsonrpc', status: 200, duration_ms: 1, error: null, request_body: '{"other":1}', response_body: null, created_at: 1 },
    ]).execute();
    await scrubApiLog({ db: world.db.kysely, dialect: world.db.dialect });
    const rows = await world.db.kysely.selectFrom('api_log').select(['path', 'request_body', 'response_body']).orderBy('id').execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0].path).toBe('/webhooks/odoo/[redacted]');
    expect(rows[1].request_body).toBe('{"webhook_url":"https://c.example/webhooks/odoo/[redacted]"}');
    expect(rows[2].request_body).toBe('{"other":1}');
  });
});
