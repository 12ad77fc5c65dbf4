import type { HttpClient, HttpResponse, RetryPolicy } from '../http/http.client.ts';
import { parseRetryAfter } from '../http/http.client.ts';
import type { RateLimit } from '../ratelimit/ledger.ts';
import type { Clock } from '../shared/clock.ts';
import type { Db } from '../storage/db.ts';
import type { SecretBox } from '../shared/secrets.ts';
import { RateLimitedError, ValidationError } from '../shared/errors.ts';
import {
  fillPath, resolvePoleepoEndpoints, type EndpointSpec, type PoleepoEndpointKey, type PoleepoEndpointMap,
  type PoleepoEndpointOverrides,
} from './poleepo.endpoints.ts';
import { PoleepoProtocolError, PoleepoRateLimitedError } from './poleepo.errors.ts';
import { errorForResponse, openEnvelope, type Envelope } from './poleepo.responses.ts';
import { formatUpdatedAfter } from './poleepo.time.ts';
import { PoleepoTokenProvider, type CurrentToken, type IssuedToken } from './poleepo.token-provider.ts';
import { DbTokenStore, MemoryTokenStore, type PoleepoTokenStore } from './poleepo.token-store.ts';
import type {
  PoleepoBatch, PoleepoBatchEntry, PoleepoCarrier, PoleepoCategory, PoleepoDocument, PoleepoDocumentUpload,
  PoleepoLabel, PoleepoOrder, PoleepoOrderStatus, PoleepoPackageType, PoleepoPickupAddress, PoleepoProduct,
  PoleepoProductCreate, PoleepoProductUpdate, PoleepoPublication, PoleepoShipping, PoleepoShippingCreate,
} from './poleepo.types.ts';

/** Per-endpoint limits enforced through the persisted ledger before sending (docs/poleepo-api.md §6). */
export type PoleepoRateLimits = Partial<Record<PoleepoEndpointKey, RateLimit>>;

/** The seed's limit: 5 requests on the batch status endpoint; its window is a connection setting (default 10 min). */
export function defaultPoleepoRateLimits(batchStatusWindowMs = 10 * 60_000): PoleepoRateLimits {
  return { 'batches.status': { limit: 5, windowMs: batchStatusWindowMs } };
}

/** Poleepo's hard page size (assumed: 100 confirmed to work, nothing larger is sent). */
export const MAX_PAGE_SIZE = 100;

export interface PoleepoClientDeps {
  http: HttpClient;
  clock: Clock;
  /** With `secrets`, the token is shared through the database by every process of the deployment. */
  db?: Db;
  secrets?: SecretBox;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  connectionId: number | null;
  rateLimits?: PoleepoRateLimits;
  endpoints?: PoleepoEndpointOverrides;
  /** Another token store (e.g. one shared by several clients of one process). */
  tokenStore?: PoleepoTokenStore;
  timeoutMs?: number;
  /** Extra attempts for idempotent calls (network errors, 5xx, 429). */
  retries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error goes back to the caller's task. */
  maxRetryAfterMs?: number;
  tokenRefreshMarginMs?: number;
  pageSize?: number;
}

/** What every call accepts: an abort signal (a task's timeout or a stop ends its requests and its waits at once). */
export interface PoleepoRequestOptions {
  signal?: AbortSignal;
}

interface CallOptions extends PoleepoRequestOptions {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | null | undefined>;
  body?: unknown;
  /** A probe (`connection test`'s permission checks): recorded as such, its 403/404 is not an API error. */
  probe?: boolean;
}

export interface Page<T> {
  items: T[];
  total: number | null;
}

/**
 * Poleepo's REST API for one account, as docs/poleepo-api.md describes it: the shared client-credentials token with
 * one re-authentication on 401, the `{data}` envelope, offset/max paging, typed errors, retries with backoff and
 * jitter (idempotent calls only), per-endpoint limits through the rate-limit ledger, every call in the API log.
 */
