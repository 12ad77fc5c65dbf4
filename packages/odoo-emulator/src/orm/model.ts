/**
 * The base model: Odoo's BaseModel methods (search, read, create, write, unlink, fields_get, read_group, name_search,
 * copy...) over an in-memory table. A model file subclasses it to add defaults, computed fields, display names,
 * business methods and hooks; fields come from the version's recorded `fields_get`.
 */
import type { Env } from './env.ts';
import type { Registry } from './registry.ts';
import type { Rec, Table } from './store.ts';
import { emptyValue, RELATIONAL, X2MANY, type Field, type FieldSpec, fieldFromSpec } from './fields.ts';
import { compile, idLowerBound, indexCandidates, mentionsField, parseDomain, type Predicate } from './domain.ts';
import { compareValues, parseOrder, type OrderTerm } from './order.ts';
import { pyFloat } from '../http/pyjson.ts';
import { pyRepr, recordsetRepr } from './pyrepr.ts';
import {
  OdooError, accessError, attributeError, missingError, typeError, validationError, valueError,
} from '../errors/odoo.errors.ts';
import { readGroup, formattedReadGroup } from './read-group.ts';
import { describeFields } from './fields-get.ts';

export type Getter = (rec: Rec, env: Env) => unknown;

export interface MethodCall {
  env: Env;
  ids: number[];
  /** Bound parameters by name. */
  p: Record<string, unknown>;
  /** Keyword arguments the signature did not name (methods with `**kwargs`). */
  extra: Record<string, unknown>;
}

export interface MethodSig {
  api: 'model' | 'records';
  params: string[];
  /** Parameters with a default; the others are required. */
  defaults?: Record<string, unknown>;
  varKw?: boolean;
  /** Keyword-only parameters (after `*` in the Python signature): never bound from positional arguments. */
  kwOnly?: string[];
  /** Python qualified name, for argument errors (`BaseModel.read`). */
  qualname?: string;
  impl: (call: MethodCall) => unknown;
}

/** A value computed by a model returns this to fall back to the stored or empty value. */
export const NOT_COMPUTED = Symbol('not computed');

export type Operation = 'read' | 'write' | 'create' | 'unlink';

export abstract class Model {
  abstract readonly name: string;
  /** `ir.model` name, used in error messages ("Sales Order"). */
  description = '';
  /** Default `_order`. */
  order = 'id';
  recName = 'name';
  parentField = 'parent_id';
  /** `_inherits`: fields of another model this one reads and writes through a many2one (product.product). */
  inherits?: { model: string; field: string; own: Set<string> };
  /** Groups allowed per operation for users who are not administrators: null = allowed for internal users. */
  protected aclDenied: Partial<Record<Operation, boolean>> = {};
  /** Models whose records belong to one company and are hidden from the others (company_id rule). */
  companyRule = false;
  /** one2many fields whose children are deleted with the parent. */
  cascade: string[] = [];
  /** Whether records of this model post chatter messages (mail.thread). */
  mailThread = false;
  /** `_log_access`: whether create_uid/create_date/write_uid/write_date exist. */
  logAccess = true;
  /** `models.TransientModel` (wizards): ir.model says so. */
  transient = false;
  /** Stored fields whose value `compute` gives (Odoo's stored computed fields): searches read them, not an index. */
  computedStored: ReadonlySet<string> = new Set();

  fields = new Map<string, Field>();
  /** Field order of `fields_get` (and of `read` without `fields`). */
  fieldOrder: string[] = [];
  registry!: Registry;
  table!: Table;
  private getters = new Map<string, Getter>();
  private sortCache = new Map<string, { version: number; ids: number[] }>();
  readonly methods = new Map<string, MethodSig>();

  /** Versions this model exists in (stock.quant.package is stock.package in 19...). */
  supportsVersion(_version: number): boolean {
    return true;
  }

  /** Fields `display_name` depends on (fields_get's `depends`). */
  displayDepends(): string[] {
    return [this.recName];
  }

  /** Fields the recordings do not describe (models without recorded `fields_get`, internal fields). */
  fieldSpecs(): Record<string, FieldSpec> {
    return {};
  }

  /** Field names hidden from `fields_get` and `read` without `fields` (internal storage). */
  hiddenFields(): string[] {
    return [];
  }

  init(registry: Registry, recorded: Record<string, Record<string, unknown>> | undefined, build: (name: string, attrs: Record<string, unknown>) => Field): void {
    this.registry = registry;
    this.table = registry.store.table(this.name);
    if (recorded) {
      for (const [name, attrs] of Object.entries(recorded)) {
        this.fields.set(name, build(name, attrs));
        this.fieldOrder.push(name);
      }
    }
    for (const [name, spec] of Object.entries(this.fieldSpecs())) {
      const existing = this.fields.get(name);
      if (existing) Object.assign(existing, { ...spec, attrs: existing.attrs, name });
      else {
        this.fields.set(name, fieldFromSpec(name, spec));
        if (!this.hiddenFields().includes(name)) this.fieldOrder.push(name);
      }
    }
    for (const name of this.logAccess ? ['id', 'display_name', 'create_uid', 'create_date', 'write_uid', 'write_date'] : ['id', 'display_name']) {
      if (this.fields.has(name)) continue;
      const spec: FieldSpec =
        name === 'id' ? { type: 'integer', string: 'ID', readonly: true }
        : name === 'display_name' ? { type: 'char', string: 'Display Name', readonly: true, store: false }
        : name.endsWith('_uid') ? { type: 'many2one', relation: 'res.users', string: name === 'create_uid' ? 'Created by' : 'Last Updated by', readonly: true }
        : { type: 'datetime', string: name === 'create_date' ? 'Created on' : 'Last Updated on', readonly: true };
      this.fields.set(name, fieldFromSpec(name, spec));
      this.fieldOrder.push(name);
    }
    this.registerBaseMethods();
    this.registerMethods();
  }

