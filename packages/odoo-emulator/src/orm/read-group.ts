/**
 * `read_group` (17/18, deprecated in 19) and `formatted_read_group` (19): groups of the records a domain finds,
 * with counts and aggregates, in the shapes the recordings show (`product_id_count` when lazy, `__count` otherwise,
 * `__domain` = the request domain AND the group's conditions; 19's `__extra_domain` = the group's conditions only).
 */
import type { Env } from './env.ts';
import type { Model } from './model.ts';
import { pyFloat } from '../http/pyjson.ts';
import { valueError } from '../errors/odoo.errors.ts';

interface Aggregate {
  key: string;
  field: string;
  fn: string;
}

export function readGroup(model: Model, env: Env, p: Record<string, unknown>): Record<string, unknown>[] {
  const groupbys = toList(p.groupby);
  const lazy = p.lazy !== false;
  const effective = lazy ? groupbys.slice(0, 1) : groupbys;
  const aggregates: Aggregate[] = [];
  for (const spec of toList(p.fields)) {
    const agg = parseAggregate(model, env, spec, 'read_group');
    if (agg && !groupbys.includes(agg.field)) aggregates.push(agg);
  }
  const domain = (p.domain as unknown[]) ?? [];
  const groups = buildGroups(model, env, domain, effective, p.orderby as string | false);
  const countKey = lazy ? `${effective[0]}_count` : '__count';
  const sliced = slice(groups, p.offset, p.limit);
  return sliced.map((g) => {
    const row: Record<string, unknown> = {};
    effective.forEach((gb, i) => (row[gb] = formatGroupValue(model, env, gb, g.key[i])));
    row[countKey] = g.ids.length;
    for (const a of aggregates) row[a.key] = aggregateValue(model, env, a, g.ids);
    row.__domain = normalizeDomain([...domain, ...effective.map((gb, i) => [gb, '=', g.key[i]])]);
    if (lazy && groupbys.length > 1) row.__context = { group_by: groupbys.slice(1) };
    return row;
  });
}

export function formattedReadGroup(model: Model, env: Env, p: Record<string, unknown>): Record<string, unknown>[] {
  const groupbys = toList(p.groupby);
  const aggregates = toList(p.aggregates).map((spec) => {
    if (spec === '__count') return { key: '__count', field: 'id', fn: 'count' };
    const agg = parseAggregate(model, env, spec, 'formatted_read_group');
    if (!agg) throw valueError(`Invalid aggregate specification ${JSON.stringify(spec)}`);
    return { ...agg, key: spec };
  });
  const groups = buildGroups(model, env, (p.domain as unknown[]) ?? [], groupbys, (p.order as string | null) ?? false);
  return slice(groups, p.offset, p.limit).map((g) => {
    const row: Record<string, unknown> = {};
    groupbys.forEach((gb, i) => (row[gb] = formatGroupValue(model, env, gb, g.key[i])));
    const leaves = groupbys.map((gb, i) => [gb, '=', g.key[i]]);
    row.__extra_domain = leaves.length ? normalizeDomain(leaves) : [[1, '=', 1]];
    for (const a of aggregates) row[a.key] = a.fn === 'count' ? g.ids.length : aggregateValue(model, env, a, g.ids);
    return row;
  });
}

