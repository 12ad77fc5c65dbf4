/**
 * What the code of a server action sees in Odoo's `safe_eval` (ir.actions.server `_get_eval_context`): `env`,
 * `model`, `record`, `records`, `datetime`, `time`, `dateutil`-free helpers, `UserError`, `log`... Records behave as
 * Odoo recordsets do for the patterns the connector and the recordings use: field reads (`record.id`,
 * `record.company_id.id`), `write`, `browse`, `search`, iteration, truthiness and the model's public methods.
 */
import type { Env } from '../orm/env.ts';
import type { Model } from '../orm/model.ts';
import { X2MANY } from '../orm/fields.ts';
import { bind } from '../rpc/dispatch.ts';
import { OdooError, userError, valueError } from '../errors/odoo.errors.ts';
import { recordsetRepr } from '../orm/pyrepr.ts';
import {
  PyBytes, PyDict, PyError, PyFunction, PyList, PyTuple, iterate, pyEquals, repr, str, truthy, type PyObject, type PyValue,
} from './py.ts';

/** Methods a model offers to server-action code only (private ones such as `_render_qweb_pdf`), on Python values. */
export type PyMethod = (env: Env, ids: number[], args: PyValue[], kwargs: Map<string, PyValue>) => PyValue;

/** JSON-like value (what the ORM takes) from a Python value. */
export function toJs(v: PyValue): unknown {
  if (v === null) return false;
  if (typeof v !== 'object') return v;
  if (v instanceof PyList || v instanceof PyTuple) return v.items.map(toJs);
  if (v instanceof PyDict) {
    const out: Record<string, unknown> = {};
    for (const [, [k, x]] of v.entries) out[String(k)] = toJs(x);
    return out;
  }
  if (v instanceof Recordset) return v.ids.length === 1 ? v.ids[0] : v.ids;
  if (v instanceof PyDatetime) return v.format('%Y-%m-%d %H:%M:%S');
  if (v instanceof PyBytes) return v.data;
  return str(v);
}

/** A Python value from what the ORM returns. */
export function fromJs(v: unknown): PyValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return new PyBytes(v);
  if (Array.isArray(v)) return new PyList(v.map(fromJs));
  if (typeof v === 'object') {
    const d = new PyDict();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) d.set(k, fromJs(x));
    return d;
  }
  return String(v);
}

export class Recordset implements PyObject {
  readonly pyType: string;
  constructor(readonly env: Env, readonly model: Model, readonly ids: number[]) {
    this.pyType = model.name;
  }

  private with(ids: number[]): Recordset {
    return new Recordset(this.env, this.model, ids);
  }

  ensureOne(): number {
    if (this.ids.length !== 1) throw new PyError('ValueError', `Expected singleton: ${recordsetRepr(this.model.name, this.ids)}`);
    return this.ids[0];
  }

  truthy(): boolean { return this.ids.length > 0; }
  len(): number { return this.ids.length; }
  iter(): PyValue[] { return this.ids.map((id) => this.with([id])); }
  getitem(key: PyValue): PyValue {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw new PyError('TypeError', `recordset indices must be integers, not ${key === null ? 'NoneType' : typeof key === 'string' ? 'str' : 'object'}`);
    const i = key < 0 ? this.ids.length + key : key;
    if (i < 0 || i >= this.ids.length) throw new PyError('IndexError', 'tuple index out of range');
    return this.with([this.ids[i]]);
  }
  repr(): string { return recordsetRepr(this.model.name, this.ids); }
  eq(other: PyValue): boolean { return other instanceof Recordset && other.model === this.model && other.ids.join(',') === this.ids.join(','); }
  contains(item: PyValue): boolean { return item instanceof Recordset && item.ids.every((id) => this.ids.includes(id)); }
  add(other: PyValue): PyValue {
    if (!(other instanceof Recordset) || other.model !== this.model) throw new PyError('TypeError', 'inconsistent models in concatenation');
    return this.with([...this.ids, ...other.ids]);
  }