  /** Adds a field at run time (custom `x_` fields). */
  addField(field: Field): void {
    this.fields.set(field.name, field);
    if (!this.fieldOrder.includes(field.name)) this.fieldOrder.push(field.name);
    this.getters.delete(field.name);
  }

  removeField(name: string): void {
    this.fields.delete(name);
    this.fieldOrder = this.fieldOrder.filter((f) => f !== name);
    this.getters.delete(name);
  }

  // ---------------------------------------------------------------- hooks for model files

  /** Default values of a new record (field → value), the context's `default_<field>` excepted. */
  defaults(_env: Env): Record<string, unknown> {
    return {};
  }

  /** Computes a field; return NOT_COMPUTED to use the stored value. */
  compute(_field: string, _rec: Rec, _env: Env): unknown {
    return NOT_COMPUTED;
  }

  displayName(rec: Rec, _env: Env): string {
    const override = rec.__display_name;
    if (typeof override === 'string') return override;
    const v = this.getter(this.recName)(rec, _env);
    return typeof v === 'string' ? v : `${this.name},${rec.id}`;
  }

  /** Adjusts the values of a create before they are stored (may throw the model's refusals). */
  beforeCreate(_env: Env, vals: Record<string, unknown>, _opts: { fromChild?: string } = {}): Record<string, unknown> {
    return vals;
  }

  afterCreate(_env: Env, _id: number, _vals: Record<string, unknown>, _opts: { fromChild?: string } = {}): void {}

  beforeWrite(_env: Env, _ids: number[], vals: Record<string, unknown>): Record<string, unknown> {
    return vals;
  }

  afterWrite(_env: Env, _ids: number[], _vals: Record<string, unknown>): void {}

  beforeUnlink(_env: Env, _ids: number[]): void {}

  /** Python constraints (`@api.constrains`) over the records a create or write touched. */
  checkConstraints(_env: Env, _ids: number[]): void {}

  /** Business methods of the model (beyond BaseModel's). */
  protected registerMethods(): void {}

  /** The ids `name_search` finds for a name (used by it and by `field = 'text'` domains on relations). */
  nameSearchIds(env: Env, name: string | string[], operator: string, extraDomain: unknown[] = [], limit = 0): number[] {
    const names = Array.isArray(name) ? name : [name];
    const recName = this.fields.has(this.recName) ? this.recName : 'display_name';
    const domain: unknown[] = [];
    if (names.length > 1 || operator === 'in') domain.push([recName, 'in', names]);
    else if (names[0] !== '' || operator !== 'ilike') domain.push([recName, operator, names[0]]);
    return this.search(env, [...domain, ...extraDomain], { limit });
  }

  // ---------------------------------------------------------------- values

  isOwnStored(name: string): boolean {
    const f = this.fields.get(name);
    if (!f || !f.store || f.type === 'one2many' || f.companyDependent) return false;
    if (this.inherits && !this.inherits.own.has(name) && this.registry.model(this.inherits.model).fields.has(name)) return false;
    return true;
  }

  /** A function reading one field of a record (computed, stored, delegated or company-dependent). */
  getter(name: string): Getter {
    let g = this.getters.get(name);
    if (g) return g;
    g = this.buildGetter(name);
    this.getters.set(name, g);
    return g;
  }

  private buildGetter(name: string): Getter {
    const field = this.fields.get(name);
    if (name === 'id') return (rec) => rec.id;
    if (name === 'display_name') return (rec, env) => this.cachedDisplayName(rec, env);
    if (!field) return () => false;
    const empty = emptyValue(field.type);
    if (this.inherits && !this.inherits.own.has(name) && name !== this.inherits.field) {
      const parent = this.registry.model(this.inherits.model);
      if (parent.fields.has(name)) {
        const link = this.inherits.field;
        const ptable = parent.table;
        const pget = parent.getter(name);
        return (rec, env) => {
          const own = this.compute(name, rec, env);
          if (own !== NOT_COMPUTED) return own;
          const p = ptable.get(rec[link] as number);
          return p ? pget(p, env) : empty;
        };
      }
    }
    if (field.type === 'one2many' && field.relationField && this.registry.has(field.relation!)) {
      const inverse = field.relationField;
      const relation = field.relation!;
      return (rec, env) => {
        const own = this.compute(name, rec, env);
        if (own !== NOT_COMPUTED) return own;
        const comodel = this.registry.model(relation);
        return comodel.childrenOf(rec.id, inverse, env);
      };
    }
    if (field.companyDependent) {
      return (rec, env) => {
        const own = this.compute(name, rec, env);
        if (own !== NOT_COMPUTED) return own;
        const byCompany = rec.__company as Record<string, Record<number, unknown>> | undefined;
        const v = byCompany?.[name]?.[env.companyId];
        return v === undefined ? empty : v;
      };
    }
    return (rec, env) => {
      const own = this.compute(name, rec, env);
      if (own !== NOT_COMPUTED) return own;
      const v = rec[name];
      return v === undefined || v === null ? empty : v;
    };
  }

  /** Children of a parent through a many2one, in this model's order, archived ones hidden unless active_test=false. */
  childrenOf(parentId: number, inverse: string, env: Env): number[] {
    let ids = [...this.table.lookup(inverse, parentId)];
    if (this.fields.has('active') && env.context.active_test !== false) ids = ids.filter((id) => this.table.get(id)?.active !== false);
    return this.sortIds(ids, parseOrder(this, this.order, env), env);
  }

  private cachedDisplayName(rec: Rec, env: Env): string {
    const key = `dn:${this.name}`;
    let cache = env.cache.get(key) as Map<number, string> | undefined;
    if (!cache) env.cache.set(key, (cache = new Map()));
    let v = cache.get(rec.id);
    if (v === undefined) {
      v = this.displayName(rec, env);
      cache.set(rec.id, v);
    }
    return v;
  }

