/**
 * `POST /jsonrpc`: the `common`, `db` and `object` services. Always HTTP 200 with a JSON-RPC envelope, except the
 * transport failures Odoo answers in HTML (unparsable body: 400 "Invalid JSON data"; wrong content type or GET:
 * 400 in 17/18, 415 in 19).
 */
import type { EmulatorContext } from './context.ts';
import { destroyReply, htmlReply, rpcError, rpcResult, SERVER_ERROR_500, type Reply } from './replies.ts';
import { OdooError, accessDenied, typeError } from '../errors/odoo.errors.ts';
import { jsonrpcBadType, jsonrpcBadType19 } from './html.pages.ts';

export interface IncomingCall {
  method: string;
  contentType: string;
  body: string;
}

export async function handleJsonRpc(ctx: EmulatorContext, req: IncomingCall): Promise<Reply> {
  const profile = ctx.registry.profile;
  if (req.method !== 'POST' || !req.contentType.toLowerCase().startsWith('application/json')) {
    return htmlReply(profile.jsonrpcBadTypeStatus, profile.major === 19 ? jsonrpcBadType19 : jsonrpcBadType);
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(req.body) as Record<string, unknown>;
  } catch {
    return htmlReply(400, 'Invalid JSON data');
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return htmlReply(400, 'Invalid JSON data');
  const id = payload.id;
  const params = payload.params as Record<string, unknown> | undefined;
  try {
    if (!params || typeof params !== 'object' || !('service' in params) || !('method' in params) || !('args' in params)) {
      const missing = ['service', 'method', 'args'].filter((k) => !params || !(k in params));
      throw typeError(`RPC.jsonrpc() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${pyList(missing)}`);
    }
    const service = params.service as string;
    const method = params.method as string;
    const args = Array.isArray(params.args) ? params.args : [];
    if (service === 'common') return rpcResult(id, common(ctx, method, args));
    if (service === 'db') return rpcResult(id, db(ctx, method, args));
    if (service !== 'object') throw new OdooError('builtins.KeyError', String(service));
    return await objectService(ctx, id, method, args);
  } catch (error) {
    if (error instanceof OdooError) return rpcError(profile, id, error);
    throw error;
  }
}

function pyList(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length <= 1) return q.join('');
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

function unknownDb(name: unknown): OdooError {
  return new OdooError('psycopg2.OperationalError', `connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "${String(name)}" does not exist\n`);
}

function common(ctx: EmulatorContext, method: string, args: unknown[]): unknown {
  const profile = ctx.registry.profile;
  switch (method) {
    case 'version':
      return versionInfo(ctx);
    case 'about':
      return 'See http://openerp.com';
    case 'login':
    case 'authenticate': {
      const needed = method === 'login' ? ['db', 'login', 'password'] : ['db', 'login', 'password', 'user_agent_env'];
      if (args.length < needed.length) {
        const missing = needed.slice(args.length);
        throw typeError(`exp_${method}() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${pyList(missing)}`);
      }
      if (args[0] !== ctx.registry.db) throw unknownDb(args[0]);
      ctx.runner.stats.calls++;
      const uid = ctx.registry.userByLogin(args[1]);
      if (uid === null || !ctx.registry.checkCredentials(uid, args[2])) return false;
      return uid;
    }
    default:
      void profile;
      throw new OdooError('builtins.Exception', `Method not found: ${method}`);
  }
}

export function versionInfo(ctx: EmulatorContext): Record<string, unknown> {
  const p = ctx.registry.profile;
  return { server_version: p.serverVersion, server_version_info: p.versionInfo, server_serie: `${p.major}.0`, protocol_version: 1 };
}

function db(ctx: EmulatorContext, method: string, args: unknown[]): unknown {
  switch (method) {
    case 'server_version':
      return ctx.registry.profile.serverVersion;
    case 'list':
      return [ctx.registry.db];
    case 'db_exist':
      return args[0] === ctx.registry.db;
    default:
      throw new OdooError('builtins.Exception', `Method not found: ${method}`);
  }
}

async function objectService(ctx: EmulatorContext, id: unknown, method: string, args: unknown[]): Promise<Reply> {
  const profile = ctx.registry.profile;
  if (method !== 'execute_kw' && method !== 'execute') throw new OdooError('builtins.Exception', `Method not found: ${method}`);
  const [dbName, uid, secret, model, fn] = args as [unknown, unknown, unknown, string, string];
  if (dbName !== ctx.registry.db) throw unknownDb(dbName);
  if (typeof uid !== 'number' || !ctx.registry.checkCredentials(uid, secret)) throw accessDenied();
  const positional = method === 'execute_kw' ? args[5] ?? [] : args.slice(5);
  const kwargs = method === 'execute_kw' ? ((args[6] as Record<string, unknown>) ?? {}) : {};
  return ctx.runner.run({ transport: 'jsonrpc', uid, model, method: fn, args: positional, kwargs: kwargs && typeof kwargs === 'object' ? kwargs : {} }, (outcome) => {
    switch (outcome.kind) {
      case 'result':
        return rpcResult(id, outcome.value);
      case 'error':
        return rpcError(profile, id, outcome.error);
      case 'http500':
        return htmlReply(500, SERVER_ERROR_500);
      default:
        return destroyReply();
    }
  });
}
