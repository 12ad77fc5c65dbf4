import { backoffDelay } from '../shared/backoff.ts';
import type { Clock } from '../shared/clock.ts';
import { RateLimitedError, RetryableError } from '../shared/errors.ts';
import type { ApiLogRecorder, ApiCall } from '../apilog/apilog.recorder.ts';
import type { RateLimit, RateLimitLedger } from '../ratelimit/ledger.ts';

export interface RetryPolicy {
  /** Extra attempts after the first (0 = never retry: the right choice for non-idempotent calls). */
  retries: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Statuses worth another try; network errors and timeouts always are (when retries > 0). */
  retryStatuses?: readonly number[];
  /** A 429/503 whose Retry-After is longer than this is returned to the caller instead of waited for. */
  maxRetryAfterMs?: number;
}

export interface HttpRequest {
  system: ApiCall['system'];
  connectionId?: number | null;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Consult the persisted ledger before sending (cluster-wide limit per account and endpoint). */
  rateLimit?: { accountKey: string; endpoint: string; rule: RateLimit };
  /** Values to strip from the API log wherever they appear (keys, tokens). */
  secrets?: readonly string[];
  /** Path shown in the API log (defaults to the URL's path and query). */
  logPath?: string;
  signal?: AbortSignal;
  /** `manual` returns a 3xx as is (a probe that must not land on a login page); default `follow`. */
  redirect?: RequestRedirect;
  /** A probe: any HTTP answer is the information sought, recorded as a probe and not as an error. */
  probe?: boolean;
}

/**
 * How a client records calls in the API log. `responseBody: 'size-only'` keeps the status and the size of each answer
 * but not its text: `connection test` calls a host the person typed, whose answers are no business of the log.
 */
export interface HttpLogPolicy {
  responseBody: 'kept' | 'size-only';
  /** Why the body was not kept (shown in its place). */
  reason?: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  durationMs: number;
}

/** The request never got an HTTP answer (DNS, refused, reset, timeout). Retryable by nature. */
export class TransportError extends RetryableError {
  constructor(message: string, readonly timedOut: boolean, options?: { cause?: unknown }) {
    super(message, { ...options, code: timedOut ? 'timeout' : 'transport' });
  }
}

export const DEFAULT_RETRY_STATUSES = [429, 502, 503, 504] as const;

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HttpClientDeps {
  clock: Clock;
  apiLog?: ApiLogRecorder;
  ledger?: RateLimitLedger;
  fetch?: FetchLike;
  random?: () => number;
}

/**
 * The one outbound HTTP wrapper every integration uses: timeout, retries with exponential backoff and jitter for
 * transient failures, Retry-After, the rate-limit ledger, and an API-log entry per attempt.
 * Non-2xx answers are returned, not thrown: each client maps them to its own typed errors.
 */
export class HttpClient {
  private readonly fetchImpl: FetchLike;
  private readonly random: () => number;

  constructor(private readonly deps: HttpClientDeps, private readonly logPolicy: HttpLogPolicy = { responseBody: 'kept' }) {
    this.fetchImpl = deps.fetch ?? ((url, init) => fetch(url, init));
    this.random = deps.random ?? Math.random;
  }