  displayNameOfId(id: number, env: Env): string | false {
    const rec = this.table.get(id);
    return rec ? this.cachedDisplayName(rec, env) : false;
  }

  descendants(id: number, parentField = this.parentField): number[] {
    const out: number[] = [];
    const queue = [id];
    const seen = new Set<number>();
    while (queue.length) {
      const cur = queue.shift()!;
      if (seen.has(cur)) continue;
      seen.add(cur);
      if (this.table.get(cur)) out.push(cur);
      for (const child of this.table.lookup(parentField, cur)) queue.push(child);
    }
    return out;
  }

  // ---------------------------------------------------------------- access rights

  canAccess(env: Env, op: Operation): boolean {
    if (env.uid === 1 || this.registry.isAdmin(env.uid)) return true;
    return !this.aclDenied[op];
  }

  checkAccess(env: Env, op: Operation): void {
    if (this.canAccess(env, op)) return;
    const verb = { read: 'access', write: 'modify', create: 'create', unlink: 'delete' }[op];
    const groups = env.profile.aclGroups[`${this.name}:${op}`] ?? ['Administration/Settings'];
    throw accessError(
      `You are not allowed to ${verb} '${this.description}' (${this.name}) records.\n\nThis operation is allowed for the following groups:\n${groups.map((g) => `\t- ${g}`).join('\n')}\n\nContact your administrator to request access if necessary.`,
    );
  }

  // ---------------------------------------------------------------- search

  search(env: Env, domain: unknown, options: { offset?: number; limit?: number | null; order?: string | null; count?: boolean } = {}): number[] {
    this.checkAccess(env, 'read');
    const node = parseDomain(this, domain, env);
    let pred = compile(this, node, env);
    if (this.fields.has('active') && env.context.active_test !== false && !mentionsField(domain as unknown[], 'active')) {
      const base = pred;
      pred = (r) => r.active !== false && base(r);
    }
    const rule = this.recordRule(env);
    if (rule) {
      const base = pred;
      pred = (r) => rule(r) && base(r);
    }
    const order = parseOrder(this, options.order || this.order, env);
    const offset = Number(options.offset) || 0;
    const limit = Number(options.limit) || 0;
    const candidates = indexCandidates(this, node);
    let ids: number[];
    let start = 0;
    if (candidates) ids = this.sortIds([...candidates].filter((id) => this.table.rows.has(id)), order, env);
    else {
      ids = this.sortedIds(order, env);
      const lower = idLowerBound(node);
      if (lower !== null && order.length === 1 && order[0].field === 'id' && !order[0].desc) start = lowerBoundIndex(ids, lower);
    }
    const out: number[] = [];
    let skipped = 0;
    for (let i = start; i < ids.length; i++) {
      const rec = this.table.rows.get(ids[i]);
      if (!rec || !pred(rec)) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      out.push(rec.id);
      if (limit && out.length >= limit) break;
    }
    return out;
  }

  /** Multi-company record rule: records of companies that are not active are invisible. */
  recordRule(env: Env): Predicate | null {
    if (!this.companyRule || env.uid === 1) return null;
    const companies = new Set(env.companyIds);
    return (r) => r.company_id === false || r.company_id === undefined || companies.has(r.company_id as number);
  }

  sortedIds(order: OrderTerm[], env: Env): number[] {
    const key = order.map((t) => `${t.field} ${t.desc ? 'd' : 'a'}`).join(',');
    const onlyId = order.every((t) => t.field === 'id');
    const version = onlyId ? this.table.version : this.registry.dataVersion();
    const hit = this.sortCache.get(key);
    if (hit && hit.version === version) return hit.ids;
    const ids = this.sortIds([...this.table.rows.keys()], order, env);
    this.sortCache.set(key, { version, ids });
    return ids;
  }

  sortIds(ids: number[], order: OrderTerm[], env: Env): number[] {
    if (order.length === 1 && order[0].field === 'id') return ids.sort(order[0].desc ? (a, b) => b - a : (a, b) => a - b);
    const keyed = ids.map((id) => {
      const rec = this.table.get(id)!;
      return { id, keys: order.map((t) => t.key(rec, env)) };
    });
    keyed.sort((a, b) => {
      for (let i = 0; i < order.length; i++) {
        const c = compareValues(a.keys[i], b.keys[i], order[i]);
        if (c) return c;
      }
      return a.id - b.id;
    });
    return keyed.map((k) => k.id);
  }

  /** Position of each record in this model's default order (ordering a many2one by its comodel). */
  rankOf(env: Env): Map<number, number> {
    const key = `rank:${this.name}`;
    let rank = env.cache.get(key) as Map<number, number> | undefined;
    if (rank) return rank;
    const ids = this.sortedIds(parseOrder(this, this.order, env), env);
    if (this.rankCache?.ids === ids) rank = this.rankCache.rank;
    else {
      rank = new Map();
      for (let i = 0; i < ids.length; i++) rank.set(ids[i], i);
      this.rankCache = { ids, rank };
    }
    env.cache.set(key, rank);
    return rank;
  }

  private rankCache: { ids: number[]; rank: Map<number, number> } | null = null;

  // ---------------------------------------------------------------- read

  checkFieldNames(env: Env, names: string[]): void {
    for (const name of names) {
      if (!this.fields.has(name) || this.hiddenFields().includes(name)) throw valueError(env.profile.messages.invalidField(this.name, name));
    }
  }

  readableFieldNames(): string[] {
    const hidden = new Set(this.hiddenFields());
    return this.fieldOrder.filter((f) => !hidden.has(f));
  }

