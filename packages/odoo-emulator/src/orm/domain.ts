/**
 * Odoo domains: validated the way the version does (its error texts), then compiled once per call into a predicate
 * over records. Supports `&`, `|`, `!`, every comparison operator, `like` family, `in`, `child_of`/`parent_of`, `=?`,
 * and dotted paths through relational fields (`product_tmpl_id.name`, `location_id.usage`, `order_line.product_id`).
 */
import type { Env } from './env.ts';
import type { Model } from './model.ts';
import type { Rec } from './store.ts';
import { OdooError, valueError } from '../errors/odoo.errors.ts';
import { X2MANY } from './fields.ts';

export type Predicate = (rec: Rec) => boolean;

const OPERATORS = new Set([
  '=', '!=', '<>', '<=', '<', '>', '>=', '=?', '=like', '=ilike', 'like', 'not like', 'ilike', 'not ilike', 'in', 'not in',
  'child_of', 'parent_of', 'any', 'not any',
]);
const LOGIC = new Set(['&', '|', '!']);

type Node =
  | { kind: 'and' | 'or'; children: Node[] }
  | { kind: 'not'; child: Node }
  | { kind: 'leaf'; field: string; op: string; value: unknown; raw: unknown[] }
  | { kind: 'const'; value: boolean };

/** Parses and validates a domain (prefix notation, implicit `&`). Throws the version's errors. */
export function parseDomain(model: Model, domain: unknown, env: Env): Node {
  const msg = env.profile.messages;
  if (!Array.isArray(domain)) {
    const e = msg.domainNotList(domain);
    throw new OdooError(e.name, e.message);
  }
  // Syntax first (normalize_domain): count the operands each operator needs.
  let expected = 1;
  for (const item of domain) {
    if (expected === 0) expected = 1; // implicit '&' between top-level terms
    if (typeof item === 'string' && LOGIC.has(item)) expected += item === '!' ? 0 : 1;
    else expected -= 1;
  }
  if (expected !== 0 && domain.length) throw valueError(msg.malformedDomain(domain));
  // Leaves next (arity, field, operator), in order.
  for (const item of domain) {
    if (typeof item === 'string' && LOGIC.has(item)) continue;
    checkLeaf(model, item, env);
  }
  let pos = 0;
  const next = (): Node => {
    const item = domain[pos++];
    if (item === '&' || item === '|') {
      const a = next();
      const b = next();
      return { kind: item === '&' ? 'and' : 'or', children: [a, b] };
    }
    if (item === '!') return { kind: 'not', child: next() };
    return leafNode(item as unknown[]);
  };
  const terms: Node[] = [];
  while (pos < domain.length) terms.push(next());
  if (terms.length === 0) return { kind: 'const', value: true };
  return terms.length === 1 ? terms[0] : { kind: 'and', children: terms };
}

function leafNode(item: unknown[]): Node {
  const [field, op, value] = item;
  if (isTrueLeaf(item)) return { kind: 'const', value: true };
  if (isFalseLeaf(item)) return { kind: 'const', value: false };
  return { kind: 'leaf', field: field as string, op: normalizeOp(op as string), value, raw: item };
}

const isTrueLeaf = (item: unknown[]) => item.length === 3 && item[0] === 1 && item[1] === '=' && item[2] === 1;
const isFalseLeaf = (item: unknown[]) => item.length === 3 && item[0] === 0 && item[1] === '=' && item[2] === 1;

function normalizeOp(op: string): string {
  const lower = op.toLowerCase();
  return lower === '<>' ? '!=' : lower;
}

function checkLeaf(model: Model, item: unknown, env: Env): void {
  const msg = env.profile.messages;
  if (!Array.isArray(item) || item.length !== 3) {
    const arr = Array.isArray(item) ? item : [item];
    const e = msg.leafArity(arr);
    throw new OdooError(e.name, e.message);
  }
  if (isTrueLeaf(item) || isFalseLeaf(item)) return;
  const [path, op, value] = item;
  if (typeof path !== 'string') throw valueError(msg.invalidOperator(item));
  resolvePath(model, path, item, env);
  if (typeof op !== 'string' || !OPERATORS.has(op.toLowerCase())) throw valueError(msg.invalidOperator(item));
  if (env.profile.naiveDatetimesOnly && typeof value === 'string') {
    const field = lastField(model, path, env);
    if (field?.type === 'datetime' && /T|Z$|[+-]\d\d:?\d\d$/.test(value.slice(10))) throw valueError(msg.datetimeWithZone(value));
  }
}

function lastField(model: Model, path: string, env: Env) {
  let m = model;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    const f = m.fields.get(parts[i]);
    if (!f) return undefined;
    if (i === parts.length - 1) return f;
    if (!f.relation) return undefined;
    m = env.model(f.relation);
  }
  return undefined;
}

