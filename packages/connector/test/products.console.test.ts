import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleApp } from '../src/console/console.app.tsx';
import { ConsoleClient, PASSWORD } from './helpers/console.ts';
import { productsKit, type ProductsKit } from './fixtures/products-kit.ts';

/** The products and product batches pages (DESIGN §4.10), with the real services behind them, in both languages. */

let kit: ProductsKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function setup() {
  // A plain-http public URL: the test client keeps the console's non-Secure cookie names.
  const k = await productsKit({ version: 18, publicUrl: 'http://127.0.0.1' });
  kit = k;
  const app = createConsoleApp(k.ctx, { modules: k.services, clientIp: () => '127.0.0.1', timeZone: 'Europe/Rome' });
  const login = async (role: 'operator' | 'admin', lang: 'it' | 'en' = 'en') => {
    const name = `${role}-${lang}`;
    await app.services.auth.users.create({ login: name, password: PASSWORD, role, lang });
    const client = new ConsoleClient(app);
    await client.login(name, PASSWORD);
    return client;
  };
  return { k, app, login };
}

const text = async (res: Response) => res.text();

describe('console: products and product batches', () => {
  it('lists the products with their state and counts; filters; the detail shows the last payload and its batches', async () => {
    const { k, login } = await setup();
    const desk = k.variantsOf('Customizable Desk');
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { list_price: -5 }]);
    k.publish([...desk, cabinet]);
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    const operator = await login('operator');
    const list = await text(await operator.get('/products'));
    expect(list).toContain('Products on Poleepo');
    expect(list).toContain('6 published · 0 queued · 0 in flight · 1 with an error · 6 up to date');
    expect(list).toContain('Up to date');
    expect(list).toContain('VALIDATION_ERROR: price');
    expect(list).not.toContain('VALIDATION_ERROR: VALIDATION_ERROR');
    const errors = await text(await operator.get('/products?state=error'));
    expect(errors).toContain('Large Cabinet');
    expect(errors).not.toContain('Customizable Desk (');
    const sku = k.call<{ default_code: string }[]>('product.product', 'read', [[desk[0]], ['default_code']])[0].default_code;
    const found = await text(await operator.get(`/products?q=${sku}`));
    expect(found).toContain(sku);
    expect(found).not.toContain('Large Cabinet');
    const binding = (await k.services.products.bindings.byOdooIds(k.connectionId, 'variant', [desk[0]])).get(desk[0])!;
    const detail = await text(await operator.get(`/products/${binding.id}`));
    expect(detail).toContain(`Product ${sku}`);
    expect(detail).toContain('Last payload sent');
    expect(detail).toContain(`&quot;sku&quot;: &quot;${sku}&quot;`);
    expect(detail).toContain('href="/batches/1"');
    expect((await operator.get('/products/999999')).status).toBe(404);
  });

  it('preview reads Odoo now; publish and unpublish write Published on Poleepo; sync now queues a run', async () => {
    const { k, login } = await setup();
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.publish([cabinet]);
    await k.services.products.sync(k.connectionId);
    const binding = (await k.services.products.bindings.byOdooIds(k.connectionId, 'variant', [cabinet])).get(cabinet)!;
    const operator = await login('operator');
    const preview = await text(await operator.get(`/products/${binding.id}/preview`));
    expect(preview).toContain('Would be sent as: Create');
    expect(preview).toContain('&quot;title&quot;: &quot;Large Cabinet&quot;');
    const off = await operator.post(`/products/${binding.id}/unpublish`);
    expect(off.status).toBe(303);
    expect(k.call<{ x_poleepo_published: boolean }[]>('product.product', 'read', [[cabinet], ['x_poleepo_published']])[0].x_poleepo_published).toBe(false);
    expect(await text(await operator.get(`/products/${binding.id}`))).toContain('Unpublished: the next sync sends it once as inactive.');
    expect((await operator.post(`/products/${binding.id}/publish`)).status).toBe(303);
    expect(k.call<{ x_poleepo_published: boolean }[]>('product.product', 'read', [[cabinet], ['x_poleepo_published']])[0].x_poleepo_published).toBe(true);
    const sync = await operator.post('/products/sync', { connection: String(k.connectionId) });
    expect(sync.status).toBe(303);
    const [task] = (await k.ctx.tasks.list({ kind: 'products.generate' })).rows;
    expect(task).toMatchObject({ connection_id: k.connectionId, status: 'pending' });
    expect(await text(await operator.get(`/products?connection=${k.connectionId}`))).toContain(`A sync of odoo18 is queued (task #${task.id}).`);
    // Odoo unreachable: the preview says so on the page.
    await k.odoo.stop();
    let settled = false;
    const pending = operator.get(`/products/${binding.id}/preview`).finally(() => (settled = true));
    // The client retries a refused connection with backoff on the shared clock: let that time pass.
    while (!settled) {
      k.clock.advance(5_000);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const down = await pending;
    expect(down.status).toBe(200);
    expect(await text(down)).toContain('The preview could not be built:');
  });

  it('the batches page: statuses, items, errors, in Italian too', async () => {
    const { k, login } = await setup();
    const [cabinet] = k.variantsOf('Large Cabinet');
    const [chair] = k.variantsOf('Corner Desk Right Sit');
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { list_price: -5 }]);
    k.publish([cabinet, chair]);
    await k.services.products.sync(k.connectionId);
    const operator = await login('operator');
    expect(await text(await operator.get('/batches'))).toMatch(/Sent/);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    const list = await text(await operator.get('/batches?status=completed'));
    expect(list).toContain('href="/batches/1"');
    expect(list).toContain('Completed');
    const detail = await text(await operator.get('/batches/1'));
    expect(detail).toContain('Product batch #1');
    expect(detail).toContain('VALIDATION_ERROR: ');
    expect(detail).toContain('Payload');
    const italian = await login('operator', 'it');
    expect(await text(await italian.get('/batches/1'))).toContain('Lotto prodotti #1');
    expect(await text(await italian.get('/products'))).toContain('Prodotti su Poleepo');
    expect((await italian.get('/batches/77')).status).toBe(404);
  });
});