  /** `read`: one row per given id that exists (duplicates kept), `id` first, then the fields in the given order. */
  read(env: Env, ids: unknown[], fields: unknown, load: unknown = '_classic_read'): Record<string, unknown>[] {
    this.checkAccess(env, 'read');
    const names = fieldList(fields) ?? this.readableFieldNames().filter((f) => f !== 'id');
    this.checkFieldNames(env, names);
    const classic = load === '_classic_read' || load === undefined;
    const formatters = names.filter((n) => n !== 'id').map((n) => [n, this.formatter(n, classic, env)] as const);
    const out: Record<string, unknown>[] = [];
    for (const id of ids) {
      if (typeof id !== 'number') continue;
      const rec = this.table.get(id);
      if (!rec) continue;
      const row: Record<string, unknown> = { id };
      for (const [n, fmt] of formatters) row[n] = fmt(rec);
      out.push(row);
    }
    this.registry.countRead(this.name, out.length);
    return out;
  }

  /** The read format of one field: many2one `[id, name]` (bare id with load=None), floats as Python floats... */
  formatter(name: string, classic: boolean, env: Env): (rec: Rec) => unknown {
    const field = this.fields.get(name)!;
    const get = this.getter(name);
    switch (field.type) {
      case 'many2one': {
        if (!this.registry.has(field.relation!)) {
          return (rec) => {
            const v = get(rec, env);
            return typeof v === 'number' ? (classic ? [v, `${field.relation},${v}`] : v) : false;
          };
        }
        const comodel = this.registry.model(field.relation!);
        return (rec) => {
          const v = get(rec, env);
          if (typeof v !== 'number') return false;
          if (!comodel.table.get(v)) return false;
          return classic ? [v, comodel.displayNameOfId(v, env)] : v;
        };
      }
      case 'many2many': {
        if (!this.registry.has(field.relation!)) return (rec) => (get(rec, env) as number[]) ?? [];
        const comodel = this.registry.model(field.relation!);
        return (rec) => {
          const ids = ((get(rec, env) as number[]) ?? []).filter((id) => comodel.table.rows.has(id));
          if (ids.length < 2) return ids;
          // many2many values come in the comodel's order, as Odoo reads them.
          const rank = comodel.rankOf(env);
          return ids.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
        };
      }
      case 'one2many':
        return (rec) => get(rec, env) ?? [];
      case 'float':
      case 'monetary':
        return (rec) => pyFloat(Number(get(rec, env)) || 0);
      case 'integer':
        return (rec) => Number(get(rec, env)) || 0;
      case 'binary':
        if (env.context.bin_size) return (rec) => binSize(get(rec, env));
        return (rec) => get(rec, env) || false;
      case 'boolean':
        return (rec) => Boolean(get(rec, env));
      default:
        return (rec) => {
          const v = get(rec, env);
          return v === undefined || v === null || v === '' && field.type !== 'char' && field.type !== 'text' && field.type !== 'html' ? false : v;
        };
    }
  }

  // ---------------------------------------------------------------- create

  create(env: Env, valsList: unknown[]): number[] {
    this.checkAccess(env, 'create');
    for (const vals of valsList) if (!isPlainObject(vals)) throw attributeError(`'${pyTypeName(vals)}' object has no attribute 'get'`);
    const ids: number[] = [];
    for (const vals of valsList) ids.push(this.createOne(env, { ...(vals as Record<string, unknown>) }));
    this.checkConstraints(env, ids);
    return ids;
  }

  createOne(env: Env, input: Record<string, unknown>, opts: { fromChild?: string } = {}): number {
    for (const name of Object.keys(input)) {
      if (!this.fields.has(name)) {
        const e = env.profile.messages.invalidFieldInVals(this.name, name);
        throw new OdooError(e.name, e.message);
      }
    }
    let vals = { ...input };
    for (const [key, value] of Object.entries(env.context)) {
      if (key.startsWith('default_')) {
        const f = key.slice('default_'.length);
        if (this.fields.has(f) && !(f in vals)) vals[f] = value;
      }
    }
    const defaults = this.defaults(env);
    for (const [f, v] of Object.entries(defaults)) if (!(f in vals)) vals[f] = typeof v === 'function' ? (v as (e: Env, vals: Record<string, unknown>) => unknown)(env, vals) : v;
    vals = this.beforeCreate(env, vals, opts);
    // Fields of the delegated parent go to the parent record (created when not given).
    let parentVals: Record<string, unknown> | null = null;
    if (this.inherits) {
      const parent = this.registry.model(this.inherits.model);
      parentVals = {};
      for (const [k, v] of Object.entries(vals)) {
        if (!this.inherits.own.has(k) && k !== this.inherits.field && parent.fields.has(k) && !['id', 'create_date', 'write_date', 'create_uid', 'write_uid', 'display_name'].includes(k)) {
          parentVals[k] = v;
          delete vals[k];
        }
      }
      if (!vals[this.inherits.field]) {
        vals[this.inherits.field] = parent.createOne(env, { ...parentVals }, { fromChild: this.name });
        parentVals = null;
      }
    }
    const id = this.table.allocateId();
    const rec: Rec = { id };
    const later: [Field, unknown][] = [];
    const inverses: [string, unknown][] = [];
    for (const [name, value] of Object.entries(vals)) {
      const field = this.fields.get(name);
      if (!field || name === 'id' || name === 'display_name') continue;
      if (X2MANY.has(field.type)) {
        later.push([field, value]);
        continue;
      }
      if (!field.store && field.type !== 'many2one') {
        inverses.push([name, value]);
        continue;
      }
      this.assign(env, rec, field, value);
    }
    for (const [name, value] of inverses) this.inverse(env, rec, name, value);
    rec.create_uid = env.uid;
    rec.write_uid = env.uid;
    rec.create_date = env.now;
    rec.write_date = env.now;
    this.checkRequired(env, rec);
    this.checkForeignKeys(env, rec);
    this.table.insert(rec);
    for (const [field, value] of later) this.applyX2many(env, rec, field, value, true);
    if (parentVals && Object.keys(parentVals).length && this.inherits) {
      this.registry.model(this.inherits.model).writeRecords(env, [rec[this.inherits.field] as number], parentVals);
    }
    this.afterCreate(env, id, vals, opts);
    this.fireAutomations(env, new Map([[id, null]]));
    return id;
  }