function resolvePath(model: Model, path: string, leaf: unknown[], env: Env): void {
  let m = model;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    const f = m.fields.get(parts[i]);
    if (!f) throw valueError(env.profile.messages.invalidFieldInDomain(m.name, parts[i], leaf));
    if (i < parts.length - 1) {
      if (!f.relation) throw valueError(env.profile.messages.invalidFieldInDomain(m.name, parts[i + 1], leaf));
      m = env.model(f.relation);
    }
  }
}

/** Compiles a parsed domain into a predicate. */
export function compile(model: Model, node: Node, env: Env): Predicate {
  switch (node.kind) {
    case 'const':
      return node.value ? () => true : () => false;
    case 'not': {
      const p = compile(model, node.child, env);
      return (r) => !p(r);
    }
    case 'and': {
      const ps = node.children.map((c) => compile(model, c, env));
      return ps.length === 2 ? (r) => ps[0](r) && ps[1](r) : (r) => ps.every((p) => p(r));
    }
    case 'or': {
      const ps = node.children.map((c) => compile(model, c, env));
      return ps.length === 2 ? (r) => ps[0](r) || ps[1](r) : (r) => ps.some((p) => p(r));
    }
    case 'leaf':
      return compileLeaf(model, node.field, node.op, node.value, env);
  }
}

function compileLeaf(model: Model, path: string, op: string, value: unknown, env: Env): Predicate {
  const dot = path.indexOf('.');
  if (dot > 0) {
    const head = path.slice(0, dot);
    const rest = path.slice(dot + 1);
    const field = model.fields.get(head)!;
    const comodel = env.model(field.relation!);
    const sub = compileLeaf(comodel, rest, op, value, env.withContext({ active_test: false }));
    const negative = op === '!=' || op === 'not in' || op === 'not like' || op === 'not ilike';
    const positiveSub = negative ? compileLeaf(comodel, rest, negate(op), value, env.withContext({ active_test: false })) : sub;
    const table = comodel.table;
    const get = model.getter(head);
    const matchAny = (rec: Rec, p: Predicate) => {
      const v = get(rec, env);
      if (Array.isArray(v)) return v.some((id) => { const r = table.get(id as number); return r ? p(r) : false; });
      if (typeof v === 'number') { const r = table.get(v); return r ? p(r) : false; }
      return false;
    };
    // Odoo: a negative operator on a path means "no related record matches the positive condition".
    if (negative) return (rec) => !matchAny(rec, positiveSub);
    return (rec) => matchAny(rec, sub);
  }
  const field = model.fields.get(path)!;
  const get = model.getter(path);
  if (op === '=?') {
    if (value === false || value === null || value === undefined) return () => true;
    op = '=';
  }
  if (op === 'child_of' || op === 'parent_of') return hierarchy(model, path, op, value, env);
  if (op === 'any' || op === 'not any') {
    const comodel = env.model(field.relation!);
    const pred = compile(comodel, parseDomain(comodel, value, env), env);
    const any = (rec: Rec) => {
      const v = get(rec, env);
      const ids = Array.isArray(v) ? v : typeof v === 'number' ? [v] : [];
      return ids.some((id) => { const r = comodel.table.get(id as number); return r ? pred(r) : false; });
    };
    return op === 'any' ? any : (rec) => !any(rec);
  }
  if (field.type === 'many2one' || X2MANY.has(field.type)) return relationalLeaf(model, field.name, field.relation!, X2MANY.has(field.type), op, value, env);
  const cmp = scalarComparator(field.type, op, value, env);
  return (rec) => cmp(get(rec, env));
}

function negate(op: string): string {
  return ({ '!=': '=', 'not in': 'in', 'not like': 'like', 'not ilike': 'ilike' } as Record<string, string>)[op] ?? op;
}

