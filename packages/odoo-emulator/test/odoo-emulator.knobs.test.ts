/**
 * The emulator's knobs and control API: service times (modelled on the injected clock and reported by
 * /__emulator/stats), one-worker serialisation, latency, injected errors, HTML 500, connection resets, a reply
 * dropped after commit, and a commit that becomes visible only later. Time is a ManualClock: nothing sleeps.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '@poleepo-odoo/clock';
import { startOdooEmulator, type OdooEmulator } from '../src/emulator.ts';
import { json2, jsonrpc, kw } from './helpers/odoo-emulator-client.ts';

let emu: OdooEmulator | null = null;
afterEach(async () => {
  await emu?.stop();
  emu = null;
});

/** Lets pending I/O and timers of the event loop run (the emulator answers on the next turns). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function settled<T>(promise: Promise<T>): Promise<{ done: boolean; value?: T }> {
  let done = false;
  let value: T | undefined;
  void promise.then((v) => {
    done = true;
    value = v;
  }, () => {
    done = true;
  });
  for (let i = 0; i < 20; i++) await settle();
  return { done, value };
}

/** Waits until the emulator has asked its clock for `count` sleeps in all (a request reached its wait). */
async function untilSleeps(clock: ManualClock, count: number): Promise<void> {
  await vi.waitFor(() => expect(clock.slept.length).toBeGreaterThanOrEqual(count), { timeout: 30_000, interval: 1 });
}

const control = async (odoo: OdooEmulator, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${odoo.url}/__emulator/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
};

