import type { HttpClient } from '../http/http.client.ts';
import type { Clock } from '../shared/clock.ts';
import { OdooAuthError, mapOdooError, type OdooErrorBody } from './odoo.errors.ts';
import { isJson, nonJsonError, parseJson, sendToOdoo, type OdooEndpoint } from './odoo.http.ts';
import { toJson2Body } from './odoo.params.ts';
import type { OdooTransportKind } from './odoo.types.ts';

/** One way of calling a model method: JSON-RPC `execute_kw` (17/18) or JSON-2 (19+). */
export interface OdooTransport {
  readonly kind: OdooTransportKind;
  execute(model: string, method: string, args: readonly unknown[], kwargs: Record<string, unknown>, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<unknown>;
}

interface Deps {
  http: HttpClient;
  clock: Clock;
  endpoint: OdooEndpoint;
}

/** JSON-RPC: `POST /jsonrpc` with `{service, method, args}`; errors are HTTP 200 envelopes; the key travels in args. */
export class JsonRpcTransport implements OdooTransport {
  readonly kind = 'jsonrpc' as const;
  private uid: number | null;
  private nextId = 1;

  constructor(private readonly deps: Deps, uid?: number) {
    this.uid = uid ?? null;
  }

  /** `common.authenticate`: the uid, or OdooAuthError when Odoo answers a falsy uid (wrong key or login). */
  async authenticate(opts: { timeoutMs: number; signal?: AbortSignal }): Promise<number> {
    const { db, login, apiKey } = this.deps.endpoint;
    const uid = await this.rpc('common', 'authenticate', [db, login, apiKey, {}], opts, {});
    if (typeof uid !== 'number' || !uid) {
      throw new OdooAuthError({ odooMessage: `login "${login}" with this API key is not accepted by database "${db}" (Odoo answered uid ${JSON.stringify(uid)})` });
    }
    this.uid = uid;
    return uid;
  }

  async version(opts: { timeoutMs: number; signal?: AbortSignal }): Promise<Record<string, unknown>> {
    return (await this.rpc('common', 'version', [], opts, {})) as Record<string, unknown>;
  }

  async execute(model: string, method: string, args: readonly unknown[], kwargs: Record<string, unknown>, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<unknown> {
    const uid = this.uid ?? (await this.authenticate(opts));
    const { db, apiKey } = this.deps.endpoint;
    return this.rpc('object', 'execute_kw', [db, uid, apiKey, model, method, args, kwargs], opts, { model, method });
  }

  private async rpc(service: string, method: string, args: unknown[], opts: { timeoutMs: number; signal?: AbortSignal }, where: { model?: string; method?: string }): Promise<unknown> {
    const id = this.nextId++;
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id });
    const path = '/jsonrpc';
    const res = await sendToOdoo(this.deps.http, this.deps.endpoint, {
      method: 'POST', path, body, headers: { 'Content-Type': 'application/json' }, timeoutMs: opts.timeoutMs, signal: opts.signal,
      logPath: where.model ? `/jsonrpc ${where.model}/${where.method}` : `/jsonrpc ${service}.${method}`,
    }, where);
    if (res.status !== 200 || !isJson(res)) throw nonJsonError(res, this.deps.clock, { ...where, path });
    const envelope = parseJson(res, { ...where, path }) as { result?: unknown; error?: { code?: number; message?: string; data?: OdooErrorBody } } | null;
    if (envelope && envelope.error) {
      const data = envelope.error.data ?? { message: envelope.error.message };
      if (envelope.error.code === 100 && !data.name) data.name = 'odoo.http.SessionExpiredException';
      throw mapOdooError(data, { ...where, httpStatus: 200, fallbackMessage: envelope.error.message });
    }
    // A method returning None answers with neither result nor error.
    return envelope?.result ?? null;
  }
}

/** JSON-2: `POST /json/2/<model>/<method>` with a bearer key and named parameters; errors carry real HTTP statuses. */
export class Json2Transport implements OdooTransport {
  readonly kind = 'json2' as const;

  constructor(private readonly deps: Deps) {}

  execute(model: string, method: string, args: readonly unknown[], kwargs: Record<string, unknown>, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<unknown> {
    return this.post(model, method, toJson2Body(model, method, args, kwargs), opts);
  }

  async post(model: string, method: string, body: Record<string, unknown>, opts: { timeoutMs: number; signal?: AbortSignal; redirect?: RequestRedirect }): Promise<unknown> {
    const path = `/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`;
    const where = { model, method, path };
    const res = await sendToOdoo(this.deps.http, this.deps.endpoint, {
      method: 'POST', path, body: JSON.stringify(body), timeoutMs: opts.timeoutMs, signal: opts.signal, redirect: opts.redirect,
      headers: json2Headers(this.deps.endpoint),
    }, where);
    if (!isJson(res)) throw nonJsonError(res, this.deps.clock, where);
    const parsed = parseJson(res, where);
    if (res.status === 200) return parsed;
    throw mapOdooError((parsed ?? {}) as OdooErrorBody, { model, method, httpStatus: res.status, fallbackMessage: `HTTP ${res.status}` });
  }
}

export function json2Headers(endpoint: OdooEndpoint): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    Authorization: `bearer ${endpoint.apiKey}`,
    // Harmless with one database, required when several share the host (Odoo.sh staging, on-premise multi-db).
    ...(endpoint.db ? { 'X-Odoo-Database': endpoint.db } : {}),
  };
}
