/**
 * Several tenants in one deployment (DESIGN §2, §4.1): two connections — the two companies of one Odoo database, each
 * tied to its own Poleepo account — served by one connector process, on SQLite and on PostgreSQL. Each tenant stays
 * apart: the quantities and taxes it exports are its company's, its orders land in its company only (even with the
 * same Poleepo order ids), its webhook token cannot post into the other's, its API log entries carry its connection,
 * and exhausting its rate-limit window does not hold the other back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_ORDER } from '../src/orders/orders.kinds.ts';
import { PROCESS_WEBHOOK_MESSAGE } from '../src/webhooks/webhook-queue.kinds.ts';
import { RateLimitedError } from '../src/shared/errors.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { dialects } from './helpers/db.ts';
import { eventually } from './helpers/wait.ts';
import { control } from './fixtures/poleepo-kit.ts';
import { CHICAGO_STOCK, tenantsWorld, type Tenant, type TenantsWorld } from './helpers/scale-tenants.ts';

/** What each tenant publishes (Chicago leaves E-COM08 out) and the orders each account receives (ids collide). */
const PUBLISHED: Record<string, string[]> = { 'shop-sf': ['E-COM07', 'E-COM08', 'E-COM10'], 'shop-chicago': ['E-COM07', 'E-COM10'] };
const ORDERS: Record<string, { lines: { sku: string; quantity: number; price: number }[] }[]> = {
  'shop-sf': [{ lines: [{ sku: 'E-COM07', quantity: 2, price: 50 }] }, { lines: [{ sku: 'E-COM10', quantity: 1, price: 30 }] }],
  'shop-chicago': [
    { lines: [{ sku: 'E-COM07', quantity: 1, price: 40 }] },
    { lines: [{ sku: 'E-COM07', quantity: 3, price: 40 }, { sku: 'E-COM10', quantity: 1, price: 25 }] },
    { lines: [{ sku: 'E-COM10', quantity: 2, price: 25 }] },
  ],
};