describe('the emulator as a process', () => {
  it('serves database "sandbox", login "admin" and a 40-hex API key by default; the key logs in, a wrong one gives false', async () => {
    emu = await startOdooEmulator();
    expect(emu).toMatchObject({ db: 'sandbox', login: 'admin', version: 18 });
    expect(emu.apiKey).toMatch(/^[0-9a-f]{40}$/);
    expect((await jsonrpc(emu, 'common', 'login', ['sandbox', 'admin', emu.apiKey])).body.result).toBe(2);
    expect((await jsonrpc(emu, 'common', 'authenticate', ['sandbox', 'admin', 'wrong', {}])).body.result).toBe(false);
    const unknownDb = await jsonrpc(emu, 'common', 'login', ['nope', 'admin', emu.apiKey]);
    expect((unknownDb.body.error as { data: { name: string } }).data.name).toBe('psycopg2.OperationalError');
  });

  it('19 authenticates JSON-2 with the key only; 18 redirects /json/2 to the login page; 17 answers 404', async () => {
    emu = await startOdooEmulator({ version: 19, apiKey: 'k19-0123456789' });
    expect(await json2(emu, 'res.users', 'context_get', {})).toMatchObject({ status: 200, body: { lang: 'en_US', tz: 'Europe/Brussels', uid: 2 } });
    const refused = await json2(emu, 'res.users', 'context_get', {}, 'admin');
    expect(refused).toMatchObject({ status: 401, body: { name: 'werkzeug.exceptions.Unauthorized', message: 'Invalid apikey' } });
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    await emu.stop();
    emu = await startOdooEmulator({ version: 18 });
    const redirect = await fetch(`${emu.url}/json/2/res.partner/search_read`, { method: 'POST', redirect: 'manual', headers: { Authorization: `bearer ${emu.apiKey}`, 'Content-Type': 'application/json' }, body: '{}' });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe('/web/login?redirect=%2Fjson%2F2%2Fres.partner%2Fsearch_read%3F');
    await emu.stop();
    emu = await startOdooEmulator({ version: 17 });
    const missing = await fetch(`${emu.url}/json/2/res.partner/search_read`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html;charset=utf-8');
  });
});

describe('service time', () => {
  it('waits the modelled time on its clock and reports it: 14 ms per call + per variant read with stock', async () => {
    const clock = new ManualClock();
    emu = await startOdooEmulator({ version: 18, clock, serviceTime: 'calibrated' });
    const call = kw<unknown[]>(emu, 'product.product', 'search_read', [[['product_tmpl_id', '=', 9]]], { fields: ['default_code', 'qty_available'] });
    await untilSleeps(clock, 1);
    const early = await settled(call);
    expect(early.done).toBe(false);
    // 14 ms + 5 variants x (0.2634 + 0.0961) ms = 15.7975 ms.
    clock.advance(15);
    expect((await settled(call)).done).toBe(false);
    clock.advance(1);
    const late = await settled(call);
    expect(late.done).toBe(true);
    expect(late.value).toHaveLength(5);
    const stats = await control(emu, 'GET', 'stats');
    expect(stats).toMatchObject({ calls: 1, recordsRead: 5, readsByModel: { 'product.product': 5 } });
    expect(stats.serviceTimeMs as number).toBeCloseTo(15.7975, 2);
  });

  it('serves one call at a time with one worker, and none of that by default', async () => {
    const clock = new ManualClock();
    emu = await startOdooEmulator({ version: 18, clock, serviceTime: { perCallMs: 10, perRecordMs: {}, workers: 1 } });
    const first = kw(emu, 'res.partner', 'search_count', [[]]);
    const second = kw(emu, 'res.partner', 'search_count', [[]]);
    await untilSleeps(clock, 1);
    // The second call waits for the worker: it has not even started its own service time.
    expect((await settled(second)).done).toBe(false);
    expect(clock.slept).toEqual([10]);
    clock.advance(10);
    expect((await settled(first)).done).toBe(true);
    await untilSleeps(clock, 2);
    expect((await settled(second)).done).toBe(false);
    clock.advance(10);
    expect((await settled(second)).done).toBe(true);
    emu.knobs.setServiceTime('none');
    expect((await settled(kw(emu, 'res.partner', 'search_count', [[]]))).done).toBe(true);
  });
});

describe('faults', () => {
  it('adds latency to matching calls until cleared (set over the control API)', async () => {
    const clock = new ManualClock();
    emu = await startOdooEmulator({ version: 18, clock });
    await control(emu, 'POST', 'faults', { kind: 'latency', delayMs: 3_000, model: 'res.partner' });
    const slow = kw(emu, 'res.partner', 'search_count', [[]]);
    const fast = kw(emu, 'res.country', 'search_count', [[]]);
    expect((await settled(fast)).done).toBe(true);
    await untilSleeps(clock, 1);
    clock.advance(2_999);
    expect((await settled(slow)).done).toBe(false);
    clock.advance(1);
    expect((await settled(slow)).done).toBe(true);
    expect(((await control(emu, 'GET', 'faults')).faults as unknown[]).length).toBe(1);
    await control(emu, 'DELETE', 'faults');
    expect((await settled(kw(emu, 'res.partner', 'search_count', [[]]))).done).toBe(true);
  });

  it('fails the next N matching calls with the version\'s concurrency error, then answers again', async () => {
    for (const [version, name] of [[17, 'psycopg2.errors.SerializationFailure'], [18, 'odoo.exceptions.ConcurrencyError']] as const) {
      const odoo = await startOdooEmulator({ version });
      try {
        odoo.knobs.faults.add({ kind: 'error', preset: 'concurrency', model: 'sale.order', method: 'create', count: 2 });
        const attempt = () => jsonrpc(odoo, 'object', 'execute_kw', [odoo.db, 2, odoo.apiKey, 'sale.order', 'create', [{ partner_id: 9 }]]);
        for (let i = 0; i < 2; i++) {
          const answer = await attempt();
          expect(answer.status).toBe(200);
          expect((answer.body.error as { data: { name: string } }).data.name).toBe(name);
        }
        expect(typeof (await attempt()).body.result).toBe('number');
        expect(await kw(odoo, 'sale.order', 'search_count', [[['partner_id', '=', 9]]])).toBe(1);
      } finally {
        await odoo.stop();
      }
    }
  });

  it('19: an injected ConcurrencyError is HTTP 409 over JSON-2', async () => {
    emu = await startOdooEmulator({ version: 19 });
    emu.knobs.faults.add({ kind: 'error', preset: 'concurrency' });
    expect(await json2(emu, 'res.partner', 'search_count', { domain: [] })).toMatchObject({ status: 409, body: { name: 'odoo.exceptions.ConcurrencyError' } });
  });

  it('answers an HTML 500 page, or resets the connection, without applying the call', async () => {
    emu = await startOdooEmulator({ version: 18 });
    emu.knobs.faults.add({ kind: 'http500', model: 'res.partner', method: 'create' });
    const page = await fetch(`${emu.url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service: 'object', method: 'execute_kw', args: [emu.db, 2, emu.apiKey, 'res.partner', 'create', [{ name: 'Never 500' }]] }, id: 1 }) });
    expect(page.status).toBe(500);
    expect(page.headers.get('content-type')).toContain('text/html');
    emu.knobs.faults.add({ kind: 'reset', model: 'res.partner', method: 'create' });
    await expect(kw(emu, 'res.partner', 'create', [{ name: 'Never reset' }])).rejects.toThrow();
    expect(await kw(emu, 'res.partner', 'search_count', [[['name', 'like', 'Never']]])).toBe(0);
  });

  it('commits then drops the reply: the record exists although the client saw the connection close', async () => {
    emu = await startOdooEmulator({ version: 18 });
    emu.knobs.faults.add({ kind: 'drop-after-commit', model: 'res.partner', method: 'create' });
    await expect(kw(emu, 'res.partner', 'create', [{ name: 'Dropped Reply Srl', ref: 'DROP-1' }])).rejects.toThrow();
    expect(await kw(emu, 'res.partner', 'search_read', [[['ref', '=', 'DROP-1']]], { fields: ['name'] })).toEqual([expect.objectContaining({ name: 'Dropped Reply Srl' })]);
  });

  it('delays a commit: the effect and the answer come only after the delay, a lookup in between sees nothing', async () => {
    const clock = new ManualClock();
    emu = await startOdooEmulator({ version: 18, clock });
    emu.knobs.faults.add({ kind: 'delay-commit', delayMs: 30_000, model: 'sale.order', method: 'create' });
    const slowCreate = kw<number>(emu, 'sale.order', 'create', [{ partner_id: 9, client_order_ref: 'RACE-1' }]);
    await untilSleeps(clock, 1);
    expect((await settled(slowCreate)).done).toBe(false);
    expect(await kw(emu, 'sale.order', 'search_count', [[['client_order_ref', '=', 'RACE-1']]])).toBe(0);
    clock.advance(30_000);
    const done = await settled(slowCreate);
    expect(done.done).toBe(true);
    expect(await kw(emu, 'sale.order', 'search_read', [[['client_order_ref', '=', 'RACE-1']]], { fields: ['id'] })).toEqual([{ id: done.value }]);
  });
});