function relationalLeaf(model: Model, name: string, relation: string, many: boolean, op: string, value: unknown, env: Env): Predicate {
  const get = model.getter(name);
  const ids = (rec: Rec): number[] => {
    const v = get(rec, env);
    if (Array.isArray(v)) return v as number[];
    return typeof v === 'number' ? [v] : [];
  };
  // A string compared to a relational field matches the related records' display names.
  if (typeof value === 'string' || (Array.isArray(value) && value.some((v) => typeof v === 'string'))) {
    const comodel = env.model(relation);
    const nameOp = op === '=' ? '=' : op === '!=' ? '=' : op === 'in' || op === 'not in' ? 'in' : op.replace(/^not /, '');
    const matches = new Set(comodel.nameSearchIds(env, value as string | string[], nameOp));
    const positive = !['!=', 'not in', 'not like', 'not ilike'].includes(op);
    return (rec) => ids(rec).some((id) => matches.has(id)) === positive;
  }
  switch (op) {
    case '=':
    case '!=': {
      const eq = op === '=';
      if (value === false || value === null) return (rec) => (ids(rec).length === 0) === eq;
      const target = Number(value);
      return (rec) => ids(rec).includes(target) === eq;
    }
    case 'in':
    case 'not in': {
      const list = (Array.isArray(value) ? value : [value]) as unknown[];
      const wantsEmpty = list.some((v) => v === false || v === null);
      const set = new Set(list.filter((v) => typeof v === 'number'));
      const positive = op === 'in';
      return (rec) => {
        const v = ids(rec);
        const hit = v.length === 0 ? wantsEmpty : v.some((id) => set.has(id));
        return hit === positive;
      };
    }
    default: {
      // Comparisons on ids (rare): compare the first id.
      const cmp = scalarComparator('integer', op, value, env);
      return (rec) => {
        const v = ids(rec);
        return many ? v.some((id) => cmp(id)) : cmp(v[0] ?? false);
      };
    }
  }
}

function hierarchy(model: Model, path: string, op: string, value: unknown, env: Env): Predicate {
  const field = model.fields.get(path)!;
  const target = field.type === 'integer' ? model : env.model(field.relation ?? model.name);
  const parentField = target.parentField;
  const roots = (Array.isArray(value) ? value : [value]).map(Number).filter((n) => !Number.isNaN(n));
  const set = new Set<number>();
  if (op === 'child_of') {
    for (const id of roots) for (const d of target.descendants(id, parentField)) set.add(d);
  } else {
    for (const id of roots) {
      let cur: number | false = id;
      while (typeof cur === 'number' && !set.has(cur)) {
        set.add(cur);
        cur = (target.table.get(cur)?.[parentField] as number | false | undefined) ?? false;
      }
    }
  }
  const get = model.getter(path);
  return (rec) => {
    const v = path === 'id' ? rec.id : get(rec, env);
    if (Array.isArray(v)) return v.some((id) => set.has(id as number));
    return typeof v === 'number' && set.has(v);
  };
}

/** Compares stored scalar values the way PostgreSQL would (NULL = false never matches an ordering operator). */
function scalarComparator(type: string, op: string, raw: unknown, env: Env): (v: unknown) => boolean {
  let value = raw;
  if ((type === 'datetime' || type === 'date') && typeof value === 'string') value = normalizeDatetime(value, type, env);
  if (type === 'char' || type === 'text' || type === 'html' || type === 'selection') {
    if (typeof value === 'number') value = String(value);
  }
  const isEmpty = (v: unknown) => v === false || v === null || v === undefined || v === '';
  switch (op) {
    case '=':
      if (value === false || value === null) return (v) => (type === 'boolean' ? v === false || v === null || v === undefined : isEmptyStored(v, type));
      if (type === 'boolean') return (v) => Boolean(v) === Boolean(value);
      return (v) => looseEq(v, value);
    case '!=':
      if (value === false || value === null) return (v) => !(type === 'boolean' ? v === false || v === null || v === undefined : isEmptyStored(v, type));
      if (type === 'boolean') return (v) => Boolean(v) !== Boolean(value);
      // SQL: `x != 'a'` is false for NULL; Odoo adds `OR x IS NULL` for !=, so empty values match.
      return (v) => !looseEq(v, value);
    case 'in':
    case 'not in': {
      const list = (Array.isArray(value) ? value : [value]).map((x) => (typeof x === 'string' && (type === 'datetime' || type === 'date') ? normalizeDatetime(x, type, env) : x));
      const wantsEmpty = list.some((x) => x === false || x === null);
      const set = new Set(list.filter((x) => x !== false && x !== null).map((x) => (type === 'boolean' ? Boolean(x) : x)));
      const positive = op === 'in';
      return (v) => {
        if (type === 'boolean') return set.has(Boolean(v)) === positive || (wantsEmpty && !v && positive);
        const hit = isEmptyStored(v, type) ? wantsEmpty : set.has(v) || (typeof v === 'number' && set.has(String(v)));
        return hit === positive;
      };
    }
    case '<':
    case '>':
    case '<=':
    case '>=': {
      if (value === false || value === null) return () => false;
      const test = op === '<' ? (d: number) => d < 0 : op === '>' ? (d: number) => d > 0 : op === '<=' ? (d: number) => d <= 0 : (d: number) => d >= 0;
      if (typeof value === 'number') return (v) => test((typeof v === 'number' ? v : Number(v) || 0) - (value as number));
      const sval = String(value);
      return (v) => {
        if (isEmpty(v)) return false;
        const sv = String(v);
        return test(sv < sval ? -1 : sv > sval ? 1 : 0);
      };
    }
    case 'like':
    case 'not like':
    case 'ilike':
    case 'not ilike':
    case '=like':
    case '=ilike': {
      const insensitive = op.includes('ilike');
      const anchored = op.startsWith('=');
      const positive = !op.startsWith('not');
      if (value === false || value === null) return (v) => isEmpty(v) === positive;
      const pattern = likeRegex(String(value), anchored, insensitive);
      return (v) => {
        if (isEmpty(v)) return !positive && !anchored ? true : false;
        return pattern.test(String(v)) === positive;
      };
    }
    default:
      return () => false;
  }
}

