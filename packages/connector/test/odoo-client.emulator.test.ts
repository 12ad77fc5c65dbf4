import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../src/http/http.client.ts';
import { ApiLogRecorder } from '../src/apilog/apilog.recorder.ts';
import { ApiLogRepo } from '../src/apilog/apilog.repo.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { OdooClient, type OdooClientOptions } from '../src/odoo/odoo.client.ts';
import {
  OdooAccessError, OdooAuthError, OdooConcurrencyError, OdooMissingError, OdooNotFoundError, OdooServerError,
  OdooTransportError, OdooValidationError,
} from '../src/odoo/odoo.errors.ts';
import { createTestDb, type TestDb } from './helpers/db.ts';

/**
 * The client against the Odoo emulator (src/sandbox/odoo), which plays 17, 18 and 19 as recorded: probing, auth,
 * each error class, retries on concurrency only, timeouts, the idempotent create after a lost reply, paging,
 * feature detection and the API log.
 */

const versions = [17, 18, 19] as const;

let emulator: OdooEmulator | undefined;
let db: TestDb | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
  await db?.cleanup();
  db = undefined;
});

function clientOf(odoo: OdooEmulator, clock = new ManualClock(), extra: Partial<OdooClientOptions> = {}, http?: HttpClient): OdooClient {
  return new OdooClient({
    endpoint: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, connectionId: 3 },
    http: http ?? new HttpClient({ clock }),
    clock,
    context: { companyId: 1 },
    timeoutMs: 10_000,
    ...extra,
  });
}

/** Advances the client's manual clock until the promise settles (backoff sleeps), without real waiting. */
async function drive<T>(clock: ManualClock, promise: Promise<T>, stepMs = 250): Promise<T> {
  let done = false;
  const watched = promise.finally(() => { done = true; });
  watched.catch(() => undefined);
  for (let i = 0; i < 2000 && !done; i++) {
    await new Promise((r) => setImmediate(r));
    clock.advance(stepMs);
  }
  return watched;
}

