/**
 * The web routes around the external API: version probes (`GET /web/version` is 19's; 17/18 answer their 404
 * page), `POST /web/webclient/version_info`, the login page, and the session routes that refuse API keys
 * (`/web/session/authenticate`) or need a session (`/web/dataset/call_kw`: "Odoo Session Expired", id null).
 */
import type { EmulatorContext } from './context.ts';
import { htmlReply, jsonReply, rpcError, rpcResult, type Reply } from './replies.ts';
import { OdooError, accessDenied } from '../errors/odoo.errors.ts';
import { csrf19, login18, notFound17, notFound18 } from './html.pages.ts';
import { versionInfo } from './jsonrpc.handler.ts';

export function notFoundPage(ctx: EmulatorContext): Reply {
  const v = ctx.registry.profile.major;
  if (v === 19) {
    return htmlReply(404, '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n');
  }
  return htmlReply(404, v === 17 ? notFound17 : notFound18, {}, 'text/html;charset=utf-8');
}

export function webVersion(ctx: EmulatorContext, method: string): Reply {
  const p = ctx.registry.profile;
  if (!p.webVersionRoute) return notFoundPage(ctx);
  if (method !== 'GET') return htmlReply(400, csrf19);
  return jsonReply(200, { version_info: p.versionInfo, version: `${p.major}.0` });
}

export function versionInfoRoute(ctx: EmulatorContext, body: string): Reply {
  const id = parseId(body);
  return rpcResult(id, versionInfo(ctx));
}

export function loginPage(): Reply {
  return htmlReply(200, login18);
}

export function sessionAuthenticate(ctx: EmulatorContext, body: string): Reply {
  const payload = parse(body);
  const params = (payload.params ?? {}) as Record<string, unknown>;
  const profile = ctx.registry.profile;
  try {
    if (params.db !== ctx.registry.db) throw new OdooError('psycopg2.OperationalError', `connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "${String(params.db)}" does not exist\n`);
    const uid = ctx.registry.userByLogin(params.login);
    const user = uid === null ? undefined : ctx.registry.store.table('res.users').get(uid);
    // Keys cannot open interactive sessions: only the password does.
    if (!user || user.password !== params.password) throw accessDenied();
    const sid = ctx.openSession(uid!);
    const reply = rpcResult(payload.id, { uid, is_admin: uid === 2, db: ctx.registry.db, username: user.login, partner_id: user.partner_id, company_id: user.company_id });
    reply.headers['Set-Cookie'] = `session_id=${sid}; HttpOnly; Path=/`;
    return reply;
  } catch (error) {
    if (error instanceof OdooError) return rpcError(profile, payload.id, error);
    throw error;
  }
}

export async function datasetCallKw(ctx: EmulatorContext, body: string, cookie: string | undefined): Promise<Reply> {
  const payload = parse(body);
  const uid = ctx.sessionUid(cookie);
  const profile = ctx.registry.profile;
  if (uid === null) {
    const expired = new OdooError('odoo.http.SessionExpiredException', 'Session expired');
    return rpcError(profile, null, expired, 100, 'Odoo Session Expired');
  }
  const params = (payload.params ?? {}) as Record<string, unknown>;
  const outcome = await ctx.runner.run({ transport: 'jsonrpc', uid, model: String(params.model), method: String(params.method), args: params.args ?? [], kwargs: (params.kwargs as Record<string, unknown>) ?? {} });
  if (outcome.kind === 'result') return rpcResult(payload.id, outcome.value);
  if (outcome.kind === 'error') return rpcError(profile, payload.id, outcome.error);
  return htmlReply(500, 'Internal Server Error');
}

function parse(body: string): Record<string, unknown> {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function parseId(body: string): unknown {
  return parse(body).id ?? null;
}
