import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../src/server/http.app.ts';
import { mountImageRoutes } from '../src/images/images.routes.ts';
import { parseImageToken, signImage } from '../src/images/images.tokens.ts';
import { dialects } from './helpers/db.ts';
import { PUBLIC_URL, productsKit, type ProductsKit } from './fixtures/products-kit.ts';
import { ImageKeysRepo } from '../src/images/images.keys.repo.ts';
import { cli } from './helpers/cli.ts';
import { TEST_ENCRYPTION_KEY } from './helpers/config.ts';

/**
 * Signed image URLs (DESIGN §4.3.1): HMAC per connection, content-addressed by the image's checksum (the URL changes
 * only when the image does), no expiry, bytes read from Odoo through the API once and cached, 404 for bad tokens,
 * revoked by rotating the key.
 */

const RED = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';
const BLUE = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC';
const sha1 = (b64: string) => createHash('sha1').update(Buffer.from(b64, 'base64')).digest('hex');

let kit: ProductsKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe.each(dialects)('GET /images/:token on %s', (dialect) => {
  async function setup() {
    const k = await productsKit({ dialect, version: 18 });
    kit = k;
    const app = createHttpApp(k.ctx, { routes: [(a) => mountImageRoutes(a, k.services.images)] });
    const get = (url: string, headers: Record<string, string> = {}) => app.request(url.replace(PUBLIC_URL, 'http://127.0.0.1'), { headers });
    return { k, get };
  }

  async function exportAndSettle(k: ProductsKit) {
    await k.services.products.sync(k.connectionId);
    k.processBatches();
    await k.services.products.poll(k.connectionId);
  }

  it('sends signed URLs of the variant\'s own image, then its template\'s, and serves their bytes once read from Odoo', async () => {
    const { k, get } = await setup();
    const desk = k.variantsOf('Customizable Desk');
    k.call('product.template', 'write', [[k.templateId('Customizable Desk')], { image_1920: RED }]);
    k.call('product.product', 'write', [[desk[0]], { image_variant_1920: BLUE }]);
    k.publish(desk.slice(0, 2));
    await exportAndSettle(k);
    const sku = (id: number) => (k.call<{ default_code: string }[]>('product.product', 'read', [[id], ['default_code']]))[0].default_code;
    const own = (k.poleepoBySku(sku(desk[0]))!.images as { url: string }[]).map((i) => i.url);
    const inherited = (k.poleepoBySku(sku(desk[1]))!.images as { url: string }[]).map((i) => i.url);
    // Both pictures Odoo has for this variant: its own first, then the template's.
    expect(own).toHaveLength(2);
    expect(parseImageToken(own[1].split('/images/')[1])).toMatchObject({ model: 'product.template', field: 'image_1920', checksum: sha1(RED) });
    expect(inherited).toHaveLength(1);
    expect(own[0].startsWith(`${PUBLIC_URL}/images/`)).toBe(true);
    expect(parseImageToken(own[0].split('/images/')[1])).toMatchObject({ connectionId: k.connectionId, model: 'product.product', id: desk[0], field: 'image_variant_1920', checksum: sha1(BLUE) });
    expect(parseImageToken(inherited[0].split('/images/')[1])).toMatchObject({ model: 'product.template', field: 'image_1920', checksum: sha1(RED) });
    const res = await get(own[0]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await res.arrayBuffer()).toString('base64')).toBe(BLUE);
    // Cached by checksum: served again without asking Odoo.
    const calls = k.odoo.stats().objectCalls;
    expect((await get(inherited[0])).status).toBe(200);
    expect((await get(inherited[0])).status).toBe(200);
    expect(k.odoo.stats().objectCalls).toBe(calls);
    const etag = res.headers.get('etag')!;
    expect((await get(own[0], { 'If-None-Match': etag })).status).toBe(304);
  });

  it('with the website shop installed, the extra images (product.image) of the variant and of its template follow the main ones, each once', async () => {
    const k = await productsKit({ dialect, version: 18, modules: { websiteSale: true } });
    kit = k;
    const app = createHttpApp(k.ctx, { routes: [(a) => mountImageRoutes(a, k.services.images)] });
    const GREEN = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNg+M8AAAICAQB7CYF4AAAAAElFTkSuQmCC';
    const tmpl = k.templateId('Customizable Desk');
    const desk = k.variantsOf('Customizable Desk');
    k.call('product.template', 'write', [[tmpl], { image_1920: RED }]);
    k.call('product.image', 'create', [{ name: 'side', product_tmpl_id: tmpl, image_1920: GREEN, sequence: 1 }]);
    k.call('product.image', 'create', [{ name: 'same as the main one', product_tmpl_id: tmpl, image_1920: RED, sequence: 2 }]);
    k.call('product.image', 'create', [{ name: 'empty slot', product_tmpl_id: tmpl, sequence: 3 }]);
    k.call('product.image', 'create', [{ name: 'detail', product_variant_id: desk[0], image_1920: BLUE }]);
    k.publish(desk.slice(0, 2));
    await exportAndSettle(k);
    const sku = (id: number) => (k.call<{ default_code: string }[]>('product.product', 'read', [[id], ['default_code']]))[0].default_code;
    const tokens = (id: number) => (k.poleepoBySku(sku(id))!.images as { url: string }[]).map((i) => parseImageToken(i.url.split('/images/')[1])!);
    // Variant 1: the template's image, its own extra image, then the template's extra images (RED twice: sent once).
    expect(tokens(desk[0]).map((t) => [t.model, t.checksum])).toEqual([['product.template', sha1(RED)], ['product.image', sha1(BLUE)], ['product.image', sha1(GREEN)]]);
    expect(tokens(desk[1]).map((t) => [t.model, t.checksum])).toEqual([['product.template', sha1(RED)], ['product.image', sha1(GREEN)]]);
    const extra = (k.poleepoBySku(sku(desk[0]))!.images as { url: string }[])[1].url;
    const res = await app.request(extra.replace(PUBLIC_URL, 'http://127.0.0.1'));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString('base64')).toBe(BLUE);
  });

  it('the URL changes only when the image does: unchanged → nothing resent; a new image → a new URL, the old one still names the old bytes', async () => {
    const { k, get } = await setup();
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { image_1920: RED }]);
    k.publish([cabinet]);
    await exportAndSettle(k);
    const code = k.call<{ default_code: string }[]>('product.product', 'read', [[cabinet], ['default_code']])[0].default_code;
    const first = (k.poleepoBySku(code)!.images as { url: string }[])[0].url;
    k.clock.advance(180_000);
    expect(await k.services.products.sync(k.connectionId, { full: true })).toMatchObject({ batches: { batches: 0 } });
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { image_1920: BLUE }]);
    k.clock.advance(180_000);
    const changed = await k.services.products.sync(k.connectionId);
    expect(changed.batches).toMatchObject({ items: 1 });
    k.processBatches();
    await k.services.products.poll(k.connectionId);
    const second = (k.poleepoBySku(code)!.images as { url: string }[])[0].url;
    expect(second).not.toBe(first);
    expect(Buffer.from(await (await get(second)).arrayBuffer()).toString('base64')).toBe(BLUE);
    expect(Buffer.from(await (await get(first)).arrayBuffer()).toString('base64')).toBe(RED);
  });

  it('uses the checksum Odoo keeps on the image attachment (no bytes read to sign); a record now holding other bytes is a 404', async () => {
    const { k, get } = await setup();
    const [cabinet] = k.variantsOf('Large Cabinet');
    const tmpl = k.templateId('Large Cabinet');
    k.call('product.template', 'write', [[tmpl], { image_1920: RED }]);
    // Odoo stores image fields as attachments (res_field); the emulator's field is mirrored here as Odoo would hold it.
    k.call('ir.attachment', 'create', [{ name: 'image_1920', res_model: 'product.template', res_field: 'image_1920', res_id: tmpl, datas: RED }]);
    k.publish([cabinet]);
    await k.services.products.sync(k.connectionId);
    const [entry] = (await k.services.products.batches.items((await k.services.products.batches.list({ connectionId: k.connectionId }, { limit: 1, offset: 0 })).rows[0].id));
    const url = (JSON.parse(entry.payload) as { images: string[] }).images[0];
    expect(parseImageToken(url.split('/images/')[1])!.checksum).toBe(sha1(RED));
    expect(await k.services.images.cache.has(k.connectionId, sha1(RED))).toBe(false);
    // The record changed meanwhile: the URL names the old image, which Odoo no longer has.
    k.call('product.template', 'write', [[tmpl], { image_1920: BLUE }]);
    expect((await get(url)).status).toBe(404);
    k.call('product.template', 'write', [[tmpl], { image_1920: RED }]);
    const ok = await get(url);
    expect(ok.status).toBe(200);
    expect(await k.services.images.cache.has(k.connectionId, sha1(RED))).toBe(true);
  });

  it('404 for a malformed token, a forged or tampered signature, another connection, and after the key is rotated', async () => {
    const { k, get } = await setup();
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { image_1920: RED }]);
    k.publish([cabinet]);
    await exportAndSettle(k);
    const code = k.call<{ default_code: string }[]>('product.product', 'read', [[cabinet], ['default_code']])[0].default_code;
    const url = (k.poleepoBySku(code)!.images as { url: string }[])[0].url;
    const token = url.split('/images/')[1];
    expect((await get(url)).status).toBe(200);
    const parsed = parseImageToken(token)!;
    const tampered = token.replace(/\.\d+\.i\./, `.${parsed.id + 1}.i.`);
    expect((await get(`/images/${tampered}`)).status).toBe(404);
    const lastChar = token.at(-1) === 'A' ? 'B' : 'A';
    expect((await get(`/images/${token.slice(0, -1)}${lastChar}`)).status).toBe(404);
    expect((await get(`/images/${signImage(Buffer.alloc(32, 1), { ...parsed })}`)).status).toBe(404);
    expect((await get(`/images/${token.replace(/^\d+\./, `${k.connectionId + 1}.`)}`)).status).toBe(404);
    for (const bad of ['x', '../../etc/passwd', `${token}.x`, 'a'.repeat(300)]) expect((await get(`/images/${encodeURIComponent(bad)}`)).status).toBe(404);
    // The key is stored encrypted.
    const [stored] = await k.db.kysely.selectFrom('product_image_keys').select('secret').execute();
    expect(stored.secret.startsWith('v1:')).toBe(true);
    await k.services.images.keys.rotate(k.connectionId);
    expect((await get(url)).status).toBe(404);
    // Odoo down and the image not cached: 503 (Poleepo tries again later), not a broken link.
    const fresh0 = await k.services.products.preview(k.connectionId, code);
    await k.db.kysely.deleteFrom('product_image_cache').execute();
    k.odoo.knobs.faults.add({ kind: 'error', preset: 'access', model: 'product.template', method: 'read', count: 1 });
    const unavailable = await get(fresh0.variants[0].entry!.images![0]);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('60');
    // No expiry otherwise: a year later the current URLs still work.
    k.clock.advance(365 * 86_400_000);
    const fresh = await k.services.products.preview(k.connectionId, code);
    expect((await get(fresh.variants[0].entry!.images![0])).status).toBe(200);
  });

  it('a key deactivated elsewhere (another process, the CLI) stops verifying at once: no cached key outlives it', async () => {
    const { k, get } = await setup();
    const [cabinet] = k.variantsOf('Large Cabinet');
    k.call('product.template', 'write', [[k.templateId('Large Cabinet')], { image_1920: RED }]);
    k.publish([cabinet]);
    await exportAndSettle(k);
    const code = k.call<{ default_code: string }[]>('product.product', 'read', [[cabinet], ['default_code']])[0].default_code;
    const url = (k.poleepoBySku(code)!.images as { url: string }[])[0].url;
    expect((await get(url)).status).toBe(200);
    // Another process rotates (its own repository over the same database): this one refuses the old URL now.
    await new ImageKeysRepo(k.db, k.ctx.secrets, k.clock).rotate(k.connectionId);
    expect((await get(url)).status).toBe(404);
    const fresh = (await k.services.products.preview(k.connectionId, code)).variants[0].entry!.images![0];
    expect(fresh).not.toBe(url);
    expect((await get(fresh)).status).toBe(200);
    // A key switched off by hand, without a successor: nothing verifies.
    await k.db.kysely.updateTable('product_image_keys').set({ active: 0 }).execute();
    expect((await get(fresh)).status).toBe(404);
  });
});

describe('images rotate-key (CLI)', () => {
  it('replaces the connection\'s image key: the old one inactive, a new one active, and says how to resend the URLs', async () => {
    const k = await productsKit({ dialect: 'sqlite', version: 18 });
    kit = k;
    const before = await k.services.images.keys.current(k.connectionId);
    const env = { DATABASE_URL: k.db.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    const rotated = await cli(['images', 'rotate-key'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('every image URL signed before now answers 404');
    expect(rotated.stdout).toContain(`products sync --full --connection`);
    const keys = await k.db.kysely.selectFrom('product_image_keys').select(['active']).orderBy('id').execute();
    expect(keys.map((r) => r.active)).toEqual([0, 1]);
    expect((await k.services.images.keys.current(k.connectionId)).equals(before)).toBe(false);
    const json = await cli(['images', 'rotate-key', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ rotated: true, deactivatedKeys: 1 });
  });
});