describe.each(versions)('Odoo client against the emulator playing %s', (version) => {
  it('probes the transport the version offers, authenticates and reads the version', async () => {
    emulator = await startOdooEmulator({ version });
    const session = await clientOf(emulator).connect();
    expect(session.kind).toBe(version >= 19 ? 'json2' : 'jsonrpc');
    expect(session.version.major).toBe(version);
    expect(session.uid).toBe(2);
  });

  it('refuses a wrong key with OdooAuthError', async () => {
    emulator = await startOdooEmulator({ version });
    const wrong = new OdooClient({ endpoint: { url: emulator.url, db: emulator.db, login: 'admin', apiKey: 'this-is-not-a-valid-api-key' }, http: new HttpClient({ clock: new ManualClock() }), clock: new ManualClock() });
    await expect(wrong.searchCount('res.partner', [])).rejects.toBeInstanceOf(OdooAuthError);
  });

  it('types what Odoo answers: unknown model, validation, missing record, unknown field', async () => {
    emulator = await startOdooEmulator({ version });
    const client = clientOf(emulator);
    await expect(client.searchCount('x.no.such.model', [])).rejects.toBeInstanceOf(OdooNotFoundError);
    await expect(client.create('res.partner', { email: 'no-name@example.com' })).rejects.toBeInstanceOf(OdooValidationError);
    await expect(client.write('res.partner', [999_999], { name: 'x' })).rejects.toBeInstanceOf(OdooMissingError);
    await expect(client.searchRead('res.partner', [], { fields: ['no_such_field'], limit: 1 })).rejects.toBeInstanceOf(OdooServerError);
  });

  it('types injected faults: access, HTTP 500, reset', async () => {
    emulator = await startOdooEmulator({ version });
    const client = clientOf(emulator);
    await client.connect();
    emulator.knobs.faults.add({ kind: 'error', preset: 'access', model: 'res.partner', method: 'search_count' });
    await expect(client.searchCount('res.partner', [], { retry: false })).rejects.toBeInstanceOf(OdooAccessError);
    emulator.knobs.faults.add({ kind: 'http500', model: 'res.partner', method: 'search_count' });
    await expect(client.searchCount('res.partner', [], { retry: false })).rejects.toBeInstanceOf(OdooTransportError);
    emulator.knobs.faults.add({ kind: 'reset', model: 'res.partner', method: 'search_count' });
    await expect(client.searchCount('res.partner', [], { retry: false })).rejects.toMatchObject({ ambiguous: true });
  });

  it('retries a read on concurrency errors (with backoff on its clock) and never retries a validation error', async () => {
    emulator = await startOdooEmulator({ version });
    const clock = new ManualClock();
    const client = clientOf(emulator, clock);
    await client.connect();
    emulator.knobs.faults.add({ kind: 'error', preset: 'concurrency', model: 'res.partner', method: 'search_count', count: 2 });
    const before = emulator.stats().objectCalls;
    const count = await drive(clock, client.searchCount('res.partner', []));
    expect(count).toBeGreaterThan(0);
    expect(emulator.stats().objectCalls - before).toBe(3);

    emulator.knobs.faults.add({ kind: 'error', preset: 'concurrency', model: 'res.partner', method: 'search_count', count: 10 });
    await expect(drive(clock, client.searchCount('res.partner', []))).rejects.toBeInstanceOf(OdooConcurrencyError);

    emulator.knobs.faults.clear();
    const beforeValidation = emulator.stats().objectCalls;
    await expect(client.create('res.partner', { email: 'x@example.com' })).rejects.toBeInstanceOf(OdooValidationError);
    expect(emulator.stats().objectCalls - beforeValidation).toBe(1);
  });

  it('times out a call that takes longer than the per-call timeout', async () => {
    emulator = await startOdooEmulator({ version });
    const client = clientOf(emulator);
    await client.connect();
    emulator.knobs.faults.add({ kind: 'latency', delayMs: 3_000, model: 'res.partner', method: 'search_count', count: 1 });
    await expect(client.searchCount('res.partner', [], { timeoutMs: 200, retry: false })).rejects.toMatchObject({ timedOut: true });
  });

  it('creates exactly once when Odoo commits and the reply is lost', async () => {
    emulator = await startOdooEmulator({ version });
    const clock = new ManualClock();
    const client = clientOf(emulator, clock);
    const ref = `POLEEPO-${version}-1`;
    emulator.knobs.faults.add({ kind: 'drop-after-commit', model: 'res.partner', method: 'create' });
    const result = await drive(clock, client.createIdempotent('res.partner', { name: 'Mario Rossi', ref }, [['ref', '=', ref]]));
    expect(result).toMatchObject({ created: true, recovered: true });
    expect(await client.searchCount('res.partner', [['ref', '=', ref]])).toBe(1);
    // Again: found by the lookup, nothing created.
    await expect(client.createIdempotent('res.partner', { name: 'Mario Rossi', ref }, [['ref', '=', ref]])).resolves.toEqual({ id: result.id, created: false, recovered: false });
    expect(await client.searchCount('res.partner', [['ref', '=', ref]])).toBe(1);
  });

  it('walks a catalog on the (write_date, id) cursor: every variant once, in pages', async () => {
    emulator = await startOdooEmulator({ version, seed: 'empty', catalog: { templates: 600, variants: 3_000 } });
    const client = clientOf(emulator);
    const seen = new Set<number>();
    let pages = 0;
    for await (const page of client.searchReadAll('product.product', [], { fields: ['default_code', 'lst_price'], pageSize: 500 })) {
      pages++;
      for (const r of page.records) {
        expect(seen.has(r.id)).toBe(false);
        seen.add(r.id);
      }
    }
    expect(seen.size).toBe(await client.searchCount('product.product', []));
    expect(seen.size).toBe(3_000);
    expect(pages).toBeGreaterThanOrEqual(6);
  });

  it('detects field names and features from fields_get', async () => {
    emulator = await startOdooEmulator({ version });
    const caps = await clientOf(emulator).capabilities();
    expect(caps.version.major).toBe(version);
    expect(caps.storable).toEqual(version === 17 ? { field: 'type', value: 'product' } : { field: 'is_storable', value: true });
    expect(caps.taxPriceIncludeField).toBe(version === 17 ? 'price_include' : 'price_include_override');
    expect(caps.companyPriceIncludeField).toBe(version === 17 ? null : 'account_price_include');
    expect(caps.orderLineTaxField).toBe(version === 19 ? 'tax_ids' : 'tax_id');
    expect(caps.orderLineUomField).toBe(version === 19 ? 'product_uom_id' : 'product_uom');
    expect(caps.packageModel).toBe(version === 19 ? 'stock.package' : 'stock.quant.package');
    expect(caps.stockContextKey).toBe(version === 17 ? 'warehouse' : 'warehouse_id');
    expect(caps.partner.mobile).toBe(version !== 19);
    expect(caps.quantityFields).toEqual(['qty_available', 'free_qty', 'virtual_available']);
    expect(caps.apiKeyExpiry).toBe(version !== 17);
  });

  it('reads helpers on every transport: searchRead, read, search, nameSearch, readGroup, fieldsGet (cached)', async () => {
    emulator = await startOdooEmulator({ version });
    const client = clientOf(emulator);
    const partners = await client.searchRead('res.partner', [['is_company', '=', true]], { fields: ['name'], limit: 3, order: 'id asc' });
    expect(partners.length).toBe(3);
    const ids = await client.search('res.partner', [['is_company', '=', true]], { limit: 3, order: 'id asc' });
    expect(ids).toEqual(partners.map((p) => p.id));
    expect((await client.read('res.partner', ids, ['name'])).map((r) => r.name)).toEqual(partners.map((p) => p.name));
    const found = await client.nameSearch('res.partner', String(partners[0].name), { operator: '=', limit: 1 });
    expect(found[0][0]).toBe(partners[0].id);
    const groups = await client.readGroup('res.partner', [], ['is_company'], ['is_company']);
    expect(groups.length).toBeGreaterThan(0);
    const before = emulator.stats().objectCalls;
    await client.fieldsGet('res.partner');
    await client.fieldsGet('res.partner');
    expect(emulator.stats().objectCalls - before).toBe(1);
  });
});

describe('API log', () => {
  it('logs every emulator call as system odoo with the key redacted (JSON-RPC and JSON-2)', async () => {
    db = await createTestDb('sqlite');
    const clock = new ManualClock();
    const apiLogRepo = new ApiLogRepo(db);
    const apiLog = new ApiLogRecorder(apiLogRepo, clock, silentLogger);
    for (const version of [18, 19] as const) {
      emulator = await startOdooEmulator({ version });
      const client = clientOf(emulator, clock, {}, new HttpClient({ clock, apiLog }));
      await client.searchCount('res.partner', []);
      await apiLog.flush();
      const dump = JSON.stringify(await apiLogRepo.list({ system: 'odoo', limit: 1000 }));
      expect(dump).not.toContain(emulator.apiKey);
      await emulator.stop();
      emulator = undefined;
    }
    const paths = (await apiLogRepo.list({ system: 'odoo', limit: 1000 })).map((r) => r.path);
    expect(paths).toEqual(expect.arrayContaining(['/jsonrpc res.partner/search_count', '/json/2/res.partner/search_count']));
  });
});
