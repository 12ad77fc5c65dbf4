import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CliRuntime } from '../src/cli/runtime.ts';
import { runCli } from '../src/cli/main.ts';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';
import { PUBLIC_URL, productsKit, type ProductsKit } from './fixtures/products-kit.ts';

/** `products sync|preview|publish|unpublish` and `batches list|show`, run as a person runs them (DESIGN §3.1). */

let kit: ProductsKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

async function setup() {
  const k = await productsKit({ version: 18, dialect: 'sqlite' });
  kit = k;
  const env = { DATABASE_URL: k.db.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, PUBLIC_URL };
  return { k, env, run: (args: string[]) => cli(args, env) };
}

describe('products and batches CLI', () => {
  it('sync --dry-run reports what would be sent and changes nothing; sync sends; batches list/show follow it', async () => {
    const { k, run } = await setup();
    k.publish([...k.variantsOf('Customizable Desk'), ...k.variantsOf('Large Cabinet')]);
    const dry = await run(['products', 'sync', '--dry-run']);
    expect(dry.stderr).toContain('Dry run: reading product changes from Odoo (connection odoo18)');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Connection odoo18: full detection (dry run: nothing stored, written or sent), 6 variants read.');
    expect(dry.stdout).toContain('Variants: 6 to send');
    expect(dry.stdout).toContain('Parent entries: 1 to send');
    expect(await k.db.kysely.selectFrom('product_bindings').select('id').execute()).toEqual([]);
    expect(k.sandbox.stats.endpoint('batches.submit').requests).toBe(0);

    const sync = await run(['products', 'sync']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain('Variants: 6 queued');
    expect(sync.stdout).toContain('Batches sent: 1 (7 items). Results come with Poll Product Batches.');
    expect(sync.stdout).toMatch(/Odoo updated: 6 variants/);

    const list = await run(['batches', 'list']);
    expect(list.stdout).toMatch(/^ID\s+CONNECTION\s+STATUS\s+ITEMS/);
    expect(list.stdout).toMatch(/\n1\s+odoo18\s+sent\s+7\s+0\s+0\s+5001/);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    const show = await run(['batches', 'show', '1']);
    expect(show.stdout).toContain('Batch #1 (connection odoo18): completed (Poleepo: COMPLETED)');
    expect(show.stdout).toMatch(/\n1\s+9\s+parent\s+9\s+create\s+completed\s+\d+/);
    const json = JSON.parse((await run(['batches', 'show', '1', '--json'])).stdout);
    expect(json.items).toHaveLength(7);
    expect(json.items[0].payload).toMatchObject({ sku: '9', title: 'Customizable Desk' });
    expect(JSON.parse((await run(['batches', 'list', '--json'])).stdout)[0]).toMatchObject({ id: 1, status: 'completed' });
    expect((await run(['batches', 'show', '99'])).stderr).toBe('Error: No product batch #99\n');
    expect((await run(['batches', 'list', '--status', 'nope'])).code).toBe(1);

    const again = await run(['products', 'sync', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ detect: { mode: 'incremental' }, batches: { batches: 0 } });
  });

  it('preview prints the exact payload (and the parent entry); --json for scripts; an unknown SKU is refused', async () => {
    const { k, run } = await setup();
    const desk = k.variantsOf('Customizable Desk');
    k.publish(desk);
    const [v] = k.call<{ default_code: string; lst_price: number }[]>('product.product', 'read', [[desk[0]], ['default_code', 'lst_price']]);
    const out = await run(['products', 'preview', v.default_code]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`SKU ${v.default_code} — variant ${desk[0]}: a new Poleepo product`);
    expect(out.stdout).toContain('Parent entry (sent before its variants):');
    expect(out.stdout).toContain(`"price": ${v.lst_price}`);
    const json = JSON.parse((await run(['products', 'preview', v.default_code, '--json'])).stdout);
    expect(json).toMatchObject({ sku: v.default_code, parent: { sku: '9', title: 'Customizable Desk' }, variants: [{ odooId: desk[0], operation: 'create', entry: { sku: v.default_code, parent_sku: '9', price: v.lst_price } }] });
    // The preview is exactly what a sync sends.
    await run(['products', 'sync']);
    const batch = JSON.parse((await run(['batches', 'show', '1', '--json'])).stdout);
    expect(batch.items.find((i: { odoo_id: number }) => i.odoo_id === desk[0]).payload).toEqual(json.variants[0].entry);
    const unknown = await run(['products', 'preview', 'NO-SUCH-SKU']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('Error: No variant has the SKU "NO-SUCH-SKU" (x_poleepo_sku, else Internal Reference) in Odoo\n');
  });

  it('publish / unpublish by SKU, by template and all; exactly one target is required', async () => {
    const { k, run } = await setup();
    const desk = k.variantsOf('Customizable Desk');
    const published = () => k.call<{ id: number; x_poleepo_published: boolean }[]>('product.product', 'read', [desk, ['x_poleepo_published']]).filter((r) => r.x_poleepo_published).map((r) => r.id);
    const sku = k.call<{ default_code: string }[]>('product.product', 'read', [[desk[0]], ['default_code']])[0].default_code;
    expect((await run(['products', 'publish', sku])).stdout).toBe('1 variant published on Poleepo (connection odoo18). The next sync sends them.\n');
    expect(published()).toEqual([desk[0]]);
    expect((await run(['products', 'publish', '--template', String(k.templateId('Customizable Desk'))])).stdout).toContain(`${desk.length} variants published`);
    expect(published()).toEqual(desk);
    expect((await run(['products', 'unpublish', sku, '--json'])).stdout).toContain('"count": 1');
    expect(published()).toEqual(desk.slice(1));
    const all = await run(['products', 'unpublish', '--all']);
    expect(all.code).toBe(0);
    expect(published()).toEqual([]);
    // --all publishes the saleable storable products only: services and consumables (no stock, often no SKU) stay out.
    expect((await run(['products', 'publish', '--all'])).code).toBe(0);
    const storable = k.version === 17 ? [['type', '=', 'product']] : [['is_storable', '=', true]];
    const everyPublished = k.call<number[]>('product.product', 'search', [[['x_poleepo_published', '=', true]]], { order: 'id asc' });
    expect(everyPublished).toEqual(k.call<number[]>('product.product', 'search', [[['sale_ok', '=', true], ...storable]], { order: 'id asc' }));
    expect(k.call<number>('product.product', 'search_count', [[['x_poleepo_published', '=', true], ['type', '=', 'service']]])).toBe(0);
    expect(k.call<number>('product.product', 'search_count', [[['sale_ok', '=', true], ['type', '=', 'service']]])).toBeGreaterThan(0);
    expect((await run(['products', 'unpublish', '--all'])).code).toBe(0);
    expect(everyPublished.length).toBeGreaterThan(0);
    expect(k.call<number>('product.product', 'search_count', [[['x_poleepo_published', '=', true]]])).toBe(0);
    expect((await run(['products', 'publish'])).stderr).toMatch(/^Error: Name exactly one of: a SKU, --template ID, --all/);
    expect((await run(['products', 'publish', sku, '--all'])).code).toBe(1);
    expect((await run(['products', 'publish', '--template', 'abc'])).stderr).toBe('Error: --template must be a whole number (got "abc")\n');
    expect((await run(['products', 'publish', 'NOPE'])).stderr).toBe('Error: No active variant has the SKU "NOPE" in Odoo\n');
    expect((await run(['products', 'sync', '--connection', 'other'])).stderr).toMatch(/^Error: No connection named "other"/);
  });

  it('shows a progress bar on a terminal', async () => {
    const { k, env } = await setup();
    k.publish(k.variantsOf('Customizable Desk'));
    let text = '';
    const tty = Object.assign(new Writable({ write(chunk, _enc, done) { text += chunk.toString(); done(); } }), { isTTY: true, columns: 120 });
    const runtime = new CliRuntime({ LOG_LEVEL: 'silent', ...env });
    runtime.stderr = tty as unknown as NodeJS.WritableStream;
    runtime.stdout = new Writable({ write(_c, _e, done) { done(); } });
    expect(await runCli(['products', 'sync', '--full'], runtime)).toBe(0);
    expect(text).toMatch(/Reading .*\d+\/5 variants/);
  });
});