export class PoleepoClient {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly connectionId: number | null;
  readonly endpoints: PoleepoEndpointMap;
  /** The ledger's account key: limits hold per Poleepo account, across connections and processes. */
  readonly accountKey: string;
  private readonly tokens: PoleepoTokenProvider;
  private readonly rateLimits: PoleepoRateLimits;
  private readonly pageSize: number;

  constructor(private readonly deps: PoleepoClientDeps) {
    if (!deps.clientId || !deps.clientSecret) throw new ValidationError('The Poleepo client id and client secret are both required');
    this.baseUrl = deps.baseUrl.replace(/\/+$/, '');
    if (!/^https?:\/\//.test(this.baseUrl)) throw new ValidationError(`The Poleepo base URL must start with http:// or https:// (got "${deps.baseUrl}")`);
    this.clientId = deps.clientId;
    this.connectionId = deps.connectionId;
    this.endpoints = resolvePoleepoEndpoints(deps.endpoints);
    this.accountKey = `poleepo:${this.baseUrl}:${this.clientId}`;
    this.rateLimits = deps.rateLimits ?? defaultPoleepoRateLimits();
    this.pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, deps.pageSize ?? MAX_PAGE_SIZE));
    let store = deps.tokenStore;
    if (!store && deps.db) {
      if (!deps.secrets) throw new ValidationError('Sharing the Poleepo token through the database needs the SecretBox (it is stored encrypted)');
      store = new DbTokenStore(deps.db, deps.secrets, this.baseUrl, this.clientId);
    }
    this.tokens = new PoleepoTokenProvider(store ?? new MemoryTokenStore(), () => this.issueToken(), deps.clock, {
      refreshMarginMs: deps.tokenRefreshMarginMs,
    });
  }

  // ——— token ———

  /** The current access token (obtained or renewed when needed); `connection test` uses it. */
  async token(): Promise<CurrentToken> {
    return this.tokens.current();
  }

  private async issueToken(): Promise<IssuedToken> {
    const key: PoleepoEndpointKey = 'auth.token';
    const spec = this.endpoints[key];
    const body = JSON.stringify({ client_id: this.clientId, client_secret: this.deps.clientSecret, grant: 'client_credentials' });
    const res = await this.send(key, spec, this.baseUrl + spec.path, body, null);
    if (res.status < 200 || res.status >= 300) throw errorForResponse(key, spec, res, this.deps.clock.now());
    const { data } = openEnvelope(key, res);
    const d = data as { access_token?: unknown; duration?: unknown } | null;
    if (!d || typeof d.access_token !== 'string' || d.access_token === '') {
      throw new PoleepoProtocolError('Poleepo answered the token request without data.access_token', { endpoint: key, status: res.status });
    }
    // `duration` (seconds) is the confirmed field; about an hour when absent.
    const duration = typeof d.duration === 'number' && d.duration > 0 ? d.duration : 3600;
    return { token: d.access_token, durationSeconds: duration };
  }

  // ——— core ———

  /** One API call: token, send (with retries and the ledger), one re-authentication on 401, envelope opened. */
  async call(key: PoleepoEndpointKey, options: CallOptions = {}): Promise<Envelope> {
    const spec = this.endpoints[key];
    const url = this.url(spec, options);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    for (let attempt = 0; ; attempt++) {
      options.signal?.throwIfAborted();
      const current = await this.tokens.current();
      const res = await this.send(key, spec, url, body, current.token, options.signal, options.probe);
      if (res.status === 401 && attempt === 0) {
        await this.tokens.invalidate(current.version);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return openEnvelope(key, res);
      throw errorForResponse(key, spec, res, this.deps.clock.now());
    }
  }

  private url(spec: EndpointSpec, options: CallOptions): string {
    const path = fillPath(spec.path, options.params);
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    const qs = q.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  private async send(key: PoleepoEndpointKey, spec: EndpointSpec, url: string, body: string | undefined, token: string | null, signal?: AbortSignal, probe?: boolean): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    const secrets = [this.deps.clientSecret, ...(token ? [token] : [])];
    const rule = this.rateLimits[key];
    // A POST that creates something may have been applied when no answer came back: it is repeated only on 429.
    const idempotent = spec.method !== 'POST' || key === 'auth.token';
    const retries = this.deps.retries ?? 3;
    const maxRetryAfterMs = this.deps.maxRetryAfterMs ?? 60_000;
    const retry: RetryPolicy = idempotent
      ? { retries, baseDelayMs: this.deps.retryBaseDelayMs ?? 500, maxDelayMs: this.deps.retryMaxDelayMs ?? 15_000, retryStatuses: [429, 500, 502, 503, 504], maxRetryAfterMs }
      : { retries: 0 };
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.deps.http.request({
          system: 'poleepo', connectionId: this.connectionId, method: spec.method, url, headers, body,
          timeoutMs: this.deps.timeoutMs ?? 30_000, retry, secrets, signal, probe,
          rateLimit: rule ? { accountKey: this.accountKey, endpoint: key, rule } : undefined,
        });
      } catch (error) {
        if (error instanceof RateLimitedError && !(error instanceof PoleepoRateLimitedError)) {
          throw new PoleepoRateLimitedError(error.message, error.retryAfterMs, { endpoint: key, status: null, poleepoCode: 'LEDGER' });
        }
        throw error;
      }
      if (idempotent || res.status !== 429 || attempt >= retries) return res;
      const wait = parseRetryAfter(res.headers.get('retry-after'), this.deps.clock.now()) ?? this.deps.http.backoff(attempt, retry);
      if (wait > maxRetryAfterMs) return res;
      await this.deps.clock.sleep(wait, signal);
      signal?.throwIfAborted();
    }
  }

  /** One page of a list endpoint (`max` capped at 100). */
  async page<T>(key: PoleepoEndpointKey, offset: number, max: number, options: CallOptions = {}): Promise<Page<T>> {
    const size = Math.max(1, Math.min(MAX_PAGE_SIZE, max));
    const env = await this.call(key, { ...options, query: { ...options.query, offset, max: size } });
    if (!Array.isArray(env.data)) throw new PoleepoProtocolError(`Poleepo answered ${key} with data that is not a list`, { endpoint: key, status: 200 });
    return { items: env.data as T[], total: env.total };
  }

  /** Every item of a list endpoint: pages of `pageSize` (≤ 100), stopping on the first short page. */
  async *paginate<T>(key: PoleepoEndpointKey, options: CallOptions = {}, pageSize = this.pageSize): AsyncGenerator<T> {
    const max = Math.max(1, Math.min(MAX_PAGE_SIZE, pageSize));
    let offset = 0;
    let previousFirst: unknown;
    for (;;) {
      const { items } = await this.page<T>(key, offset, max, options);
      const first = idOf(items[0]);
      if (offset > 0 && first !== undefined && first === previousFirst) {
        throw new PoleepoProtocolError(`Poleepo returned the same page twice for ${key} (offset ignored?)`, { endpoint: key, status: 200 });
      }
      previousFirst = first;
      for (const item of items) yield item;
      if (items.length < max) return;
      offset += items.length;
    }
  }

  // ——— products ———

  listProducts(filter: { active?: boolean } = {}, pageSize?: number, opts: PoleepoRequestOptions = {}): AsyncGenerator<PoleepoProduct> {
    return this.paginate<PoleepoProduct>('products.list', { query: { active: filter.active }, signal: opts.signal }, pageSize);
  }

  async getProduct(id: number | string, opts: PoleepoRequestOptions = {}): Promise<PoleepoProduct> {
    return (await this.call('products.get', { params: { id }, signal: opts.signal })).data as PoleepoProduct;
  }

  /**
   * The product with exactly this SKU, or null. Asks `?sku=` (an assumed filter) and keeps only an exact match; when
   * the answer is a full page without it, the filter was ignored and every page is scanned. Never a false match.
   */
  async getProductBySku(sku: string, opts: PoleepoRequestOptions = {}): Promise<PoleepoProduct | null> {
    const { items } = await this.page<PoleepoProduct>('products.list', 0, this.pageSize, { query: { sku }, signal: opts.signal });
    const exact = items.find((p) => p.sku === sku);
    if (exact) return exact;
    if (items.length < this.pageSize) return null;
    for await (const p of this.listProducts({}, undefined, opts)) if (p.sku === sku) return p;
    return null;
  }

  /**
   * The Poleepo product id of each of these SKUs that Poleepo has (exact matches; the others are absent from the
   * map), from ONE walk of the product list, stopped as soon as every SKU is found. For reconciling many items at once
   * (a stuck batch, DUPLICATE_SKU results): one lookup per item would cost a request each — and, where Poleepo
   * ignores the assumed `?sku=` filter, a walk of the whole list each.
   */
  async productIdsBySku(skus: Iterable<string>, opts: PoleepoRequestOptions = {}): Promise<Map<string, string>> {
    const wanted = new Set(skus);
    const found = new Map<string, string>();
    if (wanted.size === 0) return found;
    for await (const p of this.listProducts({}, undefined, opts)) {
      if (!wanted.has(p.sku) || found.has(p.sku)) continue;
      found.set(p.sku, String(p.id));
      if (found.size === wanted.size) break;
    }
    return found;
  }

  async createProduct(product: PoleepoProductCreate, opts: PoleepoRequestOptions = {}): Promise<PoleepoProduct> {
    return (await this.call('products.create', { body: product, signal: opts.signal })).data as PoleepoProduct;
  }

  /** Partial update. Tags without an id are silently dropped by Poleepo (never rely on creating tags here). */
  async updateProduct(id: number | string, changes: PoleepoProductUpdate, opts: PoleepoRequestOptions = {}): Promise<PoleepoProduct> {
    return (await this.call('products.update', { params: { id }, body: changes, signal: opts.signal })).data as PoleepoProduct;
  }

  listCategories(opts: PoleepoRequestOptions = {}): AsyncGenerator<PoleepoCategory> {
    return this.paginate<PoleepoCategory>('categories.list', { signal: opts.signal });
  }

  listPublications(filter: { source?: string } = {}, opts: PoleepoRequestOptions = {}): AsyncGenerator<PoleepoPublication> {
    return this.paginate<PoleepoPublication>('publications.list', { query: { source: filter.source }, signal: opts.signal });
  }

  // ——— product batches ———

  async submitBatch(entries: PoleepoBatchEntry[], opts: PoleepoRequestOptions = {}): Promise<PoleepoBatch> {
    return (await this.call('batches.submit', { body: { products: entries }, signal: opts.signal })).data as PoleepoBatch;
  }

  /** Rate-limited (5 per window by default): may throw PoleepoRateLimitedError without calling Poleepo. */
  async getBatch(id: number | string, opts: PoleepoRequestOptions = {}): Promise<PoleepoBatch> {
    return (await this.call('batches.status', { params: { id }, signal: opts.signal })).data as PoleepoBatch;
  }

  // ——— orders ———

  /** Orders changed at or after `since` (null: all), oldest change first. */
  listOrdersSince(since: number | Date | null, pageSize?: number, opts: PoleepoRequestOptions = {}): AsyncGenerator<PoleepoOrder> {
    return this.paginate<PoleepoOrder>('orders.list', { query: { updated_after: since === null ? undefined : formatUpdatedAfter(since) }, signal: opts.signal }, pageSize);
  }

  async getOrder(id: number | string, opts: PoleepoRequestOptions = {}): Promise<PoleepoOrder> {
    return (await this.call('orders.get', { params: { id }, signal: opts.signal })).data as PoleepoOrder;
  }

  async updateOrderStatus(id: number | string, status: PoleepoOrderStatus, opts: PoleepoRequestOptions = {}): Promise<PoleepoOrder> {
    return (await this.call('orders.updateStatus', { params: { id }, body: { status }, signal: opts.signal })).data as PoleepoOrder;
  }

  // ——— documents ———

  async uploadDocument(orderId: number | string, document: PoleepoDocumentUpload, opts: PoleepoRequestOptions = {}): Promise<PoleepoDocument> {
    return (await this.call('documents.upload', { params: { id: orderId }, body: document, signal: opts.signal })).data as PoleepoDocument;
  }

  async listDocuments(orderId: number | string, opts: PoleepoRequestOptions = {}): Promise<PoleepoDocument[]> {
    const out: PoleepoDocument[] = [];
    for await (const d of this.paginate<PoleepoDocument>('documents.list', { params: { id: orderId }, signal: opts.signal })) out.push(d);
    return out;
  }

  /** One document with its content (`content_base64`) and the bytes decoded. */
  async getDocument(orderId: number | string, documentId: number | string, opts: PoleepoRequestOptions = {}): Promise<PoleepoDocument & { bytes: Buffer }> {
    const doc = (await this.call('documents.get', { params: { id: orderId, docId: documentId }, signal: opts.signal })).data as PoleepoDocument;
    return { ...doc, bytes: Buffer.from(doc.content_base64 ?? '', 'base64') };
  }

  // ——— shippings ———

  listShippings(filter: { orderId?: number | string } = {}, opts: PoleepoRequestOptions = {}): AsyncGenerator<PoleepoShipping> {
    return this.paginate<PoleepoShipping>('shippings.list', { query: { order: filter.orderId }, signal: opts.signal });
  }

  async getShipping(id: number | string, opts: PoleepoRequestOptions = {}): Promise<PoleepoShipping> {
    return (await this.call('shippings.get', { params: { id }, signal: opts.signal })).data as PoleepoShipping;
  }

  /** Not repeated after a timeout or 5xx (it may have been created): reconcile with `listShippings({orderId})`. */
  async createShipping(shipping: PoleepoShippingCreate, opts: PoleepoRequestOptions = {}): Promise<PoleepoShipping> {
    return (await this.call('shippings.create', { body: shipping, signal: opts.signal })).data as PoleepoShipping;
  }

  /** The waybill: Poleepo's answer plus the PDF bytes. */
  async getShippingLabel(id: number | string, opts: PoleepoRequestOptions = {}): Promise<PoleepoLabel & { pdf: Buffer }> {
    const key: PoleepoEndpointKey = 'shippings.label';
    const label = (await this.call(key, { params: { id }, signal: opts.signal })).data as PoleepoLabel;
    const pdf = Buffer.from(label?.content_base64 ?? '', 'base64');
    if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') {
      throw new PoleepoProtocolError(`Poleepo's waybill for shipping ${id} is not a PDF`, { endpoint: key, status: 200 });
    }
    return { ...label, pdf };
  }

  /** The seed's "Consegnato al corriere". */
  async markHandedToCarrier(id: number | string, opts: PoleepoRequestOptions = {}): Promise<PoleepoShipping> {
    return (await this.call('shippings.updateStatus', { params: { id }, body: { status: 'HANDED_TO_CARRIER' }, signal: opts.signal })).data as PoleepoShipping;
  }

  async cancelShipping(id: number | string, opts: PoleepoRequestOptions = {}): Promise<PoleepoShipping> {
    return (await this.call('shippings.updateStatus', { params: { id }, body: { status: 'CANCELED' }, signal: opts.signal })).data as PoleepoShipping;
  }

  /** The couriers; for an order (and a total weight in kg), with the prices Poleepo quotes for it (assumed query). */
  async listCarriers(quote: { orderId?: number | string; weightKg?: number } = {}, opts: PoleepoRequestOptions = {}): Promise<PoleepoCarrier[]> {
    return collect(this.paginate<PoleepoCarrier>('carriers.list', { query: { order: quote.orderId, weight: quote.weightKg }, signal: opts.signal }));
  }

  async listPackageTypes(opts: PoleepoRequestOptions = {}): Promise<PoleepoPackageType[]> {
    return collect(this.paginate<PoleepoPackageType>('packageTypes.list', { signal: opts.signal }));
  }

  async listPickupAddresses(opts: PoleepoRequestOptions = {}): Promise<PoleepoPickupAddress[]> {
    return collect(this.paginate<PoleepoPickupAddress>('pickupAddresses.list', { signal: opts.signal }));
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function idOf(item: unknown): unknown {
  return item && typeof item === 'object' ? (item as { id?: unknown }).id : undefined;
}
