import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpClient } from '../src/http/http.client.ts';
import { ApiLogRecorder } from '../src/apilog/apilog.recorder.ts';
import { ApiLogRepo } from '../src/apilog/apilog.repo.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { OdooClient, type OdooClientOptions } from '../src/odoo/odoo.client.ts';
import {
  OdooAccessError, OdooAuthError, OdooConcurrencyError, OdooDatabaseError, OdooMissingError, OdooNotFoundError,
  OdooServerError, OdooTransportError, OdooValidationError, isOdooError,
} from '../src/odoo/odoo.errors.ts';
import { createTestDb, type TestDb } from './helpers/db.ts';
import { recorded, recordings, rpcCall, startReplayServer, type Answer, type ReceivedRequest, type ReplayServer } from './odoo-client.fixtures.ts';

/**
 * The Odoo client against a local HTTP server answering with the recorded traffic of real Odoo 17, 18 and 19
 * (`recordings/odooNN/`), verbatim: probing, authentication, error mapping, None results, JSON-2 named parameters,
 * timeouts, retries, idempotent creates, the concurrency limit, pacing and API-log redaction.
 */

const API_KEY = '0123456789abcdef0123456789abcdef01234567';

let server: ReplayServer | undefined;
let db: TestDb | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await db?.cleanup();
  db = undefined;
});

type Version = '17' | '18' | '19';

/** Answers the probe of each version as recorded; `rest` answers everything else. */
function probeAnswers(version: Version, rest: (req: ReceivedRequest, i: number) => Answer | Promise<Answer>): (req: ReceivedRequest, i: number) => Answer | Promise<Answer> {
  return (req, i) => {
    if (req.path === '/json/2/res.users/context_get') {
      const title = {
        '17': 'POST /json/2/res.users/context_get with a bearer key and no body',
        '18': 'POST /json/2/res.users/context_get with a bearer key and no body',
        '19': 'JSON-2 res.users/context_get with a bearer key and body {} (how to learn the uid, lang and tz of the key)',
      }[version];
      return { exchange: recorded(version, 'common.json', title) };
    }
    if (req.path === '/web/version') return { exchange: recorded(version, 'common.json', version === '19' ? 'GET /web/version' : 'GET /web/version (the version endpoint of 19+)') };
    const rpc = rpcCall(req);
    if (req.path === '/jsonrpc' && rpc?.method === 'version') return { exchange: recorded(version, 'common.json', version === '19' ? 'common.version over /jsonrpc' : 'common.version') };
    if (req.path === '/jsonrpc' && rpc?.method === 'authenticate') {
      return { exchange: recorded(version, 'common.json', version === '19' ? 'common.authenticate over /jsonrpc with the API key -> uid' : 'common.authenticate with the API key (4th arg user_agent_env) -> uid') };
    }
    return rest(req, i);
  };
}

function makeClient(url: string, clock = new ManualClock(), extra: Partial<OdooClientOptions> = {}, http?: HttpClient): OdooClient {
  return new OdooClient({
    endpoint: { url, db: 'poleepo', login: 'admin', apiKey: API_KEY, connectionId: 7 },
    http: http ?? new HttpClient({ clock }),
    clock,
    context: { companyId: 1, lang: 'en_US' },
    timeoutMs: 5_000,
    ...extra,
  });
}

/** Advances the manual clock until the promise settles (backoff and pacing sleeps), without real waiting. */
async function drive<T>(clock: ManualClock, promise: Promise<T>, stepMs = 250): Promise<T> {
  let done = false;
  const watched = promise.finally(() => { done = true; });
  watched.catch(() => undefined); // the caller handles the outcome; do not report it as unhandled meanwhile
  for (let i = 0; i < 400 && !done; i++) {
    await new Promise((r) => setImmediate(r));
    clock.advance(stepMs);
  }
  return watched;
}