  /**
   * base_automation's hooks on create and write: the active rules of this model run for the records concerned
   * (`changed`: the fields each record's write changed; null for a create, where every field counts as changed).
   */
  private fireAutomations(env: Env, changed: Map<number, Set<string> | null>): void {
    if (this.name === 'base.automation' || changed.size === 0 || !this.registry.has('base.automation')) return;
    const automation = this.registry.model('base.automation') as unknown as { fire?: (env: Env, model: string, changed: Map<number, Set<string> | null>) => void };
    automation.fire?.(env, this.name, changed);
  }

  /** A create from the emulator's own logic: values for fields this version lacks are dropped. */
  createInternal(env: Env, vals: Record<string, unknown>): number {
    const known = Object.fromEntries(Object.entries(vals).filter(([k]) => this.fields.has(k)));
    return this.createOne(env, known);
  }

  /** Non-stored fields written on create/write (inverse of a computed field); models override. */
  inverse(_env: Env, _rec: Rec, _name: string, _value: unknown): void {}

  /**
   * NOT NULL columns: Odoo gives nearly every required field a default, so only many2one fields and `name` are
   * checked (sale.order.partner_id...); a required selection without a value takes its first option.
   */
  private checkRequired(env: Env, rec: Rec): void {
    for (const field of this.fields.values()) {
      if (!field.required || !field.store || field.type === 'boolean' || X2MANY.has(field.type) || field.companyDependent) continue;
      if (field.type === 'selection' && (rec[field.name] === undefined || rec[field.name] === false) && field.selection?.length) {
        rec[field.name] = field.selection[0][0];
        continue;
      }
      if (field.type !== 'many2one' && field.name !== 'name') continue;
      if (this.inherits && !this.inherits.own.has(field.name) && field.name !== this.inherits.field && this.registry.model(this.inherits.model).fields.has(field.name)) continue;
      const v = rec[field.name];
      if (v === undefined || v === false || v === null || v === '') {
        if (['integer', 'float', 'monetary'].includes(field.type)) continue;
        throw validationError(env.profile.messages.requiredMissing(this.description, this.name, field.string, field.name));
      }
    }
  }

  private checkForeignKeys(env: Env, rec: Rec): void {
    for (const field of this.fields.values()) {
      if (field.type !== 'many2one' || !field.store) continue;
      const v = rec[field.name];
      if (typeof v !== 'number') continue;
      if (!this.registry.has(field.relation!)) continue;
      if (!this.registry.model(field.relation!).table.get(v)) {
        throw validationError(env.profile.messages.foreignKey(this.description, this.name, field.name, field.string));
      }
    }
  }

  /** Converts and stores one scalar or many2one value on a record being built or written. */
  assign(env: Env, rec: Rec, field: Field, value: unknown): void {
    const v = this.convert(env, field, value);
    if (field.companyDependent) {
      const all = (rec.__company as Record<string, Record<number, unknown>> | undefined) ?? {};
      all[field.name] = { ...(all[field.name] ?? {}), [env.companyId]: v };
      rec.__company = all;
      return;
    }
    rec[field.name] = v;
  }

  convert(env: Env, field: Field, value: unknown): unknown {
    if (value === null || value === undefined) value = false;
    switch (field.type) {
      case 'char':
      case 'text':
      case 'html':
        if (value === false) return false;
        return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : String(value);
      case 'selection': {
        if (value === false || value === '') return false;
        const keys = field.selection?.map((s) => s[0]);
        if (keys && keys.length && !keys.includes(value as string)) throw valueError(`Wrong value for ${this.name}.${field.name}: ${pyRepr(value)}`);
        return value;
      }
      case 'integer':
        return value === false ? 0 : Math.trunc(Number(value)) || 0;
      case 'float':
      case 'monetary': {
        const n = value === false ? 0 : Number(value) || 0;
        return field.digits !== undefined ? roundTo(n, field.digits) : n;
      }
      case 'boolean':
        return Boolean(value);
      case 'many2one':
        if (value === false || value === 0) return false;
        if (Array.isArray(value)) return Number(value[0]);
        return Number(value);
      case 'date':
        if (value === false) return false;
        return String(value).slice(0, 10);
      case 'datetime':
        if (value === false) return false;
        return normalizeDatetimeValue(String(value));
      default:
        return value;
    }
  }

