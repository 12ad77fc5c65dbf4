import { backoffDelay } from '../shared/backoff.ts';
import type { HttpClient } from '../http/http.client.ts';
import type { Clock } from '../shared/clock.ts';
import { ValidationError } from '../shared/errors.ts';
import { detectCapabilities, type OdooCapabilities } from './odoo.capabilities.ts';
import { buildContext, stockContext, type OdooContextDefaults } from './odoo.context.ts';
import { OdooAccessError, OdooConcurrencyError, OdooTransportError, OdooValidationError } from './odoo.errors.ts';
import type { OdooEndpoint } from './odoo.http.ts';
import { OdooLimiter, type OdooLimits } from './odoo.limiter.ts';
import { pageQuery, pageStep, type PageCursor } from './odoo.paging.ts';
import { probeOdoo, type ProbeResult } from './odoo.probe.ts';
import type { OdooCallOptions, OdooContext, OdooDomain, OdooFields, OdooRecord, OdooTransportKind, OdooVersionInfo } from './odoo.types.ts';

export interface OdooRetryPolicy {
  /** Extra attempts after the first, for retryable calls. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface OdooClientOptions {
  endpoint: OdooEndpoint;
  http: HttpClient;
  clock: Clock;
  /** lang, tz, the connection's company (→ allowed_company_ids), active_test. */
  context?: OdooContextDefaults;
  /** `auto` probes (JSON-2 when the server has it, else JSON-RPC). */
  transport?: OdooTransportKind | 'auto';
  /** Per-call timeout (default 60 s; Odoo's own limit_time_real is 120 s by default). */
  timeoutMs?: number;
  retry?: Partial<OdooRetryPolicy>;
  /** A limiter shared by every client of the same connection, or limits for a private one. */
  limiter?: OdooLimiter | OdooLimits;
  random?: () => number;
}

export interface OdooSession {
  kind: OdooTransportKind;
  version: OdooVersionInfo;
  uid: number;
  notes: string[];
}

export interface SearchReadOptions extends OdooCallOptions {
  fields?: readonly string[];
  offset?: number;
  limit?: number;
  order?: string;
}

export interface SearchReadAllOptions extends OdooCallOptions {
  fields: readonly string[];
  /**
   * Records per call (default 2,000; Odoo reads ~45 % faster in pages of 2,000+ than of 100), up to 10,000; or a
   * function asked before each call (the product export reads smaller pages while order imports share the connection).
   */
  pageSize?: number | (() => number);
  /** Only records written at or after this UTC datetime (`YYYY-MM-DD HH:MM:SS`). */
  since?: string;
  /** Resume where a previous walk stopped. */
  cursor?: PageCursor;
}

export interface RecordPage<T> {
  records: T[];
  /** Where to resume after this page (persist it to continue later); null after the last page. */
  cursor: PageCursor | null;
}

export interface CreateIdempotentOptions extends OdooCallOptions {
  /** Look the record up before the first create too (default true: an earlier attempt may have created it). */
  lookupFirst?: boolean;
  /** Wait before looking up after an ambiguous failure (longer than Odoo's request time limit after a timeout). */
  settleMs?: number;
  /** Creates tried at most (default 3). */
  attempts?: number;
}

export interface CreateIdempotentResult {
  id: number;
  /** false: the record already existed (found by the lookup) before this call created anything. */
  created: boolean;
  /** The create's reply was lost and the record was found by the lookup afterwards. */
  recovered: boolean;
}

export const DEFAULT_FIELD_ATTRIBUTES = ['type', 'string', 'required', 'readonly', 'relation', 'selection', 'store', 'company_dependent'] as const;

/** Methods safe to repeat after a transient failure: reads, and writes whose effect is absolute. */
const REPEATABLE = new Set(['search_read', 'search', 'search_count', 'search_fetch', 'read', 'fields_get', 'read_group',
  'formatted_read_group', 'name_search', 'context_get', 'check_access_rights', 'has_access', 'has_group', 'web_search_read',
  'default_get', 'write', 'unlink', 'compute_all', 'action_archive', 'action_unarchive']);

/**
 * The Odoo client: one call shape on every version (`call(model, method, args, kwargs)` as execute_kw), typed helpers,
 * typed errors, per-call timeout, bounded retries with backoff for transient and concurrency errors only, a
 * per-connection concurrency limit and optional pace, the connection's context on every call, cursor paging,
 * a fields_get cache and capabilities found by feature detection. Every request goes through HttpClient (system
 * 'odoo'), so it lands in the API log with the key redacted.
 */