function isEmptyStored(v: unknown, type: string): boolean {
  if (type === 'integer' || type === 'float' || type === 'monetary') return v === false || v === null || v === undefined;
  return v === false || v === null || v === undefined || v === '';
}

function looseEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return Boolean(a) === Boolean(b) && (typeof a === typeof b || a === false || b === false);
  return false;
}

/** SQL LIKE: `%` any run, `_` one character; `like`/`ilike` add `%` around the value. */
export function likeRegex(value: string, anchored: boolean, insensitive: boolean): RegExp {
  let body = '';
  for (const ch of value) {
    if (ch === '%') body += '.*';
    else if (ch === '_') body += '.';
    else body += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const src = anchored ? `^${body}$` : body;
  return new RegExp(src, insensitive ? 'is' : 's');
}

/** 17/18 accept `2000-01-01T00:00:00Z` and ignore an offset (the wall time is compared as UTC); 19 refuses both. */
function normalizeDatetime(value: string, type: string, env: Env): string {
  if (type === 'date') return value.slice(0, 10);
  if (env.profile.naiveDatetimesOnly) return value;
  let v = value.replace('T', ' ');
  v = v.replace(/(Z|[+-]\d\d:?\d\d)$/, '');
  v = v.replace(/\.\d+$/, '');
  if (v.length === 10) v += ' 00:00:00';
  return v;
}

/**
 * Narrowing a search through an index: ids allowed by the top-level `=` / `in` conditions on stored fields
 * (null when the domain has none usable). Only used to skip records; the predicate still decides.
 */
export function indexCandidates(model: Model, node: Node): Set<number> | null {
  const leaves: { field: string; op: string; value: unknown }[] = [];
  const collect = (n: Node) => {
    if (n.kind === 'leaf') leaves.push(n);
    else if (n.kind === 'and') n.children.forEach(collect);
  };
  collect(node);
  let best: Set<number> | null = null;
  for (const leaf of leaves) {
    if (leaf.field.includes('.') || (leaf.op !== '=' && leaf.op !== 'in')) continue;
    const field = model.fields.get(leaf.field);
    if (!field || !model.isOwnStored(leaf.field) || model.computedStored.has(leaf.field)) continue;
    if (!['char', 'many2one', 'integer', 'selection'].includes(field.type)) continue;
    const values = leaf.op === 'in' ? (Array.isArray(leaf.value) ? leaf.value : [leaf.value]) : [leaf.value];
    if (values.some((v) => v === false || v === null || (typeof v !== 'number' && typeof v !== 'string'))) continue;
    if (field.type === 'many2one' && values.some((v) => typeof v !== 'number')) continue;
    const set = new Set<number>();
    for (const v of values) for (const id of model.table.lookup(leaf.field, field.type === 'char' && typeof v === 'number' ? String(v) : v)) set.add(id);
    if (leaf.field === 'id') continue;
    if (!best || set.size < best.size) best = set;
  }
  for (const leaf of leaves) {
    if (leaf.field !== 'id' || (leaf.op !== '=' && leaf.op !== 'in')) continue;
    const values = leaf.op === 'in' ? (Array.isArray(leaf.value) ? leaf.value : [leaf.value]) : [leaf.value];
    const set = new Set(values.filter((v): v is number => typeof v === 'number'));
    if (!best || set.size < best.size) best = set;
  }
  return best;
}

/** The lowest id a top-level `id >` / `id >=` condition allows (for paging by id). */
export function idLowerBound(node: Node): number | null {
  let bound: number | null = null;
  const visit = (n: Node) => {
    if (n.kind === 'and') n.children.forEach(visit);
    else if (n.kind === 'leaf' && n.field === 'id' && typeof n.value === 'number') {
      const b = n.op === '>' ? n.value + 1 : n.op === '>=' ? n.value : null;
      if (b !== null && (bound === null || b > bound)) bound = b;
    }
  };
  visit(node);
  return bound;
}

export function mentionsField(domain: unknown[], field: string): boolean {
  return domain.some((item) => Array.isArray(item) && item[0] === field);
}