  /** x2many commands: [0,0,vals] [1,id,vals] [2,id] [3,id] [4,id] [5] [6,0,ids], or a plain list of ids. */
  applyX2many(env: Env, rec: Rec, field: Field, value: unknown, creating: boolean): void {
    const commands = normalizeCommands(value);
    if (!this.registry.has(field.relation!)) {
      // A relation to a model the emulator does not serve: keep the ids of link/set commands, nothing else.
      if (field.type !== 'many2many') return;
      let ids = creating ? [] : [...((rec[field.name] as number[]) ?? [])];
      for (const c of commands) {
        const [op, id, arg] = c as [number, number, unknown];
        if (op === 4 && !ids.includes(id)) ids.push(id);
        else if (op === 3) ids = ids.filter((x) => x !== id);
        else if (op === 5) ids = [];
        else if (op === 6) ids = ((arg as number[]) ?? []).map(Number);
      }
      this.table.update(rec.id, { [field.name]: ids });
      return;
    }
    const comodel = this.registry.model(field.relation!);
    if (field.type === 'many2many') {
      let current = creating ? [] : [...((rec[field.name] as number[]) ?? [])];
      for (const c of commands) {
        const [op, id, arg] = c as [number, number, unknown];
        if (op === 0) current.push(comodel.createOne(env, { ...(arg as Record<string, unknown>) }));
        else if (op === 1) comodel.writeRecords(env, [id], arg as Record<string, unknown>);
        else if (op === 2) {
          comodel.unlinkRecords(env, [id]);
          current = current.filter((x) => x !== id);
        } else if (op === 3) current = current.filter((x) => x !== id);
        else if (op === 4) { if (!current.includes(id)) current.push(id); }
        else if (op === 5) current = [];
        else if (op === 6) current = [...new Set(((arg as number[]) ?? []).map(Number))];
      }
      this.table.update(rec.id, { [field.name]: current });
      return;
    }
    const inverse = field.relationField!;
    const inverseField = comodel.fields.get(inverse);
    const detach = (ids: number[]) => {
      if (!ids.length) return;
      if (inverseField?.required || this.cascade.includes(field.name)) comodel.unlinkRecords(env, ids);
      else comodel.writeRecords(env, ids, { [inverse]: false });
    };
    for (const c of commands) {
      const [op, id, arg] = c as [number, number, unknown];
      if (op === 0) comodel.createOne(env, { ...(arg as Record<string, unknown>), [inverse]: rec.id });
      else if (op === 1) comodel.writeRecords(env, [id], arg as Record<string, unknown>);
      else if (op === 2) comodel.unlinkRecords(env, [id]);
      else if (op === 3) detach([id]);
      else if (op === 4) comodel.writeRecords(env, [id], { [inverse]: rec.id });
      else if (op === 5) detach([...comodel.table.lookup(inverse, rec.id)]);
      else if (op === 6) {
        const keep = new Set(((arg as number[]) ?? []).map(Number));
        detach([...comodel.table.lookup(inverse, rec.id)].filter((x) => !keep.has(x)));
        comodel.writeRecords(env, [...keep], { [inverse]: rec.id });
      }
    }
  }

  // ---------------------------------------------------------------- write

  write(env: Env, ids: number[], vals: unknown): true {
    this.checkAccess(env, 'write');
    if (!isPlainObject(vals)) throw attributeError(`'${pyTypeName(vals)}' object has no attribute 'get'`);
    const missing = ids.filter((id) => !this.table.get(id));
    if (missing.length && env.profile.writeMissingIsError(this.name)) throw this.missingRecords(env, missing);
    for (const name of Object.keys(vals as object)) {
      if (!this.fields.has(name)) {
        const e = env.profile.messages.invalidFieldInWrite(this.name, name);
        throw new OdooError(e.name, e.message);
      }
    }
    const existing = ids.filter((id) => this.table.get(id));
    this.writeRecords(env, existing, { ...(vals as Record<string, unknown>) });
    this.checkConstraints(env, existing);
    return true;
  }

  missingRecords(env: Env, ids: number[]): OdooError {
    return missingError(`Record does not exist or has been deleted.\n(Record: ${recordsetRepr(this.name, ids)}, User: ${env.uid})`);
  }

  writeRecords(env: Env, ids: number[], input: Record<string, unknown>): void {
    if (!ids.length) return;
    const vals = this.beforeWrite(env, ids, { ...input });
    let parentVals: Record<string, unknown> | null = null;
    if (this.inherits) {
      const parent = this.registry.model(this.inherits.model);
      parentVals = {};
      for (const [k, v] of Object.entries(vals)) {
        if (!this.inherits.own.has(k) && k !== this.inherits.field && parent.fields.has(k) && !['id', 'write_date', 'write_uid', 'display_name'].includes(k)) {
          parentVals[k] = v;
          delete vals[k];
        }
      }
    }
    const changedFields = new Map<number, Set<string> | null>();
    for (const id of ids) {
      const rec = this.table.get(id);
      if (!rec) continue;
      const next: Rec = { ...rec };
      const later: [Field, unknown][] = [];
      for (const [name, value] of Object.entries(vals)) {
        const field = this.fields.get(name);
        if (!field || name === 'id' || name === 'display_name') continue;
        if (X2MANY.has(field.type)) later.push([field, value]);
        else if (!field.store && field.type !== 'many2one') this.inverse(env, next, name, value);
        else this.assign(env, next, field, value);
      }
      next.write_uid = env.uid;
      next.write_date = env.now;
      next.__display_name = undefined;
      this.checkForeignKeys(env, next);
      const changes: Record<string, unknown> = {};
      for (const k of Object.keys(next)) if (next[k] !== rec[k]) changes[k] = next[k];
      changedFields.set(id, new Set(Object.keys(changes)));
      this.table.update(id, changes);
      for (const [field, value] of later) this.applyX2many(env, this.table.get(id)!, field, value, false);
    }
    if (parentVals && Object.keys(parentVals).length && this.inherits) {
      const parentIds = [...new Set(ids.map((id) => this.table.get(id)?.[this.inherits!.field] as number).filter(Boolean))];
      this.registry.model(this.inherits.model).writeRecords(env, parentIds, parentVals);
    }
    this.afterWrite(env, ids, vals);
    this.fireAutomations(env, changedFields);
  }

  // ---------------------------------------------------------------- unlink

  unlink(env: Env, ids: number[]): true {
    this.checkAccess(env, 'unlink');
    const existing = ids.filter((id) => this.table.get(id));
    this.unlinkRecords(env, existing);
    return true;
  }

  unlinkRecords(env: Env, ids: number[]): void {
    const existing = ids.filter((id) => this.table.get(id));
    if (!existing.length) return;
    this.beforeUnlink(env, existing);
    for (const name of this.cascade) {
      const field = this.fields.get(name)!;
      const comodel = this.registry.model(field.relation!);
      for (const id of existing) comodel.unlinkRecords(env, [...comodel.table.lookup(field.relationField!, id)]);
    }
    for (const id of existing) this.table.delete(id);
    this.registry.afterUnlink(env, this.name, existing);
  }