export class OdooClient {
  private session: Promise<ProbeResult> | null = null;
  private readonly fieldsCache = new Map<string, Promise<OdooFields>>();
  private capabilitiesPromise: Promise<OdooCapabilities> | null = null;
  private readonly limiter: OdooLimiter;
  private readonly retryPolicy: OdooRetryPolicy;
  private readonly timeoutMs: number;
  private readonly random: () => number;

  constructor(private readonly options: OdooClientOptions) {
    this.limiter = options.limiter instanceof OdooLimiter ? options.limiter : new OdooLimiter(options.clock, options.limiter ?? { maxConcurrent: 2 });
    this.retryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 10_000, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.random = options.random ?? Math.random;
  }

  get endpoint(): OdooEndpoint {
    return this.options.endpoint;
  }

  /** Probes transport and version and authenticates, once; a failed probe is retried by the next call. */
  async connect(opts: { signal?: AbortSignal } = {}): Promise<OdooSession> {
    if (!this.session) {
      const attempt = probeOdoo({ http: this.options.http, clock: this.options.clock, endpoint: this.options.endpoint }, {
        transport: this.options.transport ?? 'auto', timeoutMs: this.timeoutMs, signal: opts.signal,
      });
      this.session = attempt;
      attempt.catch(() => {
        if (this.session === attempt) this.session = null;
      });
    }
    const s = await this.session;
    return { kind: s.kind, version: s.version, uid: s.uid, notes: s.notes };
  }

  /** The context a call carries: connection defaults, then the call's own keys. */
  context(extra: OdooContext = {}): OdooContext {
    return buildContext(this.options.context ?? {}, extra);
  }

  /** `{warehouse_id: id}` (18+) or `{warehouse: id}` (17), to scope stock quantities. */
  async stockContext(warehouseId: number | null | undefined): Promise<OdooContext> {
    return stockContext((await this.connect()).version.major, warehouseId);
  }

