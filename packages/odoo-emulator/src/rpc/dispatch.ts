/**
 * Calling a model method the way Odoo's `call_kw` (JSON-RPC `execute_kw`) and JSON-2's controller do: model and
 * method lookup with the version's refusals (unknown model, unknown or private method), arguments bound to the
 * method's Python signature (positional + keyword, or named only), the context applied, and one transaction per call.
 */
import type { Registry } from '../orm/registry.ts';
import { Env, type Context } from '../orm/env.ts';
import type { MethodSig } from '../orm/model.ts';
import { OdooError, accessError, attributeError, indexError, typeError, userError, werkzeug } from '../errors/odoo.errors.ts';

export interface Call {
  transport: 'jsonrpc' | 'json2';
  uid: number;
  model: string;
  method: string;
  /** JSON-RPC: positional arguments (the ids first for record methods). */
  args: unknown;
  /** JSON-RPC: keyword arguments; JSON-2: the body's named parameters (without `ids`). */
  kwargs: Record<string, unknown>;
  /** JSON-2 only: the body's `ids` member, if any. */
  ids?: unknown;
  hasIds?: boolean;
  /** Transaction start (epoch ms). */
  nowMs: number;
}

const PRIVATE_18 = new Set(['sudo', 'with_user', 'with_context', 'with_company', 'with_env', 'with_prefetch', 'browse', 'ensure_one', 'clear_caches', 'invalidate_recordset', 'flush_recordset', 'modified', 'mapped', 'filtered', 'sorted']);

/** Finds the method, refusing what Odoo refuses; the error depends on the transport. */
export function resolveMethod(registry: Registry, call: Call): MethodSig {
  const p = registry.profile;
  if (!registry.has(call.model)) {
    if (call.transport === 'json2') throw werkzeug('NotFound', `the model '${call.model}' does not exist`);
    throw userError(`Object ${call.model} doesn't exist`);
  }
  const model = registry.model(call.model);
  const isPrivate = call.method.startsWith('_') || (p.major >= 18 && PRIVATE_18.has(call.method)) || (p.checkAccessPrivate && call.method === 'check_access');
  if (isPrivate) throw accessError(p.messages.privateMethod(call.model, call.method));
  const sig = model.methods.get(call.method);
  if (!sig) {
    const message = p.messages.unknownMethod(call.model, call.method);
    if (call.transport === 'json2') throw werkzeug('NotFound', message);
    throw attributeError(message);
  }
  return sig;
}

export function execute(registry: Registry, call: Call): unknown {
  const sig = resolveMethod(registry, call);
  const model = registry.model(call.model);
  const kwargs = { ...call.kwargs };
  const rawContext = kwargs.context;
  delete kwargs.context;
  const context: Context = rawContext && typeof rawContext === 'object' && !Array.isArray(rawContext) ? (rawContext as Context) : {};
  let ids: number[] = [];
  let positional: unknown[] = [];
  if (call.transport === 'jsonrpc') {
    const args = argsList(call.args);
    if (sig.api === 'records') {
      if (args.length === 0) throw indexError('tuple index out of range');
      ids = normalizeIds(args[0]);
      positional = args.slice(1);
    } else positional = args;
  } else {
    if (sig.api === 'model' && call.hasIds) throw werkzeug('UnprocessableEntity', `cannot call ${call.model}.${call.method} with ids`);
    ids = normalizeIds(call.ids);
  }
  const { p, extra } = bind(sig, call.method, positional, kwargs, call.transport);
  const env = new Env(registry, call.uid, context, call.nowMs, call.transport);
  env.validateContext();
  registry.stats.calls++;
  const journal = registry.store.journal;
  journal.begin();
  try {
    const result = sig.impl({ env, ids, p, extra });
    journal.commit();
    return result;
  } catch (error) {
    journal.rollback();
    throw error;
  }
  void model;
}

function argsList(args: unknown): unknown[] {
  if (Array.isArray(args)) return args;
  if (args && typeof args === 'object') return Object.keys(args); // Python unpacks a dict into its keys
  if (typeof args === 'string') return [...args];
  return [];
}

/** JSON ids as Odoo's `browse` sees them: an int or a list; anything that is not an int matches no record. */
export function normalizeIds(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number' && Number.isInteger(v));
  return [];
}

/** Python's argument binding, with Python's (JSON-RPC) or `inspect.Signature.bind`'s (JSON-2) error texts. */
export function bind(sig: MethodSig, method: string, positional: unknown[], kwargs: Record<string, unknown>, transport: 'jsonrpc' | 'json2') {
  const qual = sig.qualname ?? `BaseModel.${method}`;
  const p: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  const positionalParams = sig.kwOnly ? sig.params.filter((n) => !sig.kwOnly!.includes(n)) : sig.params;
  if (positional.length > positionalParams.length) {
    const takes = positionalParams.length + 1;
    const given = positional.length + 1;
    const message = `${qual}() takes ${takes} positional argument${takes === 1 ? '' : 's'} but ${given} ${given === 1 ? 'was' : 'were'} given`;
    throw transport === 'json2' ? werkzeug('UnprocessableEntity', 'too many positional arguments') : typeError(message);
  }
  positional.forEach((v, i) => (p[positionalParams[i]] = v));
  for (const [k, v] of Object.entries(kwargs)) {
    if (sig.params.includes(k)) {
      if (k in p) throw transport === 'json2' ? werkzeug('UnprocessableEntity', `multiple values for argument '${k}'`) : typeError(`${qual}() got multiple values for argument '${k}'`);
      p[k] = v;
    } else if (sig.varKw) extra[k] = v;
    else throw transport === 'json2' ? werkzeug('UnprocessableEntity', `got an unexpected keyword argument '${k}'`) : typeError(`${qual}() got an unexpected keyword argument '${k}'`);
  }
  const missing = sig.params.filter((name) => !(name in p) && !(sig.defaults && name in sig.defaults));
  if (missing.length) {
    if (transport === 'json2') throw werkzeug('UnprocessableEntity', `missing a required argument: '${missing[0]}'`);
    const names = missing.map((n) => `'${n}'`);
    const list = names.length === 1 ? names[0] : names.length === 2 ? `${names[0]} and ${names[1]}` : `${names.slice(0, -1).join(', ')}, and ${names[names.length - 1]}`;
    throw typeError(`${qual}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`);
  }
  for (const [k, v] of Object.entries(sig.defaults ?? {})) if (!(k in p)) p[k] = v;
  return { p, extra };
}

export function isOdooError(e: unknown): e is OdooError {
  return e instanceof OdooError;
}