  // ---------------------------------------------------------------- copy

  copy(env: Env, id: number, defaults: Record<string, unknown> = {}): number {
    const rec = this.table.get(id);
    if (!rec) throw this.missingRecords(env, [id]);
    const vals: Record<string, unknown> = {};
    // A delegating model (product.product) copies its parent too: the delegated values go to a new parent record.
    const parent = this.inherits ? this.registry.model(this.inherits.model) : null;
    for (const field of this.fields.values()) {
      if (!field.copy || field.type === 'one2many' || ['id', 'create_date', 'write_date', 'create_uid', 'write_uid', 'display_name'].includes(field.name)) continue;
      if (this.inherits && field.name === this.inherits.field) continue;
      const delegated = Boolean(parent && !this.inherits!.own.has(field.name) && parent.fields.has(field.name));
      const stored = delegated ? parent!.fields.get(field.name)!.store : field.store;
      if (!stored || (delegated && !parent!.fields.get(field.name)!.copy)) continue;
      const v = this.getter(field.name)(rec, env);
      vals[field.name] = field.type === 'many2many' ? [[6, 0, v]] : v;
    }
    Object.assign(vals, this.copyDefaults(env, rec), defaults);
    return this.create(env, [vals])[0];
  }

  copyDefaults(_env: Env, _rec: Rec): Record<string, unknown> {
    return {};
  }

  // ---------------------------------------------------------------- method table

  protected method(name: string, sig: MethodSig): void {
    this.methods.set(name, sig);
  }

  private registerBaseMethods(): void {
    const v = this.registry.profile;
    const m = (name: string, sig: MethodSig) => this.method(name, { qualname: `BaseModel.${name}`, ...sig });
    m('create', { api: 'model', params: ['vals_list'], impl: (c) => this.createRpc(c) });
    m('search', {
      api: 'model', params: ['domain', 'offset', 'limit', 'order'], defaults: { offset: 0, limit: null, order: null },
      impl: (c) => this.search(c.env, c.p.domain, { offset: c.p.offset as number, limit: c.p.limit as number, order: c.p.order as string }),
    });
    m('search_count', {
      api: 'model', params: ['domain', 'limit'], defaults: { limit: null },
      impl: (c) => {
        const n = this.search(c.env, c.p.domain, {}).length;
        return c.p.limit ? Math.min(n, Number(c.p.limit)) : n;
      },
    });
    m('search_read', {
      api: 'model', params: ['domain', 'fields', 'offset', 'limit', 'order'], defaults: { domain: null, fields: null, offset: 0, limit: null, order: null }, varKw: true,
      impl: (c) => {
        const fields = fieldList(c.p.fields);
        if (fields) this.checkFieldNames(c.env, fields);
        for (const k of Object.keys(c.extra)) if (k !== 'load') throw typeError(`BaseModel._read_format() got an unexpected keyword argument '${k}'`);
        const ids = this.search(c.env, c.p.domain ?? [], { offset: c.p.offset as number, limit: c.p.limit as number, order: c.p.order as string });
        return this.read(c.env, ids, c.p.fields, 'load' in c.extra ? c.extra.load : '_classic_read');
      },
    });
    m('read', { api: 'records', params: ['fields', 'load'], defaults: { fields: null, load: '_classic_read' }, impl: (c) => this.read(c.env, c.ids, c.p.fields, c.p.load) });
    m('write', { api: 'records', params: ['vals'], impl: (c) => this.write(c.env, c.ids, c.p.vals) });
    m('unlink', { api: 'records', params: [], impl: (c) => this.unlink(c.env, c.ids) });
    m('copy', {
      api: 'records', params: ['default'], defaults: { default: null },
      impl: (c) => {
        const ids = c.ids.map((id) => this.copy(c.env, id, (c.p.default as Record<string, unknown>) ?? {}));
        return c.env.transport === 'json2' || v.major === 19 ? ids : ids.length === 1 ? ids[0] : ids;
      },
    });
    m('exists', { api: 'records', params: [], impl: (c) => c.ids.filter((id) => this.table.get(id)) });
    m('fields_get', {
      api: 'model', params: ['allfields', 'attributes'], defaults: { allfields: null, attributes: null },
      impl: (c) => describeFields(this, c.env, c.p.allfields, c.p.attributes),
    });
    m(v.nameSearchDomainParam === 'args' ? 'name_search' : 'name_search', {
      api: 'model', params: ['name', v.nameSearchDomainParam, 'operator', 'limit'],
      defaults: { name: '', [v.nameSearchDomainParam]: null, operator: 'ilike', limit: 100 },
      impl: (c) => {
        const ids = this.nameSearchIds(c.env, String(c.p.name ?? ''), String(c.p.operator ?? 'ilike'), (c.p[v.nameSearchDomainParam] as unknown[]) ?? [], Number(c.p.limit) || 0);
        return ids.map((id) => [id, this.displayNameOfId(id, c.env)]);
      },
    });
    m('read_group', {
      api: 'model', params: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'], defaults: { offset: 0, limit: null, orderby: false, lazy: true },
      impl: (c) => readGroup(this, c.env, c.p),
    });
    if (v.formattedReadGroup) {
      m('formatted_read_group', {
        api: 'model', params: ['domain', 'groupby', 'aggregates', 'having', 'offset', 'limit', 'order'], defaults: { groupby: [], aggregates: [], having: [], offset: 0, limit: null, order: null },
        impl: (c) => formattedReadGroup(this, c.env, c.p),
      });
    }
    m('web_search_read', {
      api: 'model', params: ['domain', 'specification', 'offset', 'limit', 'order', 'count_limit'], defaults: { offset: 0, limit: null, order: null, count_limit: null },
      impl: (c) => {
        const ids = this.search(c.env, c.p.domain, { offset: c.p.offset as number, limit: c.p.limit as number, order: c.p.order as string });
        const length = c.p.limit ? this.search(c.env, c.p.domain, {}).length : ids.length;
        return { length, records: this.webRead(c.env, ids, c.p.specification as Record<string, unknown>) };
      },
    });
    m('web_read', { api: 'records', params: ['specification'], impl: (c) => this.webRead(c.env, c.ids, c.p.specification as Record<string, unknown>) });
    // Odoo 19 names the parameter `fields` (17/18: `fields_list`); it matters to JSON-2 and keyword calls.
    const defaultGetParam = this.registry.profile.major >= 19 ? 'fields' : 'fields_list';
    m('default_get', {
      api: 'model', params: [defaultGetParam],
      impl: (c) => {
        const defaults = this.defaults(c.env);
        const out: Record<string, unknown> = {};
        for (const f of (c.p[defaultGetParam] as string[]) ?? []) if (f in defaults) out[f] = typeof defaults[f] === 'function' ? (defaults[f] as (e: Env, v: Record<string, unknown>) => unknown)(c.env, {}) : defaults[f];
        return out;
      },
    });
    m('check_access_rights', {
      api: 'model', params: ['operation', 'raise_exception'], defaults: { raise_exception: true },
      impl: (c) => {
        const op = c.p.operation as Operation;
        if (c.p.raise_exception === false) return this.canAccess(c.env, op);
        this.checkAccess(c.env, op);
        return true;
      },
    });
    if (v.hasAccess) m('has_access', { api: 'records', params: ['operation'], impl: (c) => this.canAccess(c.env, c.p.operation as Operation) });
    if (!v.checkAccessPrivate && v.major === 18) m('check_access', { api: 'records', params: ['operation'], impl: (c) => { this.checkAccess(c.env, c.p.operation as Operation); return null; } });
    if (v.nameGet) m('name_get', { api: 'records', params: [], impl: (c) => c.ids.filter((id) => this.table.get(id)).map((id) => [id, this.displayNameOfId(id, c.env)]) });
    if (v.sudoPublic) m('sudo', { api: 'records', params: ['flag'], defaults: { flag: true }, impl: (c) => recordsetRepr(this.name, c.ids) });
    if (this.fields.has('active')) {
      m('action_archive', { api: 'records', params: [], impl: (c) => { this.write(c.env, c.ids, { active: false }); return null; } });
      m('action_unarchive', { api: 'records', params: [], impl: (c) => { this.write(c.env, c.ids, { active: true }); return null; } });
    }
  }