  /**
   * Any model method, in execute_kw's shape. On JSON-2 the positional arguments are named per method (see
   * odoo.params.ts); arguments after the ids of an unknown method must be given as kwargs.
   */
  async call<T = unknown>(model: string, method: string, args: readonly unknown[] = [], kwargs: Record<string, unknown> = {}, opts: OdooCallOptions = {}): Promise<T> {
    const session = await this.sessionFor(opts.signal);
    const fullKwargs = { ...kwargs, context: this.context({ ...opts.context, ...(kwargs.context as OdooContext | undefined) }) };
    const repeatable = opts.retry ?? REPEATABLE.has(method);
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.limiter.run(() => session.transport.execute(model, method, args, fullKwargs, { timeoutMs: opts.timeoutMs ?? this.timeoutMs, signal: opts.signal }), { priority: opts.priority, signal: opts.signal })) as T;
      } catch (error) {
        const transient = error instanceof OdooTransportError || error instanceof OdooConcurrencyError;
        if (!transient || !repeatable || attempt >= this.retryPolicy.retries || opts.signal?.aborted) throw error;
        const retryAfter = error instanceof OdooTransportError ? error.retryAfterMs : null;
        await this.options.clock.sleep(retryAfter ?? this.backoff(attempt), opts.signal);
      }
    }
  }

  async searchRead<T extends OdooRecord = OdooRecord>(model: string, domain: OdooDomain, opts: SearchReadOptions = {}): Promise<T[]> {
    return this.call<T[]>(model, 'search_read', [domain], pick({ fields: opts.fields, offset: opts.offset, limit: opts.limit, order: opts.order }), opts);
  }

  async read<T extends OdooRecord = OdooRecord>(model: string, ids: readonly number[], fields?: readonly string[], opts: OdooCallOptions & { load?: '_classic_read' | null } = {}): Promise<T[]> {
    if (ids.length === 0) return [];
    return this.call<T[]>(model, 'read', [ids], pick({ fields, load: opts.load }), opts);
  }

  async search(model: string, domain: OdooDomain, opts: Omit<SearchReadOptions, 'fields'> = {}): Promise<number[]> {
    return toIds(await this.call(model, 'search', [domain], pick({ offset: opts.offset, limit: opts.limit, order: opts.order }), opts));
  }

  async searchCount(model: string, domain: OdooDomain, opts: OdooCallOptions & { limit?: number } = {}): Promise<number> {
    return this.call<number>(model, 'search_count', [domain], pick({ limit: opts.limit }), opts);
  }

  /** Creates one record. Never retried: after an ambiguous failure use createIdempotent. */
  async create(model: string, vals: Record<string, unknown>, opts: OdooCallOptions = {}): Promise<number> {
    const ids = toIds(await this.call(model, 'create', [vals], {}, { ...opts, retry: false }));
    const [id] = ids;
    if (ids.length !== 1 || id === undefined) throw new OdooValidationError({ odooMessage: `create returned ${ids.length} ids`, model, method: 'create' });
    return id;
  }

  async createMany(model: string, valsList: readonly Record<string, unknown>[], opts: OdooCallOptions = {}): Promise<number[]> {
    if (valsList.length === 0) return [];
    return toIds(await this.call(model, 'create', [valsList], {}, { ...opts, retry: false }));
  }

  async write(model: string, ids: readonly number[], vals: Record<string, unknown>, opts: OdooCallOptions = {}): Promise<true> {
    if (ids.length === 0) return true;
    await this.call(model, 'write', [ids, vals], {}, opts);
    return true;
  }

  async unlink(model: string, ids: readonly number[], opts: OdooCallOptions = {}): Promise<true> {
    if (ids.length === 0) return true;
    await this.call(model, 'unlink', [ids], {}, opts);
    return true;
  }

  /** fields_get with explicit attributes, cached per model and attribute list for the client's life. */
  async fieldsGet(model: string, opts: OdooCallOptions & { attributes?: readonly string[]; refresh?: boolean } = {}): Promise<OdooFields> {
    const attributes = opts.attributes ?? DEFAULT_FIELD_ATTRIBUTES;
    const key = `${model}|${[...attributes].sort().join(',')}`;
    if (opts.refresh) this.fieldsCache.delete(key);
    let cached = this.fieldsCache.get(key);
    if (!cached) {
      cached = this.call<OdooFields>(model, 'fields_get', [], { attributes }, opts);
      this.fieldsCache.set(key, cached);
      cached.catch(() => this.fieldsCache.delete(key));
    }
    return cached;
  }

  async readGroup<T = Record<string, unknown>>(model: string, domain: OdooDomain, fields: readonly string[], groupby: readonly string[], opts: OdooCallOptions & { lazy?: boolean; offset?: number; limit?: number; orderby?: string } = {}): Promise<T[]> {
    return this.call<T[]>(model, 'read_group', [domain, fields, groupby], pick({ lazy: opts.lazy, offset: opts.offset, limit: opts.limit, orderby: opts.orderby }), opts);
  }

  /** `[[id, display name], …]`. Positional over JSON-RPC (17/18 call the domain `args`, 19 `domain`). */
  async nameSearch(model: string, name: string, opts: OdooCallOptions & { domain?: OdooDomain; operator?: string; limit?: number } = {}): Promise<[number, string][]> {
    const session = await this.sessionFor(opts.signal);
    if (session.kind === 'jsonrpc') {
      return this.call(model, 'name_search', [name, opts.domain ?? [], opts.operator ?? 'ilike', opts.limit ?? 100], {}, opts);
    }
    return this.call(model, 'name_search', [], pick({ name, domain: opts.domain, operator: opts.operator, limit: opts.limit }), opts);
  }

  /**
   * Creates a record at most once. `lookupDomain` finds it by its idempotency key (e.g. the Poleepo order id); it is
   * searched before creating, and after any failure that may have committed (timeout, lost reply, 5xx, concurrency)
   * before creating again. Validation and access errors are thrown at once.
   */
  async createIdempotent(model: string, vals: Record<string, unknown>, lookupDomain: OdooDomain, opts: CreateIdempotentOptions = {}): Promise<CreateIdempotentResult> {
    if (lookupDomain.length === 0) throw new ValidationError('createIdempotent needs a lookup domain that identifies the record');
    const lookup = async () => (await this.search(model, lookupDomain, { limit: 1, order: 'id asc', context: { active_test: false, ...opts.context }, signal: opts.signal }))[0];
    if (opts.lookupFirst !== false) {
      const existing = await lookup();
      if (existing) return { id: existing, created: false, recovered: false };
    }
    const attempts = opts.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return { id: await this.create(model, vals, opts), created: true, recovered: false };
      } catch (error) {
        if (!(error instanceof OdooTransportError || error instanceof OdooConcurrencyError)) throw error;
        // The reply was lost (timeout, reset, gateway): Odoo may have committed. Look before creating again.
        if (error instanceof OdooTransportError && error.ambiguous) {
          if (opts.settleMs) await this.options.clock.sleep(opts.settleMs, opts.signal);
          const found = await lookup();
          if (found) return { id: found, created: true, recovered: true };
        }
        if (attempt >= attempts || opts.signal?.aborted) throw error;
        await this.options.clock.sleep(this.backoff(attempt - 1), opts.signal);
      }
    }
  }

  /**
   * Every matching record, page by page, on a `(write_date, id)` cursor (see odoo.paging.ts). One request ahead: the
   * next page is asked for before the current one is handed over.
   */
  async *searchReadAll<T extends OdooRecord = OdooRecord>(model: string, domain: OdooDomain, opts: SearchReadAllOptions): AsyncGenerator<RecordPage<T>> {
    const sizeNow = () => {
      const size = typeof opts.pageSize === 'function' ? opts.pageSize() : opts.pageSize ?? 2000;
      if (!(size >= 1 && size <= 10_000)) throw new ValidationError(`pageSize must be between 1 and 10000 (got ${size})`);
      return size;
    };
    sizeNow();
    const fields = opts.fields.includes('write_date') ? [...opts.fields] : [...opts.fields, 'write_date'];
    const fetchPage = (cursor: PageCursor) => {
      const query = pageQuery(domain, cursor);
      const limit = sizeNow();
      return this.searchRead<T>(model, query.domain, { ...opts, fields, order: query.order, limit }).then((records) => ({ cursor, records, limit }));
    };
    // The next page is requested as soon as the current one is known, so Odoo serves it while the caller works.
    let pending: ReturnType<typeof fetchPage> | null = fetchPage(opts.cursor ?? { mode: 'forward', from: opts.since ?? null });
    try {
      while (pending) {
        const { cursor, records, limit } = await pending;
        const step = pageStep(cursor, records, limit);
        pending = step.next ? fetchPage(step.next) : null;
        if (step.records.length > 0 || step.next === null) yield { records: step.records as T[], cursor: step.next };
      }
    } finally {
      // The caller stopped early: the request in flight is abandoned, not reported as unhandled.
      pending?.catch(() => undefined);
    }
  }

  /** Field names and features of this database (cached). */
  async capabilities(): Promise<OdooCapabilities> {
    if (!this.capabilitiesPromise) {
      const attempt = (async () => {
        const session = await this.connect();
        return detectCapabilities(session.version, session.kind, (model) => this.fieldsGet(model, { attributes: ['type', 'selection', 'relation', 'store'] }));
      })();
      this.capabilitiesPromise = attempt;
      attempt.catch(() => {
        if (this.capabilitiesPromise === attempt) this.capabilitiesPromise = null;
      });
    }
    return this.capabilitiesPromise;
  }

  /**
   * The API keys of the key's user and their expiry (18+, when `res.users.apikeys` is readable). Odoo stores only
   * hashes, so the key in use cannot be singled out: the earliest expiry among the user's keys is the one to watch.
   */
  async apiKeyExpiry(): Promise<{ supported: boolean; readable: boolean; keys: { name: string; expiresAt: number | null }[]; earliestExpiry: number | null }> {
    const caps = await this.capabilities();
    if (!caps.apiKeyExpiry) return { supported: false, readable: false, keys: [], earliestExpiry: null };
    const { uid } = await this.connect();
    try {
      const rows = await this.searchRead('res.users.apikeys', [['user_id', '=', uid]], { fields: ['name', 'expiration_date'] });
      const keys = rows.map((r) => ({ name: String(r.name ?? ''), expiresAt: typeof r.expiration_date === 'string' ? Date.parse(`${r.expiration_date.replace(' ', 'T')}Z`) : null }));
      const expiring = keys.map((k) => k.expiresAt).filter((t): t is number => t !== null);
      return { supported: true, readable: true, keys, earliestExpiry: expiring.length ? Math.min(...expiring) : null };
    } catch (error) {
      if (error instanceof OdooAccessError) return { supported: true, readable: false, keys: [], earliestExpiry: null };
      throw error;
    }
  }

  /** Whether this connection's interactive calls (orders, shipping) are running, waiting, or ended less than `ms` ago. */
  interactiveWithin(ms: number): boolean {
    return this.limiter.interactiveWithin(ms);
  }

  /** Calls running now and waiting for a slot (metrics, tests). */
  get load(): { active: number; queued: number } {
    return { active: this.limiter.active, queued: this.limiter.queued };
  }

  private async sessionFor(signal?: AbortSignal): Promise<ProbeResult> {
    await this.connect({ signal });
    return this.session!;
  }

  /** shared/backoff.ts: doubling from baseDelayMs, capped at maxDelayMs, jittered in the upper half. */
  private backoff(attempt: number): number {
    return backoffDelay(attempt, { baseMs: this.retryPolicy.baseDelayMs, capMs: this.retryPolicy.maxDelayMs, jitter: { spread: 'upper-half' } }, this.random);
  }
}

/** JSON-RPC create(dict) answers an id, JSON-2 (and 19's methods returning records) a list of ids. */
export function toIds(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value as number[];
  throw new OdooValidationError({ odooMessage: `expected record ids, got ${JSON.stringify(value)?.slice(0, 100)}` });
}

function pick(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
