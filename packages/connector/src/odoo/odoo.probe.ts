import type { HttpClient } from '../http/http.client.ts';
import type { Clock } from '../shared/clock.ts';
import { OdooAuthError, OdooServerError, isOdooError, mapOdooError, type OdooErrorBody } from './odoo.errors.ts';
import { isJson, nonJsonError, parseJson, sendToOdoo, type OdooEndpoint } from './odoo.http.ts';
import { Json2Transport, JsonRpcTransport, json2Headers, type OdooTransport } from './odoo.transport.ts';
import type { OdooTransportKind, OdooVersionInfo } from './odoo.types.ts';

export interface ProbeResult {
  transport: OdooTransport;
  kind: OdooTransportKind;
  version: OdooVersionInfo;
  uid: number;
  /** What each probe answered, in plain words (shown by `connection test`). */
  notes: string[];
}

export interface ProbeOptions {
  /** Force a transport instead of probing (`auto` = JSON-2 when the server has it, else JSON-RPC). */
  transport?: OdooTransportKind | 'auto';
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Finds how to talk to this Odoo, as the recordings show each version answering:
 * 1. `POST /json/2/res.users/context_get` with the bearer key, redirects not followed: 200 JSON → JSON-2 (19+ and Online
 *    builds that have it; the answer carries the uid); 401 JSON → JSON-2 exists but the key is refused; 17 answers a
 *    404 HTML page and 18 a 303 to /web/login → no JSON-2.
 * 2. Version: `GET /web/version` on JSON-2 servers, `common.version` over JSON-RPC otherwise.
 * 3. JSON-RPC only: `common.authenticate` → uid (a falsy uid is an authentication error).
 */
export async function probeOdoo(deps: { http: HttpClient; clock: Clock; endpoint: OdooEndpoint }, options: ProbeOptions): Promise<ProbeResult> {
  const notes: string[] = [];
  const opts = { timeoutMs: options.timeoutMs, signal: options.signal };
  const wanted = options.transport ?? 'auto';

  if (wanted !== 'jsonrpc') {
    const json2 = new Json2Transport(deps);
    const path = '/json/2/res.users/context_get';
    const res = await sendToOdoo(deps.http, deps.endpoint, {
      method: 'POST', path, body: '{}', headers: json2Headers(deps.endpoint), redirect: 'manual', ...opts, logPath: `${path} (transport probe)`, probe: true,
    }, { model: 'res.users', method: 'context_get' });
    if (res.status === 200 && isJson(res)) {
      const ctx = parseJson(res, { path }) as { uid?: number } | null;
      if (!ctx || typeof ctx.uid !== 'number' || !ctx.uid) throw new OdooAuthError({ odooMessage: 'JSON-2 answered without a user id' });
      const version = await webVersion(deps, opts);
      notes.push(`JSON-2 answered at ${path} (user id ${ctx.uid})`, `version ${version.serverVersion} from /web/version`);
      return { transport: json2, kind: 'json2', version, uid: ctx.uid, notes };
    }
    if (isJson(res) && res.status !== 200) {
      // JSON-2 exists (only it answers JSON errors on that path); the key, database or rights are the problem.
      throw mapOdooError((parseJson(res, { path }) ?? {}) as OdooErrorBody, { model: 'res.users', method: 'context_get', httpStatus: res.status });
    }
    if (res.status === 404 && /No database is selected/i.test(res.text)) throw nonJsonError(res, deps.clock, { path });
    if (res.status >= 500 || res.status === 429) throw nonJsonError(res, deps.clock, { path });
    notes.push(`no JSON-2 (${path} answered HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ` to ${res.headers.get('location') ?? '?'}` : ''})`);
    if (wanted === 'json2') throw new OdooServerError({ odooMessage: 'JSON-2 was required but this server does not offer it (Odoo 19 or newer needed)', httpStatus: res.status });
  }

  const rpc = new JsonRpcTransport(deps);
  const raw = await rpc.version(opts);
  const version = versionFromCommon(raw);
  notes.push(`JSON-RPC common.version: ${version.serverVersion}`);
  const uid = await rpc.authenticate(opts);
  notes.push(`JSON-RPC authenticate: user id ${uid}`);
  return { transport: rpc, kind: 'jsonrpc', version, uid, notes };
}

async function webVersion(deps: { http: HttpClient; clock: Clock; endpoint: OdooEndpoint }, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<OdooVersionInfo> {
  const path = '/web/version';
  try {
    const res = await sendToOdoo(deps.http, deps.endpoint, { method: 'GET', path, ...opts });
    if (res.status !== 200 || !isJson(res)) throw nonJsonError(res, deps.clock, { path });
    const body = parseJson(res, { path }) as { version_info?: unknown[]; version?: string };
    return parseVersion(body.version_info, body.version);
  } catch (error) {
    // An Online build with JSON-2 but without /web/version: ask the common service instead.
    if (!isOdooError(error) || error.httpStatus !== 404) throw error;
    return versionFromCommon(await new JsonRpcTransport(deps).version(opts));
  }
}

function versionFromCommon(raw: Record<string, unknown>): OdooVersionInfo {
  return parseVersion(raw.server_version_info as unknown[] | undefined, (raw.server_version ?? raw.server_serie) as string | undefined);
}

/** `[19, 0, 0, "final", 0, ""]` / `"saas~18.3"`: the first element is the major version (Online: `"saas~18.3"`). */
export function parseVersion(info: unknown[] | undefined, text: string | undefined): OdooVersionInfo {
  const serverVersion = String(text ?? info?.join('.') ?? 'unknown');
  let major = Number(info?.[0]);
  let minor = Number(info?.[1] ?? 0);
  const saas = /saas/i.test(serverVersion) || /saas/i.test(String(info?.[0] ?? ''));
  if (!Number.isFinite(major)) {
    const m = /(\d+)\.(\d+)/.exec(String(info?.[0] ?? serverVersion));
    major = m ? Number(m[1]) : NaN;
    minor = m ? Number(m[2]) : 0;
  }
  if (!Number.isFinite(major)) throw new OdooServerError({ odooMessage: `unreadable Odoo version ${JSON.stringify(info ?? text)}` });
  return { major, minor: Number.isFinite(minor) ? minor : 0, serverVersion, saas };
}
