import type { HttpResponse } from '../http/http.client.ts';
import { parseRetryAfter } from '../http/http.client.ts';
import type { EndpointSpec, PoleepoAccess, PoleepoArea } from './poleepo.endpoints.ts';
import {
  PoleepoAuthError, PoleepoNotFoundError, PoleepoPermissionError, PoleepoProtocolError, PoleepoRateLimitedError,
  PoleepoServerError, PoleepoValidationError, type PoleepoFieldError,
} from './poleepo.errors.ts';

/** A successful answer's payload: the `{data}` envelope opened (docs/poleepo-api.md §1). */
export interface Envelope {
  data: unknown;
  total: number | null;
}

interface ErrorBody {
  success?: boolean;
  code?: string;
  message?: string;
  error?: string;
  errors?: unknown;
  permission?: string;
  required?: string;
}

/** Opens a 2xx answer; anything that is not `{data: …}` JSON is a protocol error. */
export function openEnvelope(key: string, res: HttpResponse): Envelope {
  if (res.status === 204 || res.text.trim() === '') return { data: null, total: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    throw new PoleepoProtocolError(`Poleepo answered ${key} with a body that is not JSON (${res.text.slice(0, 60)}…)`, { endpoint: key, status: res.status });
  }
  // S2 treats `{success: false, message}` as an error whatever the status (docs/poleepo-api.md §1.3): a refusal, not a glitch.
  if (parsed && typeof parsed === 'object' && (parsed as ErrorBody).success === false) {
    const body = parsed as ErrorBody;
    throw new PoleepoValidationError(`Poleepo refused ${key}: ${body.message ?? body.error ?? body.code ?? 'success: false'}`, { endpoint: key, status: res.status, poleepoCode: body.code ?? null }, fieldErrors(body.errors));
  }
  if (!parsed || typeof parsed !== 'object' || !('data' in parsed)) {
    throw new PoleepoProtocolError(`Poleepo answered ${key} without the {data: …} envelope`, { endpoint: key, status: res.status });
  }
  const total = (parsed as { total?: unknown }).total;
  return { data: (parsed as { data: unknown }).data, total: typeof total === 'number' ? total : null };
}

/** The typed error for a non-2xx answer; the status alone decides the class, the body adds detail when present. */
export function errorForResponse(key: string, spec: EndpointSpec, res: HttpResponse, now: number): Error {
  const body = parseErrorBody(res.text);
  const info = { endpoint: key, status: res.status, poleepoCode: body.code ?? null };
  const said = body.message ?? body.error ?? null;
  const suffix = said ? `: ${said}` : '';
  const s = res.status;
  if (s === 401) {
    return key === 'auth.token'
      ? new PoleepoAuthError(`Poleepo refused the client id or client secret${suffix}`, info)
      : new PoleepoAuthError(`Poleepo refused the access token for ${key} even after a new one was obtained${suffix}`, info);
  }
  if (s === 403) {
    const permission = (asArea(body.permission) ?? spec.permission?.area ?? null);
    const required = (asAccess(body.required) ?? spec.permission?.level ?? null);
    const what = permission ? `${required ?? 'some'} access to ${permission}` : 'the permission this call needs';
    return new PoleepoPermissionError(
      `The Poleepo API key has no ${what} (needed by ${key}); grant it in Poleepo under Configurations > API${suffix}`,
      info, permission, required,
    );
  }
  if (s === 404) return new PoleepoNotFoundError(`Poleepo does not know this resource (${key})${suffix}`, info);
  if (s === 400 || s === 409 || s === 422) {
    const fields = fieldErrors(body.errors);
    const detail = fields.length ? ` (${fields.map((f) => `${f.field}: ${f.message}`).join('; ')})` : '';
    return new PoleepoValidationError(`Poleepo refused ${key}${suffix || ': invalid request'}${detail}`, info, fields);
  }
  if (s === 429) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now) ?? 1000;
    return new PoleepoRateLimitedError(`Poleepo rate limit reached on ${key}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs, info);
  }
  if (s >= 500) return new PoleepoServerError(`Poleepo failed on ${key} with HTTP ${s}${suffix}`, info);
  return new PoleepoProtocolError(`Poleepo answered ${key} with unexpected HTTP ${s}${suffix}`, info);
}

function parseErrorBody(text: string): ErrorBody {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as ErrorBody) : {};
  } catch {
    return {};
  }
}

/** Accepts `[{field, code?, message}]` or `{field: message | [messages]}`. */
function fieldErrors(errors: unknown): PoleepoFieldError[] {
  if (Array.isArray(errors)) {
    return errors.filter((e) => e && typeof e === 'object').map((e) => {
      const o = e as Record<string, unknown>;
      return { field: String(o.field ?? o.name ?? ''), code: o.code ? String(o.code) : undefined, message: String(o.message ?? o.code ?? 'invalid') };
    });
  }
  if (errors && typeof errors === 'object') {
    return Object.entries(errors as Record<string, unknown>).map(([field, m]) => ({ field, message: Array.isArray(m) ? m.join(', ') : String(m) }));
  }
  return [];
}

function asArea(v: unknown): PoleepoArea | null {
  return v === 'orders' || v === 'products' || v === 'shipping' ? v : null;
}

function asAccess(v: unknown): PoleepoAccess | null {
  return v === 'read' || v === 'write' ? v : null;
}