  getattr(name: string): PyValue | undefined {
    const model = this.model;
    if (name === 'id') return this.ids.length === 0 ? false : this.ensureOne();
    if (name === 'ids') return new PyList([...this.ids]);
    if (name === 'env') return new EnvObject(this.env);
    if (name === '_name') return model.name;
    const field = model.fields.get(name);
    if (field) {
      if (this.ids.length === 0) {
        if (field.type === 'many2one' || X2MANY.has(field.type)) return new Recordset(this.env, this.env.model(field.relation!), []);
        return field.type === 'integer' || field.type === 'float' || field.type === 'monetary' ? 0 : false;
      }
      const id = this.ensureOne();
      const rec = model.table.get(id);
      if (!rec) throw new OdooError('odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${recordsetRepr(model.name, [id])}, User: ${this.env.uid})`);
      const value = model.getter(name)(rec, this.env);
      if (field.type === 'many2one') return new Recordset(this.env, this.env.model(field.relation!), typeof value === 'number' ? [value] : []);
      if (X2MANY.has(field.type)) return new Recordset(this.env, this.env.model(field.relation!), (value as number[]) ?? []);
      return fromJs(value);
    }
    const method = this.method(name);
    if (method) return method;
    return undefined;
  }

  setattr(name: string, value: PyValue): void {
    if (!this.model.fields.has(name)) throw new PyError('AttributeError', `'${this.model.name}' object has no attribute '${name}'`);
    this.model.write(this.env, this.ids, { [name]: toJs(value) });
  }

  private method(name: string): PyFunction | null {
    const fn = (body: (args: PyValue[], kwargs: Map<string, PyValue>) => PyValue) => new PyFunction(name, body);
    switch (name) {
      case 'write': return fn(([vals]) => this.model.write(this.env, this.ids, toJs(vals)));
      case 'browse': return fn(([ids]) => {
        const v = toJs(ids ?? null);
        return this.with(Array.isArray(v) ? v.map(Number) : v === false ? [] : [Number(v)]);
      });
      case 'search': return fn(([domain], kwargs) => this.with(this.model.search(this.env, toJs(domain ?? new PyList([])), {
        limit: kwargs.has('limit') ? Number(kwargs.get('limit')) : undefined, order: (kwargs.get('order') as string | undefined) ?? undefined,
      })));
      case 'search_count': return fn(([domain]) => this.model.search(this.env, toJs(domain ?? new PyList([]))).length);
      case 'create': return fn(([vals]) => {
        const list = vals instanceof PyList ? vals.items.map((v) => toJs(v)) : [toJs(vals)];
        return this.with(this.model.create(this.env, list));
      });
      case 'exists': return fn(() => this.with(this.ids.filter((id) => this.model.table.get(id))));
      case 'ensure_one': return fn(() => { this.ensureOne(); return this; });
      case 'unlink': return fn(() => this.model.unlink(this.env, this.ids));
      case 'sudo': return fn(() => new Recordset(this.env.sudo(), this.model, this.ids));
      case 'with_context': return fn((args, kwargs) => {
        const extra: Record<string, unknown> = {};
        if (args[0] instanceof PyDict) Object.assign(extra, toJs(args[0]));
        for (const [k, v] of kwargs) extra[k] = toJs(v);
        return new Recordset(this.env.withContext(extra), this.model, this.ids);
      });
      case 'mapped': return fn(([path]) => {
        if (typeof path !== 'string') throw new PyError('TypeError', 'mapped() takes a field name in the emulator');
        const values = this.iter().map((r) => (r as Recordset).getattr(path) ?? null);
        if (values.every((v) => v instanceof Recordset)) return new Recordset(this.env, (values[0] as Recordset | undefined)?.model ?? this.model, [...new Set(values.flatMap((v) => (v as Recordset).ids))]);
        return new PyList(values);
      });
      case 'filtered': return fn(([pred]) => {
        if (typeof pred !== 'string') throw new PyError('TypeError', 'filtered() takes a field name in the emulator');
        return this.with(this.ids.filter((id) => truthy(this.with([id]).getattr(pred) ?? false)));
      });
    }
    const py = (this.model as { pyMethods?: Record<string, PyMethod> }).pyMethods?.[name];
    if (py) return fn((args, kwargs) => py(this.env, this.ids, args, kwargs));
    const sig = this.model.methods.get(name);
    if (sig && !name.startsWith('_')) {
      return fn((args, kwargs) => {
        const kw: Record<string, unknown> = {};
        for (const [k, v] of kwargs) kw[k] = toJs(v);
        const { p, extra } = bind(sig, name, args.map(toJs), kw, 'jsonrpc');
        return fromJs(sig.impl({ env: this.env, ids: sig.api === 'records' ? this.ids : [], p, extra }));
      });
    }
    return null;
  }
}

export class EnvObject implements PyObject {
  readonly pyType = 'Environment';
  constructor(readonly env: Env) {}
  getattr(name: string): PyValue | undefined {
    const env = this.env;
    switch (name) {
      case 'uid': return env.uid;
      case 'user': return new Recordset(env, env.model('res.users'), [env.uid]);
      case 'company': return new Recordset(env, env.model('res.company'), [env.companyId]);
      case 'companies': return new Recordset(env, env.model('res.company'), env.companyIds);
      case 'context': return fromJs(env.context);
      case 'ref': return new PyFunction('ref', ([xmlid, raiseIfNotFound]) => {
        const [module, xname] = String(xmlid).split('.');
        const imd = env.model('ir.model.data');
        const row = [...imd.table.lookup('name', xname)].map((id) => imd.table.get(id)!).find((r) => r.module === module);
        if (!row) {
          if (raiseIfNotFound === false) return null;
          throw new OdooError('builtins.ValueError', `External ID not found in the system: ${String(xmlid)}`);
        }
        return new Recordset(env, env.model(String(row.model)), [Number(row.res_id)]);
      });
    }
    return undefined;
  }
  getitem(key: PyValue): PyValue {
    if (typeof key !== 'string' || !this.env.registry.has(key)) throw new PyError('KeyError', repr(key));
    return new Recordset(this.env, this.env.model(key), []);
  }
  repr(): string { return `<odoo.api.Environment object>`; }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A naive datetime (UTC, as Odoo's server process runs with TZ=UTC). */
export class PyDatetime implements PyObject {
  readonly pyType: string;
  constructor(readonly ms: number, readonly dateOnly = false) {
    this.pyType = dateOnly ? 'date' : 'datetime';
  }
  format(fmt: string): string {
    const d = new Date(this.ms);
    return fmt.replace(/%([YmdHMSfjy%])/g, (_m, c: string) => {
      switch (c) {
        case 'Y': return String(d.getUTCFullYear());
        case 'y': return pad(d.getUTCFullYear() % 100);
        case 'm': return pad(d.getUTCMonth() + 1);
        case 'd': return pad(d.getUTCDate());
        case 'H': return pad(d.getUTCHours());
        case 'M': return pad(d.getUTCMinutes());
        case 'S': return pad(d.getUTCSeconds());
        case 'f': return pad(d.getUTCMilliseconds() * 1000, 6);
        case 'j': return pad(Math.floor((this.ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3);
        default: return '%';
      }
    });
  }
  str(): string { return this.dateOnly ? this.format('%Y-%m-%d') : this.format('%Y-%m-%d %H:%M:%S'); }
  repr(): string { return `${this.pyType}(${this.str()})`; }
  eq(other: PyValue): boolean { return other instanceof PyDatetime && other.ms === this.ms; }
  add(other: PyValue): PyValue {
    if (other instanceof PyTimedelta) return new PyDatetime(this.ms + other.ms, this.dateOnly);
    throw new PyError('TypeError', `unsupported operand type(s) for +: '${this.pyType}' and '${typeof other}'`);
  }
  sub(other: PyValue): PyValue {
    if (other instanceof PyTimedelta) return new PyDatetime(this.ms - other.ms, this.dateOnly);
    if (other instanceof PyDatetime) return new PyTimedelta(this.ms - other.ms);
    throw new PyError('TypeError', `unsupported operand type(s) for -: '${this.pyType}'`);
  }
  getattr(name: string): PyValue | undefined {
    const d = new Date(this.ms);
    switch (name) {
      case 'year': return d.getUTCFullYear();
      case 'month': return d.getUTCMonth() + 1;
      case 'day': return d.getUTCDate();
      case 'hour': return d.getUTCHours();
      case 'minute': return d.getUTCMinutes();
      case 'second': return d.getUTCSeconds();
      case 'strftime': return new PyFunction('strftime', ([fmt]) => this.format(String(fmt)));
      case 'isoformat': return new PyFunction('isoformat', () => (this.dateOnly ? this.format('%Y-%m-%d') : this.format('%Y-%m-%dT%H:%M:%S')));
      case 'date': return new PyFunction('date', () => new PyDatetime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()), true));
    }
    return undefined;
  }
}

export class PyTimedelta implements PyObject {
  readonly pyType = 'timedelta';
  constructor(readonly ms: number) {}
  repr(): string { return `datetime.timedelta(seconds=${this.ms / 1000})`; }
}

class PyModule implements PyObject {
  constructor(readonly pyType: string, private readonly attrs: Record<string, PyValue>) {}
  getattr(name: string): PyValue | undefined { return this.attrs[name]; }
  repr(): string { return `<module '${this.pyType}'>`; }
}

class PyClass extends PyFunction {
  constructor(name: string, private readonly members: Record<string, PyValue>, ctor: (args: PyValue[], kwargs: Map<string, PyValue>) => PyValue) {
    super(name, ctor);
  }
  getattr(name: string): PyValue | undefined { return this.members[name]; }
}

/** `datetime` as safe_eval wraps it (datetime, date, timedelta), on the emulator's clock. */
export function datetimeModule(nowMs: number): PyObject {
  const timedelta = new PyClass('timedelta', {}, (_args, kwargs) => {
    const n = (k: string) => Number(kwargs.get(k) ?? 0);
    return new PyTimedelta((((n('weeks') * 7 + n('days')) * 24 + n('hours')) * 60 + n('minutes')) * 60_000 + n('seconds') * 1000 + n('milliseconds'));
  });
  const now = new PyFunction('now', () => new PyDatetime(nowMs));
  const datetime = new PyClass('datetime', { now, utcnow: new PyFunction('utcnow', () => new PyDatetime(nowMs)), today: now }, (args) => {
    const [y, mo, d, h, mi, s] = args.map(Number);
    return new PyDatetime(Date.UTC(y, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0));
  });
  const date = new PyClass('date', { today: new PyFunction('today', () => new PyDatetime(Math.floor(nowMs / 86_400_000) * 86_400_000, true)) }, (args) => {
    const [y, mo, d] = args.map(Number);
    return new PyDatetime(Date.UTC(y, mo - 1, d), true);
  });
  return new PyModule('datetime', { datetime, date, timedelta });
}

export function timeModule(nowMs: number): PyObject {
  return new PyModule('time', {
    time: new PyFunction('time', () => nowMs / 1000),
    strftime: new PyFunction('strftime', ([fmt]) => new PyDatetime(nowMs).format(String(fmt))),
  });
}

/** `UserError('...')`: raising it gives Odoo's UserError. */
export function userErrorClass(): PyObject {
  return new PyFunction('UserError', ([message]) => {
    const exc: PyObject & { raise: () => never } = {
      pyType: 'UserError',
      repr: () => `UserError(${repr(message ?? '')})`,
      raise: () => { throw userError(str(message ?? '')); },
    };
    return exc;
  });
}

/** Turns a Python error into what `safe_eval` raises: a ValueError naming the exception and the code. */
export function safeEvalError(error: PyError, code: string): OdooError {
  const cls = { NameError: 'NameError', AttributeError: 'AttributeError', TypeError: 'TypeError', ValueError: 'ValueError', KeyError: 'KeyError', IndexError: 'IndexError', ZeroDivisionError: 'ZeroDivisionError' }[error.pyType] ?? error.pyType;
  if (cls === 'ZeroDivisionError') return new OdooError('builtins.ZeroDivisionError', error.message);
  return valueError(`<class '${cls}'>: "${error.message}" while evaluating\n${repr(code)}`);
}

export { iterate, pyEquals };