describe('probing transport and version, as each version answers', () => {
  it('Odoo 17: /json/2 is a 404 page → JSON-RPC, version 17 from common.version, uid from authenticate', async () => {
    server = await startReplayServer(probeAnswers('17', () => ({ status: 500, body: '{}' })));
    const session = await makeClient(server.url).connect();
    expect(session).toMatchObject({ kind: 'jsonrpc', uid: 2, version: { major: 17, minor: 0, serverVersion: '17.0-20240709', saas: false } });
    const auth = rpcCall(server.requests.find((r) => rpcCall(r)?.method === 'authenticate')!)!;
    expect(auth.args).toEqual(['poleepo', 'admin', API_KEY, {}]);
  });

  it('Odoo 18: /json/2 answers 303 to /web/login; the probe does not follow it and falls back to JSON-RPC', async () => {
    server = await startReplayServer(probeAnswers('18', () => ({ status: 500, body: '{}' })));
    const session = await makeClient(server.url).connect();
    expect(session).toMatchObject({ kind: 'jsonrpc', uid: 2, version: { major: 18, serverVersion: '18.0' } });
    expect(server.requests.some((r) => r.path.startsWith('/web/login'))).toBe(false);
    expect(session.notes.join(' ')).toMatch(/no JSON-2 \(.*HTTP 303 to \/web\/login/);
  });

  it('Odoo 19: JSON-2 answers context_get with the uid; version from /web/version; the key goes as a bearer token', async () => {
    server = await startReplayServer(probeAnswers('19', () => ({ status: 500, body: '{}' })));
    const session = await makeClient(server.url).connect();
    expect(session).toMatchObject({ kind: 'json2', uid: 2, version: { major: 19, serverVersion: '19.0' } });
    const probe = server.requests[0];
    expect(probe.headers.authorization).toBe(`bearer ${API_KEY}`);
    expect(probe.headers['x-odoo-database']).toBe('poleepo');
    expect(server.requests.some((r) => r.path === '/jsonrpc')).toBe(false);
  });

  it('can be forced to JSON-RPC on 19 (the deprecated transport still answers)', async () => {
    server = await startReplayServer(probeAnswers('19', () => ({ status: 500, body: '{}' })));
    const session = await makeClient(server.url, new ManualClock(), { transport: 'jsonrpc' }).connect();
    expect(session.kind).toBe('jsonrpc');
    expect(server.requests.some((r) => r.path.startsWith('/json/2'))).toBe(false);
  });
});

describe('authentication failures', () => {
  it.each(['17', '18'] as const)('Odoo %s: authenticate answers false (not an error) → OdooAuthError, asked once', async (v) => {
    server = await startReplayServer((req) => {
      const rpc = rpcCall(req);
      if (rpc?.method === 'authenticate') return { exchange: recorded(v, 'common.json', 'common.authenticate with a wrong key -> false') };
      return probeAnswers(v, () => ({ status: 500, body: '' }))(req, 0);
    });
    const error = await makeClient(server.url).searchCount('res.partner', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooAuthError);
    expect((error as Error).message).toMatch(/not accepted/);
    expect(server.requests.filter((r) => rpcCall(r)?.method === 'authenticate')).toHaveLength(1);
  });

  it('Odoo 19: a wrong bearer key is a 401 → OdooAuthError', async () => {
    server = await startReplayServer(() => ({ exchange: recorded('19', 'common.json', 'JSON-2 with a wrong key -> 401') }));
    const error = await makeClient(server.url).connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooAuthError);
    expect(error).toMatchObject({ httpStatus: 401, exceptionName: 'werkzeug.exceptions.Unauthorized', odooMessage: 'Invalid apikey' });
  });

  it('Odoo 19: a database name the server does not have → OdooDatabaseError', async () => {
    server = await startReplayServer(() => ({ exchange: recorded('19', 'common.json', 'JSON-2 with X-Odoo-Database naming a database that does not exist') }));
    await expect(makeClient(server.url).connect()).rejects.toBeInstanceOf(OdooDatabaseError);
  });

  it('Odoo 17/18: a database that does not exist (psycopg2.OperationalError) → OdooDatabaseError', async () => {
    server = await startReplayServer((req) => {
      if (rpcCall(req)?.method === 'authenticate') return { exchange: recorded('18', 'common.json', 'common.authenticate on a database that does not exist') };
      return probeAnswers('18', () => ({ status: 500, body: '' }))(req, 0);
    });
    await expect(makeClient(server.url).connect()).rejects.toBeInstanceOf(OdooDatabaseError);
  });
});

