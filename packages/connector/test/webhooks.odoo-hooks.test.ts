import { afterEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { createContext, type AppContext } from '../src/app/context.ts';
import { buildServices, odooChangeDispatch } from '../src/app/modules.ts';
import { mountOdooHookRoutes } from '../src/webhooks/odoo-hooks.routes.ts';
import { odooWebhookToken } from '../src/provisioning/provisioning.tokens.ts';
import { testConfig } from './helpers/config.ts';
import { insertTestConnection } from './helpers/connections.ts';

describe('POST /webhooks/odoo/:token (Odoo automation rules)', () => {
  let ctx: AppContext | undefined;
  afterEach(async () => ctx?.close());

  it("runs the change detection of the token's connection now, coalescing bursts; unknown tokens get 404 and nothing", async () => {
    ctx = await createContext(testConfig(), { migrate: true });
    const services = buildServices(ctx);
    const app = new Hono();
    mountOdooHookRoutes(app, ctx, odooChangeDispatch(ctx, services));
    await insertTestConnection(ctx.db, 'a');
    const b = await insertTestConnection(ctx.db, 'b');
    const tokenB = await odooWebhookToken(ctx, b);
    const post = (token: string, model = 'product.template') => app.request(`/webhooks/odoo/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ _model: model, _id: 9 }) });

    expect((await post('not-a-token')).status).toBe(404);
    expect(await ctx.db.kysely.selectFrom('tasks').selectAll().execute()).toEqual([]);

    const first = (await (await post(tokenB)).json()) as { queued: boolean; task: number; coalesced: boolean };
    const second = (await (await post(tokenB)).json()) as { queued: boolean; task: number; coalesced: boolean };
    expect(first).toMatchObject({ queued: true, coalesced: false });
    expect(second).toEqual({ queued: true, task: first.task, coalesced: true });
    const tasks = await ctx.db.kysely.selectFrom('tasks').selectAll().execute();
    expect(tasks.map((t) => [t.kind, t.connection_id, t.status])).toEqual([['products.generate', b, 'pending']]);

    // A sale order's state changed in Odoo: the orders' Odoo half runs now (once per burst), not the export.
    const order = (await (await post(tokenB, 'sale.order')).json()) as { task: number; coalesced: boolean };
    const orderAgain = (await (await post(tokenB, 'sale.order')).json()) as { task: number; coalesced: boolean };
    expect(orderAgain).toMatchObject({ task: order.task, coalesced: true });
    const queued = await ctx.db.kysely.selectFrom('tasks').select(['kind', 'connection_id']).where('id', '=', order.task).executeTakeFirstOrThrow();
    expect(queued).toEqual({ kind: 'orders.odoo-changes', connection_id: b });
  });
});