function toList(v: unknown): string[] {
  if (v === null || v === undefined || v === false) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

function slice<T>(list: T[], offset: unknown, limit: unknown): T[] {
  const o = Number(offset) || 0;
  const l = Number(limit) || 0;
  return l ? list.slice(o, o + l) : list.slice(o);
}

function parseAggregate(model: Model, env: Env, spec: string, _method: string): Aggregate | null {
  let m = /^(\w+):(\w+)\((\w+)\)$/.exec(spec);
  if (m) return checkField(model, env, { key: m[1], fn: m[2], field: m[3] });
  m = /^(\w+):(\w+)$/.exec(spec);
  if (m) return checkField(model, env, { key: m[1], fn: m[2], field: m[1] });
  const field = model.fields.get(spec);
  if (!field) throw valueError(env.profile.messages.invalidField(model.name, spec));
  if (['integer', 'float', 'monetary'].includes(field.type) && spec !== 'id') return { key: spec, fn: 'sum', field: spec };
  return null;
}

function checkField(model: Model, env: Env, agg: Aggregate): Aggregate {
  if (!model.fields.has(agg.field)) throw valueError(env.profile.messages.invalidField(model.name, agg.field));
  return agg;
}

function buildGroups(model: Model, env: Env, domain: unknown[], groupbys: string[], orderby: string | false) {
  for (const gb of groupbys) if (!model.fields.has(gb.split(':')[0])) throw valueError(env.profile.messages.invalidField(model.name, gb));
  const ids = model.search(env, domain, {});
  env.registry.stats.lastGrouped = ids.length;
  const getters = groupbys.map((gb) => model.getter(gb));
  const map = new Map<string, { key: unknown[]; ids: number[] }>();
  for (const id of ids) {
    const rec = model.table.get(id)!;
    const key = getters.map((g) => {
      const v = g(rec, env);
      return Array.isArray(v) ? v[0] ?? false : v ?? false;
    });
    const k = JSON.stringify(key);
    let group = map.get(k);
    if (!group) map.set(k, (group = { key, ids: [] }));
    group.ids.push(id);
  }
  const groups = [...map.values()];
  const order = orderby ? String(orderby) : groupbys.join(', ');
  const terms = order ? orderTerms(model, env, order, groupbys) : [];
  groups.sort((a, b) => {
    for (const t of terms) {
      const c = t.compare(a, b);
      if (c) return c;
    }
    return 0;
  });
  return groups;
}

function orderTerms(model: Model, env: Env, order: string, groupbys: string[]) {
  return order.split(',').map((part) => {
    const [field, dir] = part.trim().split(/\s+/);
    const desc = (dir ?? '').toLowerCase() === 'desc';
    const i = groupbys.indexOf(field);
    const def = model.fields.get(field);
    const rank = def?.type === 'many2one' ? env.model(def.relation!).rankOf(env) : null;
    const value = (g: { key: unknown[]; ids: number[] }) => {
      if (i < 0) return aggregateNumber(model, env, field, g.ids);
      const v = g.key[i];
      if (v === false || v === null) return null;
      return rank ? rank.get(v as number) ?? 0 : v;
    };
    return {
      compare: (a: { key: unknown[]; ids: number[] }, b: { key: unknown[]; ids: number[] }) => {
        const va = value(a);
        const vb = value(b);
        if (va === null || vb === null) return va === vb ? 0 : va === null ? (desc ? -1 : 1) : desc ? 1 : -1;
        const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
        return desc ? -c : c;
      },
    };
  });
}

function aggregateNumber(model: Model, env: Env, field: string, ids: number[]): number {
  const get = model.getter(field);
  let s = 0;
  for (const id of ids) s += Number(get(model.table.get(id)!, env)) || 0;
  return s;
}

function aggregateValue(model: Model, env: Env, a: Aggregate, ids: number[]): unknown {
  const field = model.fields.get(a.field)!;
  const get = model.getter(a.field);
  const values = ids.map((id) => get(model.table.get(id)!, env));
  const isFloat = field.type === 'float' || field.type === 'monetary';
  const num = (n: number) => (isFloat ? pyFloat(n) : n);
  switch (a.fn) {
    case 'sum':
      return num(values.reduce((s: number, v) => s + (Number(v) || 0), 0));
    case 'avg':
      return values.length ? pyFloat(values.reduce((s: number, v) => s + (Number(v) || 0), 0) / values.length) : false;
    case 'min':
      return values.length ? num(Math.min(...values.map(Number))) : false;
    case 'max':
      return values.length ? num(Math.max(...values.map(Number))) : false;
    case 'count':
      return values.length;
    case 'count_distinct':
      return new Set(values.map((v) => JSON.stringify(v))).size;
    case 'bool_and':
      return values.every(Boolean);
    case 'bool_or':
      return values.some(Boolean);
    case 'array_agg':
      return values;
    default:
      return num(values.reduce((s: number, v) => s + (Number(v) || 0), 0));
  }
}

function formatGroupValue(model: Model, env: Env, gb: string, value: unknown): unknown {
  const field = model.fields.get(gb)!;
  if (field.type === 'many2one' || field.type === 'many2many') {
    if (typeof value !== 'number') return false;
    return [value, env.model(field.relation!).displayNameOfId(value, env)];
  }
  if (field.type === 'float' || field.type === 'monetary') return pyFloat(Number(value) || 0);
  return value;
}

/** Odoo's `normalize_domain`: explicit `&` in front of implicitly AND-ed terms. */
export function normalizeDomain(domain: unknown[]): unknown[] {
  if (domain.length <= 1) return domain.slice();
  const result: unknown[] = [];
  let expected = 1;
  for (const token of domain) {
    if (expected === 0) {
      result.unshift('&');
      expected = 1;
    }
    if (Array.isArray(token)) expected -= 1;
    else expected += (({ '!': 1, '&': 2, '|': 2 } as Record<string, number>)[token as string] ?? 0) - 1;
    result.push(token);
  }
  return result;
}