  /** The same client (fetch, API log, ledger) recording its calls under another policy. */
  withLogPolicy(policy: HttpLogPolicy): HttpClient {
    return new HttpClient(this.deps, policy);
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const policy = req.retry ?? { retries: 0 };
    const retryStatuses = policy.retryStatuses ?? DEFAULT_RETRY_STATUSES;
    for (let attempt = 0; ; attempt++) {
      const entryId = req.rateLimit ? await this.acquire(req.rateLimit) : null;
      let response: HttpResponse | undefined;
      let failure: TransportError | undefined;
      try {
        response = await this.once(req);
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        failure = e;
      } finally {
        // The request counts from when it was over (see RateLimitLedger.stamp), not from when it was granted.
        // Best effort: unstamped, the entry keeps its grant time (the answer must not be lost for it).
        if (entryId !== null) await this.deps.ledger!.stamp(entryId).catch(() => undefined);
      }
      const canRetry = attempt < policy.retries && !req.signal?.aborted;
      if (failure) {
        if (!canRetry) throw failure;
        await this.deps.clock.sleep(this.backoff(attempt, policy), req.signal);
        // Aborted while waiting (a task's timeout, a stop): no further attempt.
        req.signal?.throwIfAborted();
        continue;
      }
      if (!response || !retryStatuses.includes(response.status) || !canRetry) return response!;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), this.deps.clock.now());
      if (retryAfter !== null && retryAfter > (policy.maxRetryAfterMs ?? 60_000)) return response;
      await this.deps.clock.sleep(retryAfter ?? this.backoff(attempt, policy), req.signal);
      req.signal?.throwIfAborted();
    }
  }

  /** The ledger entry granted (null without a ledger); RateLimitedError when the window is full. */
  private async acquire(rl: NonNullable<HttpRequest['rateLimit']>): Promise<number | null> {
    if (!this.deps.ledger) return null;
    const got = await this.deps.ledger.tryAcquireEntry(rl.accountKey, rl.endpoint, rl.rule);
    if (!got.granted) {
      throw new RateLimitedError(`Rate limit of ${rl.rule.limit} requests per ${Math.round(rl.rule.windowMs / 1000)} s reached for ${rl.endpoint}`, got.retryAfterMs);
    }
    return got.entryId;
  }

  /** The wait before retry number `attempt + 1` (shared/backoff.ts: doubling, capped, jittered in the upper half). */
  backoff(attempt: number, policy: RetryPolicy): number {
    return backoffDelay(attempt, { baseMs: policy.baseDelayMs ?? 250, capMs: policy.maxDelayMs ?? 10_000, jitter: { spread: 'upper-half' } }, this.random);
  }

  private loggedBody(text: string): string {
    if (this.logPolicy.responseBody === 'kept') return text;
    return `(${Buffer.byteLength(text)} bytes, not kept${this.logPolicy.reason ? `: ${this.logPolicy.reason}` : ''})`;
  }

  private async once(req: HttpRequest): Promise<HttpResponse> {
    const started = performance.now();
    const timeout = AbortSignal.timeout(req.timeoutMs ?? 30_000);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    const logPath = req.logPath ?? pathOf(req.url);
    try {
      const res = await this.fetchImpl(req.url, { method: req.method, headers: req.headers, body: req.body, signal, redirect: req.redirect });
      const text = await res.text();
      const durationMs = performance.now() - started;
      this.deps.apiLog?.record({
        connectionId: req.connectionId, system: req.system, direction: 'outbound', method: req.method, path: logPath,
        status: res.status, durationMs, error: res.ok || req.probe ? null : `HTTP ${res.status}`, probe: req.probe,
        requestBody: req.body ?? null, responseBody: this.loggedBody(text), secrets: req.secrets,
      });
      return { status: res.status, headers: res.headers, text, durationMs };
    } catch (cause) {
      const durationMs = performance.now() - started;
      const timedOut = timeout.aborted;
      const message = timedOut
        ? `${req.method} ${logPath} timed out after ${req.timeoutMs ?? 30_000} ms`
        : `${req.method} ${logPath} failed: ${describeNetworkError(cause)}`;
      this.deps.apiLog?.record({
        connectionId: req.connectionId, system: req.system, direction: 'outbound', method: req.method, path: logPath,
        status: null, durationMs, error: message, requestBody: req.body ?? null, responseBody: null, secrets: req.secrets, probe: req.probe,
      });
      throw new TransportError(message, timedOut, { cause });
    }
  }
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

function describeNetworkError(cause: unknown): string {
  const c = cause as { cause?: { code?: string; message?: string }; message?: string };
  return c?.cause?.code ?? c?.cause?.message ?? c?.message ?? String(cause);
}
