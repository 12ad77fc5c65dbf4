import { TransportError, parseRetryAfter, type HttpClient, type HttpResponse } from '../http/http.client.ts';
import type { Clock } from '../shared/clock.ts';
import { OdooDatabaseError, OdooNotFoundError, OdooServerError, OdooTransportError } from './odoo.errors.ts';

/** Where and as whom the client talks to Odoo. */
export interface OdooEndpoint {
  /** Base URL (`https://mycompany.odoo.com`), without a trailing path. */
  url: string;
  db: string;
  login: string;
  apiKey: string;
  /** For the API log. */
  connectionId?: number | null;
}

export interface OdooHttpRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** API log label (JSON-RPC calls all go to /jsonrpc: the label names model and method). */
  logPath?: string;
  signal?: AbortSignal;
  redirect?: RequestRedirect;
  /** Recorded as a probe: its answer is information, not an error (the JSON-2 transport probe). */
  probe?: boolean;
}

const USER_AGENT = 'poleepo-odoo-connector';

/** Sends one request through the shared HttpClient (API log, key redaction); network failures become OdooTransportError. */
export async function sendToOdoo(http: HttpClient, endpoint: OdooEndpoint, req: OdooHttpRequest, where: { model?: string; method?: string } = {}): Promise<HttpResponse> {
  try {
    return await http.request({
      system: 'odoo',
      connectionId: endpoint.connectionId ?? null,
      method: req.method,
      url: baseUrl(endpoint.url) + req.path,
      headers: { 'User-Agent': USER_AGENT, ...req.headers },
      body: req.body,
      timeoutMs: req.timeoutMs,
      // Retries are decided by the Odoo client, which knows which calls are safe to repeat.
      retry: { retries: 0 },
      secrets: [endpoint.apiKey],
      logPath: req.logPath,
      signal: req.signal,
      redirect: req.redirect,
      probe: req.probe,
    });
  } catch (error) {
    if (error instanceof TransportError) {
      const refused = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(error.message);
      throw new OdooTransportError({ odooMessage: error.message, timedOut: error.timedOut, ambiguous: !refused, model: where.model, method: where.method }, { cause: error });
    }
    throw error;
  }
}

export function baseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

export function isJson(res: HttpResponse): boolean {
  return /application\/json/i.test(res.headers.get('content-type') ?? '');
}

/** A non-JSON answer (HTML error page, proxy page) turned into the right error class. */
export function nonJsonError(res: HttpResponse, clock: Clock, where: { model?: string; method?: string; path: string }): Error {
  const init = { httpStatus: res.status, model: where.model, method: where.method };
  if (res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504) {
    return new OdooTransportError({ ...init, odooMessage: `HTTP ${res.status} from ${where.path}`, ambiguous: res.status !== 429 && res.status !== 503, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), clock.now()) });
  }
  if (res.status >= 500) return new OdooTransportError({ ...init, odooMessage: `HTTP ${res.status} (not JSON) from ${where.path}`, ambiguous: true });
  if (res.status === 404 && /No database is selected/i.test(res.text)) {
    return new OdooDatabaseError({ ...init, odooMessage: 'no database of that name on this server (X-Odoo-Database)' });
  }
  if (res.status === 404) return new OdooNotFoundError({ ...init, odooMessage: `${where.path} does not exist on this server (is the URL the Odoo base URL?)` });
  if (res.status >= 300 && res.status < 400) return new OdooNotFoundError({ ...init, odooMessage: `${where.path} redirects to ${res.headers.get('location') ?? 'elsewhere'} (no API there)` });
  return new OdooServerError({ ...init, odooMessage: `HTTP ${res.status} (not JSON) from ${where.path}: ${res.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)}` });
}

export function parseJson(res: HttpResponse, where: { model?: string; method?: string; path: string }): unknown {
  if (res.text === '') return null;
  try {
    return JSON.parse(res.text);
  } catch (cause) {
    throw new OdooTransportError({ httpStatus: res.status, model: where.model, method: where.method, odooMessage: `unreadable JSON from ${where.path}`, ambiguous: true }, { cause });
  }
}