  private createRpc(c: MethodCall): unknown {
    const input = c.p.vals_list;
    const single = isPlainObject(input);
    const list = single ? [input] : Array.isArray(input) ? input : [input];
    const ids = this.create(c.env, list);
    if (c.env.transport === 'json2') return ids;
    return single ? ids[0] : ids;
  }

  /** `web_search_read` / `web_read` with a specification: nested relations as objects. */
  webRead(env: Env, ids: number[], spec: Record<string, unknown>): Record<string, unknown>[] {
    const names = Object.keys(spec ?? {});
    this.checkFieldNames(env, names);
    return ids.map((id) => {
      const rec = this.table.get(id)!;
      const row: Record<string, unknown> = { id };
      for (const name of names) {
        const field = this.fields.get(name)!;
        const sub = (spec[name] as { fields?: Record<string, unknown> }) ?? {};
        const value = this.getter(name)(rec, env);
        if (field.type === 'many2one') {
          if (typeof value !== 'number') row[name] = false;
          else if (sub.fields) row[name] = this.registry.model(field.relation!).webRead(env, [value], sub.fields)[0] ?? false;
          else row[name] = value;
        } else if (X2MANY.has(field.type)) {
          row[name] = sub.fields ? this.registry.model(field.relation!).webRead(env, value as number[], sub.fields) : value;
        } else row[name] = this.formatter(name, true, env)(rec);
      }
      return row;
    });
  }

  /** Ids of the records a method runs on that exist; a method on a missing id is a MissingError. */
  ensureExisting(env: Env, ids: number[]): void {
    const missing = ids.filter((id) => !this.table.get(id));
    if (missing.length) throw this.missingRecords(env, missing);
  }

  ensureOne(ids: number[]): number {
    if (ids.length !== 1) throw valueError(`Expected singleton: ${recordsetRepr(this.name, ids)}`);
    return ids[0];
  }
}

export function fieldList(fields: unknown): string[] | null {
  if (fields === null || fields === undefined || fields === false) return null;
  if (typeof fields === 'string') return [...fields]; // Python iterates a string character by character
  if (Array.isArray(fields)) return fields.length ? fields.map(String) : null;
  return null;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function pyTypeName(v: unknown): string {
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (v === null || v === undefined) return 'NoneType';
  return 'dict';
}

export function roundTo(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round((n + Number.EPSILON * Math.sign(n)) * f) / f;
}

function normalizeCommands(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [];
  if (value.every((v) => typeof v === 'number')) return [[6, 0, value]];
  return value.map((c) => (Array.isArray(c) ? c : [4, c]));
}

function normalizeDatetimeValue(v: string): string {
  let s = v.replace('T', ' ').replace(/(Z|[+-]\d\d:?\d\d)$/, '').replace(/\.\d+$/, '');
  if (s.length === 10) s += ' 00:00:00';
  return s;
}

/** `bin_size` answers: the size of a base64 value, as Odoo's `human_size` prints it. */
export function binSize(value: unknown): string | false {
  if (typeof value !== 'string' || !value) return false;
  const clean = value.replace(/\s/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  let size = Math.floor((clean.length * 3) / 4) - padding;
  const units = ['bytes', 'Kb', 'Mb', 'Gb', 'Tb'];
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i++;
  }
  return `${size.toFixed(2)} ${units[i]}`;
}

function lowerBoundIndex(sorted: number[], bound: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export { RELATIONAL };