/** The class each recorded Odoo error must become. */
function expectedClass(name: string, message: string): new (...a: never[]) => Error {
  if (['odoo.exceptions.AccessDenied', 'werkzeug.exceptions.Unauthorized'].includes(name)) return OdooAuthError;
  if (name === 'odoo.exceptions.AccessError') return OdooAccessError;
  if (name === 'odoo.exceptions.MissingError') return OdooMissingError;
  if (name === 'psycopg2.OperationalError') return OdooDatabaseError;
  if (name === 'werkzeug.exceptions.NotFound' || /^Object \S+ doesn't exist/.test(message) || (name === 'builtins.AttributeError' && /does not exist/.test(message))) return OdooNotFoundError;
  if (['odoo.exceptions.UserError', 'odoo.exceptions.ValidationError', 'werkzeug.exceptions.UnprocessableEntity'].includes(name)) return OdooValidationError;
  return OdooServerError;
}

describe.each(['17', '18'] as const)('every recorded JSON-RPC error of Odoo %s is typed', (version) => {
  const errors = recordings(version, 'errors.json').filter((e) => typeof e.response === 'object' && e.response !== null && 'error' in (e.response as object));
  it('has recorded errors to check', () => expect(errors.length).toBeGreaterThan(20));
  it.each(errors.map((e) => [e.title, e] as const))('%s', async (_title, exchange) => {
    server = await startReplayServer(probeAnswers(version, () => ({ exchange })));
    const error = await makeClient(server.url).call('res.partner', 'search_read', [[]], {}, { retry: false }).catch((e: unknown) => e);
    const data = (exchange.response as { error: { data: { name: string; message: string } } }).error.data;
    expect(isOdooError(error)).toBe(true);
    expect(error).toBeInstanceOf(expectedClass(data.name, data.message));
    expect(error).toMatchObject({ exceptionName: data.name, model: 'res.partner', method: 'search_read' });
    expect((error as { odooMessage: string }).odooMessage).toBe(data.message.slice(0, 600) + (data.message.length > 600 ? '…' : ''));
  });
});

describe('every recorded JSON-2 error of Odoo 19 is typed by its status and name', () => {
  const errors = recordings('19', 'errors.json').filter((e) => e.http_status !== 200 && typeof e.response === 'object' && e.response !== null);
  it('has recorded errors to check', () => expect(errors.length).toBeGreaterThan(20));
  it.each(errors.map((e) => [`${e.http_status} ${e.title}`, e] as const))('%s', async (_title, exchange) => {
    server = await startReplayServer(probeAnswers('19', () => ({ exchange })));
    const error = await makeClient(server.url).call('res.partner', 'search_read', [[]], {}, { retry: false }).catch((e: unknown) => e);
    const body = exchange.response as { name: string; message: string; context: Record<string, unknown> };
    expect(error).toBeInstanceOf(expectedClass(body.name, body.message));
    expect(error).toMatchObject({ httpStatus: exchange.http_status, exceptionName: body.name, errorContext: body.context });
  });
});

describe('answers and parameters on each transport', () => {
  it('JSON-RPC: a method returning None (no result member) gives null; context carries allowed_company_ids', async () => {
    const none = recorded('17', 'flows/b_sale_order.json', 'sale.order action_lock (a method that returns None)');
    server = await startReplayServer(probeAnswers('17', () => ({ exchange: none })));
    const client = makeClient(server.url);
    await expect(client.call('sale.order', 'action_lock', [[25]])).resolves.toBeNull();
    const call = rpcCall(server.requests.at(-1)!)!;
    expect(call.method).toBe('execute_kw');
    expect(call.args.slice(0, 6)).toEqual(['poleepo', 2, API_KEY, 'sale.order', 'action_lock', [[25]]]);
    expect(call.args[6]).toEqual({ context: { lang: 'en_US', allowed_company_ids: [1] } });
  });

  it('JSON-RPC create(dict) answers an int and create([dicts]) a list; both become ids', async () => {
    server = await startReplayServer(probeAnswers('18', (req) => {
      const list = Array.isArray((rpcCall(req)!.args[5] as unknown[])[0]);
      return { status: 200, body: JSON.stringify({ jsonrpc: '2.0', id: 1, result: list ? [11, 12] : 10 }) };
    }));
    const client = makeClient(server.url);
    await expect(client.create('product.category', { name: 'A' })).resolves.toBe(10);
    await expect(client.createMany('product.category', [{ name: 'A' }, { name: 'B' }])).resolves.toEqual([11, 12]);
  });

  it('JSON-2: named parameters per method (19 names), records as id lists, None as null', async () => {
    const answers: Record<string, Answer> = {
      '/json/2/product.category/create': { exchange: recorded('19', 'reads/search_patterns.json', 'create with vals_list given as ONE dict (not a list)') },
      '/json/2/sale.order/action_lock': { exchange: recorded('19', 'flows/b_sale_order.json', 'sale.order action_lock (a method that returns None)') },
      '/json/2/res.partner/name_search': { exchange: recorded('19', 'reads/search_patterns.json', 'name_search with domain and operator "="') },
    };
    server = await startReplayServer(probeAnswers('19', (req) => answers[req.path] ?? { status: 200, body: '[]' }));
    const client = makeClient(server.url);
    const id = await client.create('product.category', { name: 'Poleepo A' });
    expect(typeof id).toBe('number');
    await expect(client.call('sale.order', 'action_lock', [[25]])).resolves.toBeNull();
    await expect(client.nameSearch('res.partner', 'Wood Corner', { domain: [['is_company', '=', true]], operator: '=', limit: 3 })).resolves.toEqual([[8, 'Wood Corner']]);
    await client.searchRead('product.product', [['active', '=', true]], { fields: ['name'], limit: 5, order: 'id asc' });
    await client.read('product.product', [14, 15], ['name']);
    await client.write('product.product', [14], { name: 'x' });
    await client.call('sale.order', 'action_confirm', [[25]]);
    const bodies = Object.fromEntries(server.requests.filter((r) => r.path.startsWith('/json/2/') && !r.path.endsWith('context_get')).map((r) => [r.path, r.json]));
    const context = { lang: 'en_US', allowed_company_ids: [1] };
    expect(bodies['/json/2/product.category/create']).toEqual({ vals_list: { name: 'Poleepo A' }, context });
    expect(bodies['/json/2/res.partner/name_search']).toEqual({ name: 'Wood Corner', domain: [['is_company', '=', true]], operator: '=', limit: 3, context });
    expect(bodies['/json/2/product.product/search_read']).toEqual({ domain: [['active', '=', true]], fields: ['name'], limit: 5, order: 'id asc', context });
    expect(bodies['/json/2/product.product/read']).toEqual({ ids: [14, 15], fields: ['name'], context });
    expect(bodies['/json/2/product.product/write']).toEqual({ ids: [14], vals: { name: 'x' }, context });
    expect(bodies['/json/2/sale.order/action_confirm']).toEqual({ ids: [25], context });
  });

  it('JSON-2: positional arguments beyond the ids of an unknown method are refused before sending', async () => {
    server = await startReplayServer(probeAnswers('19', () => ({ status: 200, body: 'true' })));
    const client = makeClient(server.url);
    await expect(client.call('stock.picking', 'action_put_in_pack', [[20], 3])).rejects.toThrow(/named parameters only/);
  });
});

describe('timeouts, retries and idempotent creates', () => {
  it('a call that gets no answer in time fails with a timed-out OdooTransportError', async () => {
    server = await startReplayServer(probeAnswers('18', () => ({ hang: true })));
    const client = makeClient(server.url);
    await client.connect();
    const error = await client.call('res.partner', 'search_count', [[]], {}, { timeoutMs: 150, retry: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooTransportError);
    expect(error).toMatchObject({ timedOut: true, ambiguous: true });
  });

  it('retries a read after concurrency errors, with backoff on the injected clock, then succeeds', async () => {
    // ConcurrencyError is not in the recordings (it cannot be provoked on demand): same envelope, 18's class name.
    const template = recorded('18', 'errors.json', 'UserError: unlink of a confirmed order').response as { error: { data: Record<string, unknown> } };
    const concurrency = { ...template, error: { ...template.error, data: { ...template.error.data, name: 'odoo.exceptions.ConcurrencyError', message: 'could not serialize access due to concurrent update', arguments: ['could not serialize access due to concurrent update'] } } };
    let failures = 2;
    server = await startReplayServer(probeAnswers('18', () => (failures-- > 0 ? { status: 200, body: JSON.stringify(concurrency) } : { status: 200, body: '{"jsonrpc": "2.0", "id": 9, "result": 41}' })));
    const clock = new ManualClock();
    const client = makeClient(server.url, clock);
    await client.connect();
    const before = server.requests.length;
    await expect(drive(clock, client.searchCount('res.partner', []))).resolves.toBe(41);
    expect(server.requests.length - before).toBe(3);
  });

  it('gives up after the retry budget and throws the concurrency error', async () => {
    const template = recorded('18', 'errors.json', 'UserError: unlink of a confirmed order').response as { error: { data: Record<string, unknown> } };
    const concurrency = { ...template, error: { ...template.error, data: { ...template.error.data, name: 'odoo.exceptions.ConcurrencyError' } } };
    server = await startReplayServer(probeAnswers('18', () => ({ status: 200, body: JSON.stringify(concurrency) })));
    const clock = new ManualClock();
    const client = makeClient(server.url, clock, { retry: { retries: 2 } });
    await client.connect();
    const before = server.requests.length;
    await expect(drive(clock, client.searchCount('res.partner', []))).rejects.toBeInstanceOf(OdooConcurrencyError);
    expect(server.requests.length - before).toBe(3);
  });

  it('never retries a validation error, nor a create whose reply was lost', async () => {
    let mode: 'validation' | 'drop' = 'validation';
    server = await startReplayServer(probeAnswers('18', () => (mode === 'validation'
      ? { exchange: recorded('18', 'errors.json', 'UserError: unlink of a confirmed order') }
      : { drop: true })));
    const client = makeClient(server.url);
    await client.connect();
    let before = server.requests.length;
    await expect(client.unlink('sale.order', [28])).rejects.toBeInstanceOf(OdooValidationError);
    expect(server.requests.length - before).toBe(1);
    mode = 'drop';
    before = server.requests.length;
    const error = await client.create('sale.order', { partner_id: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooTransportError);
    expect(error).toMatchObject({ ambiguous: true });
    expect(server.requests.length - before).toBe(1);
  });

  it('createIdempotent: the reply of a committed create is lost → it looks up before trying again and finds it', async () => {
    let created: number | null = null;
    server = await startReplayServer(probeAnswers('18', (req) => {
      const [, , , , method] = rpcCall(req)!.args as [string, number, string, string, string];
      if (method === 'search') return { status: 200, body: JSON.stringify({ jsonrpc: '2.0', id: 1, result: created ? [created] : [] }) };
      if (method === 'create') {
        created = 77; // Odoo committed…
        return { drop: true }; // …and the reply never arrived.
      }
      return { status: 500, body: '' };
    }));
    const clock = new ManualClock();
    const client = makeClient(server.url, clock);
    const result = await drive(clock, client.createIdempotent('sale.order', { client_order_ref: 'PO-1' }, [['client_order_ref', '=', 'PO-1']], { settleMs: 1000 }));
    expect(result).toEqual({ id: 77, created: true, recovered: true });
    const methods = server.requests.map((r) => (rpcCall(r)?.args as unknown[] | undefined)?.[4]).filter(Boolean);
    expect(methods).toEqual(['search', 'create', 'search']);
  });

  it('createIdempotent returns the existing record without creating when the lookup finds it first', async () => {
    server = await startReplayServer(probeAnswers('18', () => ({ status: 200, body: '{"jsonrpc": "2.0", "id": 1, "result": [25]}' })));
    const client = makeClient(server.url);
    await expect(client.createIdempotent('sale.order', { client_order_ref: 'X' }, [['client_order_ref', '=', 'X']])).resolves.toEqual({ id: 25, created: false, recovered: false });
    expect(server.requests.map((r) => (rpcCall(r)?.args as unknown[] | undefined)?.[4]).filter(Boolean)).toEqual(['search']);
  });
});

describe('limits and the API log', () => {
  it('keeps at most maxConcurrent calls in flight per connection', async () => {
    server = await startReplayServer(probeAnswers('18', () => ({ status: 200, body: '{"jsonrpc": "2.0", "id": 1, "result": 1}' })));
    const client = makeClient(server.url, new ManualClock(), { limiter: { maxConcurrent: 2 } });
    await client.connect();
    server.hold(true);
    const calls = Array.from({ length: 5 }, () => client.searchCount('res.partner', []));
    await vi.waitFor(() => expect(server!.inFlight).toBe(2), { timeout: 30_000 });
    expect(client.load).toEqual({ active: 2, queued: 3 });
    server.hold(false);
    server.release();
    await vi.waitFor(() => expect(client.load.active).toBe(0), { timeout: 5000 });
    server.release();
    await Promise.all(calls);
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('paces call starts when a request rate is set (Odoo Online fair use)', async () => {
    server = await startReplayServer(probeAnswers('18', () => ({ status: 200, body: '{"jsonrpc": "2.0", "id": 1, "result": 1}' })));
    const clock = new ManualClock();
    const client = makeClient(server.url, clock, { limiter: { maxConcurrent: 4, requestsPerSecond: 2 } });
    const start = server.requests.length;
    const calls = Promise.all([client.searchCount('a.b', []), client.searchCount('a.b', []), client.searchCount('a.b', [])]);
    await vi.waitFor(() => expect(server!.requests.length).toBeGreaterThan(start + 2), { timeout: 30_000 }); // probe + first call
    const afterFirst = server.requests.length;
    await new Promise((r) => setImmediate(r));
    expect(server.requests.length).toBe(afterFirst);
    clock.advance(500);
    await vi.waitFor(() => expect(server!.requests.length).toBe(afterFirst + 1), { timeout: 30_000 });
    clock.advance(500);
    await calls;
    expect(server.requests.length).toBe(afterFirst + 2);
  });

  it('every call lands in the API log as system odoo, labelled by model and method, with the key removed', async () => {
    db = await createTestDb('sqlite');
    const clock = new ManualClock();
    const apiLogRepo = new ApiLogRepo(db);
    const apiLog = new ApiLogRecorder(apiLogRepo, clock, silentLogger);
    server = await startReplayServer(probeAnswers('17', () => ({ status: 200, body: '{"jsonrpc": "2.0", "id": 1, "result": 9}' })));
    const client = makeClient(server.url, clock, {}, new HttpClient({ clock, apiLog }));
    await client.searchCount('res.partner', [['is_company', '=', true]]);
    await apiLog.flush();
    const rows = await apiLogRepo.list({ system: 'odoo' });
    expect(rows.map((r) => r.path)).toEqual(expect.arrayContaining(['/jsonrpc res.partner/search_count', '/jsonrpc common.authenticate', '/json/2/res.users/context_get (transport probe)']));
    expect(rows.every((r) => r.connection_id === 7)).toBe(true);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(API_KEY);
    expect(rows.find((r) => r.path === '/jsonrpc res.partner/search_count')!.request_body).toContain('[redacted]');
  });
});