describe.each(dialects)('two tenants in one deployment on %s', (dialect) => {
  let w: TenantsWorld;
  const placed = new Map<string, string[]>();

  const k = () => w.ctx.db.kysely;
  const tasksOf = (kind: string, connectionId: number) => k().selectFrom('tasks').selectAll().where('kind', '=', kind).where('connection_id', '=', connectionId).orderBy('id').execute();
  const idle = async (kinds: string[]) => (await k().selectFrom('tasks').select('id').where('kind', 'in', kinds).where('status', 'in', ['pending', 'running']).where('run_at', '<=', Date.now()).limit(1).execute()).length === 0;

  /** Runs a job now and waits for the per-connection tasks it queued to settle. */
  async function runJob(job: string, kind: string, settled: (tasks: Awaited<ReturnType<typeof tasksOf>>, tenant: Tenant) => boolean): Promise<void> {
    const before = new Map<number, number>();
    for (const t of [w.a, w.b]) before.set(t.connectionId, (await tasksOf(kind, t.connectionId)).at(-1)?.id ?? 0);
    await w.ctx.jobs.runNow(job);
    await eventually(async () => {
      for (const t of [w.a, w.b]) {
        const mine = (await tasksOf(kind, t.connectionId)).filter((x) => x.id > before.get(t.connectionId)!);
        if (!mine.length || !settled(mine, t)) return false;
      }
      return true;
    }, 20_000, `${job} for both connections`);
  }
  const allDone = (tasks: { status: string }[]) => tasks.every((t) => t.status === 'done');

  beforeAll(async () => {
    w = await tenantsWorld(dialect);
    // The catalog: each tenant publishes in its own company (a company-dependent flag), exports, polls the results.
    for (const t of [w.a, w.b]) await w.services.products.setPublished(t.connectionId, { variantIds: PUBLISHED[t.name].map(w.variant) }, true);
    await runJob('generate-product-batches', 'products.generate', allDone);
    await runJob('poll-product-batches', 'products.poll', allDone);
    // The orders: the same Poleepo ids on both accounts, each delivered by its account's webhook.
    for (const t of [w.a, w.b]) {
      const ids: string[] = [];
      for (const order of ORDERS[t.name]) ids.push(String((await control<{ id: number }>(t.sandbox, 'POST', '/__sandbox/orders', { channel: 'AMAZON', ...order })).body.id));
      placed.set(t.name, ids);
    }
    await eventually(async () => {
      for (const t of [w.a, w.b]) {
        const confirmed = await k().selectFrom('order_bindings').select('poleepo_order_id').where('connection_id', '=', t.connectionId).where('state', '=', 'confirmed').execute();
        if (confirmed.length !== placed.get(t.name)!.length) return false;
        if ((await control<{ webhooks: { pending: number } }>(t.sandbox, 'GET', '/__sandbox/stats')).body.webhooks.pending) return false;
      }
      return idle([IMPORT_ORDER.kind, PROCESS_WEBHOOK_MESSAGE.kind]);
    }, 30_000, 'every order of both accounts confirmed');
    // Order Polling: reads each account's changes and pushes each company's confirmations back to its own account.
    const { run } = await w.ctx.jobs.runNow('order-polling');
    await eventually(async () => {
      if ((await w.ctx.jobs.run(run.id))?.status !== 'done') return false;
      const pushed = await k().selectFrom('order_bindings').select('id').where('pushed_status', '=', 'IN_PROCESS').execute();
      const pending = await Promise.all([w.a, w.b].map(async (t) => (await control<{ webhooks: { pending: number } }>(t.sandbox, 'GET', '/__sandbox/stats')).body.webhooks.pending));
      return pushed.length === placed.get(w.a.name)!.length + placed.get(w.b.name)!.length && pending.every((n) => n === 0) && idle([IMPORT_ORDER.kind, PROCESS_WEBHOOK_MESSAGE.kind]);
    }, 30_000, 'the confirmations pushed back to both accounts');
  }, 120_000);

  afterAll(async () => {
    await w?.close();
  });

  it('exports each company\'s own quantities, taxes and publication to its own account', async () => {
    for (const t of [w.a, w.b]) {
      const skus = [...t.sandbox.state.catalog.products.values()].map((p) => p.sku).sort();
      expect(skus, t.name).toEqual([...PUBLISHED[t.name]].sort());
      for (const sku of PUBLISHED[t.name]) {
        const [odoo] = w.call<{ qty_available: number; lst_price: number }[]>('product.product', 'read', [[w.variant(sku)], ['qty_available', 'lst_price']], {}, [t.companyId]);
        const p = t.sandbox.state.catalog.productBySku(sku)!;
        expect(p.quantity, `${t.name} ${sku}`).toBe(Math.max(0, Math.floor(odoo.qty_available)));
        if (t.companyId === 2) expect(p.quantity, `${t.name} ${sku}`).toBe(CHICAGO_STOCK[sku]);
        // E-COM07 carries one price-included tax per company: 22 % in San Francisco, 10 % in Chicago.
        if (sku === 'E-COM07') expect({ vat: p.vat_rate, gross: p.price_with_tax }, t.name).toEqual({ vat: t.tax.rate, gross: odoo.lst_price });
      }
    }
    // San Francisco's stock is not Chicago's: the same SKU, two quantities.
    expect(w.a.sandbox.state.catalog.productBySku('E-COM07')!.quantity).not.toBe(w.b.sandbox.state.catalog.productBySku('E-COM07')!.quantity);
    // Published on Poleepo is per company in Odoo: E-COM08 only in San Francisco.
    const flag = (companyId: number) => w.call<{ x_poleepo_published: boolean }[]>('product.product', 'read', [[w.variant('E-COM08')], ['x_poleepo_published']], {}, [companyId])[0].x_poleepo_published;
    expect([flag(1), flag(2)]).toEqual([true, false]);
  });

  it('imports each account\'s orders into its own company only, with that company\'s taxes, even under the same ids', async () => {
    for (const t of [w.a, w.b]) {
      const other = t === w.a ? w.b : w.a;
      const bindings = await k().selectFrom('order_bindings').select(['poleepo_order_id', 'sale_order_id', 'poleepo_total']).where('connection_id', '=', t.connectionId).orderBy('poleepo_order_id').execute();
      expect(bindings.map((b) => b.poleepo_order_id), t.name).toEqual(placed.get(t.name));
      for (const [i, id] of placed.get(t.name)!.entries()) {
        const orders = w.call<{ id: number; company_id: [number, string]; amount_total: number; order_line: number[]; state: string }[]>('sale.order', 'search_read', [[['x_poleepo_order_id', '=', id], ['company_id', '=', t.companyId]]], { fields: ['company_id', 'amount_total', 'order_line', 'state'] });
        expect(orders, `${t.name} order ${id}`).toHaveLength(1);
        const total = ORDERS[t.name][i].lines.reduce((s, l) => s + l.quantity * l.price, 0);
        expect({ state: orders[0].state, total: orders[0].amount_total }).toEqual({ state: 'sale', total });
        expect(orders[0].id).toBe(bindings.find((b) => b.poleepo_order_id === id)!.sale_order_id);
        const lines = w.call<{ product_id: [number, string]; tax_id: number[] }[]>('sale.order.line', 'read', [orders[0].order_line, ['product_id', 'tax_id']]);
        for (const line of lines.filter((l) => l.product_id[0] === w.variant('E-COM07'))) expect(line.tax_id, `${t.name} ${id}`).toEqual([t.tax.id]);
        // Confirmed in Odoo → pushed back to this account (the same id on the other account is not this order).
        expect(t.sandbox.state.orders.order(id).status).toBe('IN_PROCESS');
      }
      // Nothing of this account in the other company beyond the other account's own orders.
      const inOther = w.call<{ x_poleepo_order_id: string }[]>('sale.order', 'search_read', [[['x_poleepo_order_id', '!=', false], ['company_id', '=', other.companyId]]], { fields: ['x_poleepo_order_id'] });
      expect(inOther.map((o) => o.x_poleepo_order_id).sort()).toEqual([...placed.get(other.name)!].sort());
    }
  });

  it('refuses one tenant\'s webhook token on the other\'s webhook; a message about the other\'s order is only a re-read', async () => {
    const count = async () => Number((await k().selectFrom('webhook_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    // B's webhook with A's token (and B's own signature): unknown webhook.
    const bWithAToken = new URL(w.b.webhook.url);
    bWithAToken.searchParams.set('token', w.a.webhook.token);
    expect((await w.postWebhook(bWithAToken.toString(), w.b.webhook.secret, 1001)).status).toBe(404);
    // A's webhook signed with B's secret: refused.
    expect((await w.postWebhook(w.a.webhook.url, w.b.webhook.secret, 1001)).status).toBe(401);
    expect(await count()).toBe(before);

    // A's own webhook about an order only B's account has: stored for A, re-read from A's account (not found there),
    // and nothing lands in either company.
    const onlyB = placed.get(w.b.name)!.find((id) => !placed.get(w.a.name)!.includes(id))!;
    const posted = await w.postWebhook(w.a.webhook.url, w.a.webhook.secret, Number(onlyB), 'IN_PROCESS');
    expect(posted).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
    const message = await k().selectFrom('webhook_messages').selectAll().where('id', '=', Number(posted.body.id)).executeTakeFirstOrThrow();
    expect(message.connection_id).toBe(w.a.connectionId);
    const [task] = await eventually(async () => {
      const dead = (await tasksOf(IMPORT_ORDER.kind, w.a.connectionId)).filter((t) => t.status === 'dead' && JSON.parse(t.payload).poleepoOrderId === onlyB);
      return dead.length ? dead : null;
    }, 30_000, 'the import on A to give up');
    expect(task.last_error).toMatch(/not found/i);
    const saleOrders = w.call<{ company_id: [number, string] }[]>('sale.order', 'search_read', [[['x_poleepo_order_id', '=', onlyB]]], { fields: ['company_id'] });
    expect(saleOrders.map((s) => s.company_id[0])).toEqual([w.b.companyId]);
    expect((await k().selectFrom('order_bindings').select('state').where('connection_id', '=', w.b.connectionId).where('poleepo_order_id', '=', onlyB).executeTakeFirstOrThrow()).state).toBe('confirmed');
  });

  it('logs every call and webhook with its connection: each account\'s requests, each company\'s Odoo calls', async () => {
    await w.ctx.apiLog.flush();
    const log = await k().selectFrom('api_log').select(['connection_id', 'system', 'direction', 'path', 'status', 'request_body']).execute();
    expect(log.filter((l) => (l.system === 'poleepo' || l.system === 'odoo') && l.connection_id === null).map((l) => `${l.system} ${l.path}`)).toEqual([]);
    for (const t of [w.a, w.b]) {
      // Every request this account's Poleepo received is in the log under this connection, and no other.
      const stats = (await control<{ endpoints: Record<string, { requests: number }> }>(t.sandbox, 'GET', '/__sandbox/stats')).body;
      const received = Object.values(stats.endpoints).reduce((s, e) => s + e.requests, 0);
      expect(log.filter((l) => l.system === 'poleepo' && l.direction === 'outbound' && l.connection_id === t.connectionId)).toHaveLength(received);
      // Every Odoo call of this connection names its company, and only it.
      const odooCalls = log.filter((l) => l.system === 'odoo' && l.connection_id === t.connectionId && (l.request_body ?? '').includes('allowed_company_ids'));
      expect(odooCalls.length, t.name).toBeGreaterThan(10);
      for (const c of odooCalls) expect(c.request_body, t.name).toContain(`"allowed_company_ids":[${t.companyId}]`);
    }
    // Webhooks received carry the connection of the webhook they matched; one that matched none (404) carries none.
    const inbound = log.filter((l) => l.system === 'webhook' && l.direction === 'inbound');
    const names = new Map([[w.a.connectionId, w.a.webhook.name], [w.b.connectionId, w.b.webhook.name]]);
    for (const l of inbound) {
      if (l.connection_id === null) expect(l.status).toBe(404);
      else expect(l.path).toBe(`/webhooks/poleepo/${names.get(l.connection_id)}`);
    }
    for (const t of [w.a, w.b]) expect(inbound.filter((l) => l.connection_id === t.connectionId && l.status === 200).length, t.name).toBeGreaterThan(0);
  });

  it('counts rate limits per Poleepo account: A exhausting its window does not hold B back', async () => {
    // A change both companies see (the price is shared): one batch in flight per connection.
    const [tmpl] = w.call<{ product_tmpl_id: [number, string]; list_price: number }[]>('product.product', 'read', [[w.variant('E-COM10')], ['product_tmpl_id', 'list_price']]);
    w.call('product.template', 'write', [[tmpl.product_tmpl_id[0]], { list_price: tmpl.list_price + 1 }]);
    await runJob('generate-product-batches', 'products.generate', allDone);
    const sent = async (t: Tenant) => k().selectFrom('product_batches').select(['id', 'poleepo_batch_id']).where('connection_id', '=', t.connectionId).where('status', '=', 'sent').execute();
    const [batchA] = await sent(w.a);
    expect(batchA).toBeDefined();
    expect(await sent(w.b)).toHaveLength(1);

    // A uses up its window of batch-status requests (5 per 10 minutes, the default).
    const clientA = await w.services.products.poleepo(w.a.connectionId);
    let refusal: unknown;
    for (let i = 0; i < 6 && !refusal; i++) await clientA.getBatch(batchA.poleepo_batch_id!).catch((e: unknown) => (refusal = e));
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect(await w.ctx.ledger.used(w.a.accountKey, 'batches.status', 600_000)).toBe(5);
    const usedB = await w.ctx.ledger.used(w.b.accountKey, 'batches.status', 600_000);
    expect(usedB).toBeLessThan(5);

    // Poll Product Batches: A's task waits for its window, B's runs and completes its batch.
    await runJob('poll-product-batches', 'products.poll', (tasks, t) => {
      const last = tasks.at(-1)!;
      return t === w.a ? last.status === 'pending' && /Rate limited/.test(last.last_error ?? '') : last.status === 'done';
    });
    expect(await sent(w.b)).toHaveLength(0);
    expect(await sent(w.a)).toHaveLength(1);
    expect(await w.ctx.ledger.used(w.b.accountKey, 'batches.status', 600_000)).toBe(usedB + 1);
    // A's account was never asked beyond its limit: the ledger held the poll back before sending.
    const statsA = (await control<{ endpoints: Record<string, { requests: number; rate_limited: number; max_in_window: number }> }>(w.a.sandbox, 'GET', '/__sandbox/stats')).body.endpoints['batches.status'];
    expect(statsA.rate_limited).toBe(0);
    expect(statsA.max_in_window).toBe(5);

    // The ledger counts per Poleepo account, not per connection: another connection on A's account (say, a second
    // company selling through the same Poleepo account) finds A's window full too.
    const sameAccount = await new ConnectionsService(w.ctx).create({
      name: 'shop-sf-outlet', active: false,
      odoo: { url: w.odoo.url, db: w.odoo.db, login: w.odoo.login, apiKey: w.odoo.apiKey, companyId: 2 },
      poleepo: { baseUrl: w.a.sandbox.url, clientId: w.a.sandbox.clients[0].clientId, clientSecret: w.a.sandbox.clients[0].clientSecret },
    });
    const clientC = await w.services.products.poleepo(sameAccount.id);
    expect(clientC.accountKey).toBe(w.a.accountKey);
    await expect(clientC.getBatch(batchA.poleepo_batch_id!)).rejects.toBeInstanceOf(RateLimitedError);
    expect(statsA.requests).toBe((await control<{ endpoints: Record<string, { requests: number }> }>(w.a.sandbox, 'GET', '/__sandbox/stats')).body.endpoints['batches.status'].requests);
  });
});
