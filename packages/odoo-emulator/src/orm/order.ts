/**
 * `order` strings ("write_date asc, id asc", "complete_name ASC, id DESC"): parsed once per call into sort keys.
 * PostgreSQL puts NULLs last ascending and first descending; a many2one sorts by its comodel's own order.
 */
import type { Env } from './env.ts';
import type { Model } from './model.ts';
import type { Rec } from './store.ts';
import { valueError } from '../errors/odoo.errors.ts';

export interface OrderTerm {
  field: string;
  desc: boolean;
  nullsFirst: boolean;
  key: (rec: Rec, env: Env) => unknown;
}

const collator = new Intl.Collator('en', { sensitivity: 'variant' });

export function parseOrder(model: Model, order: string, env: Env): OrderTerm[] {
  const cacheKey = `order:${model.name}:${order}`;
  const cached = env.cache.get(cacheKey) as OrderTerm[] | undefined;
  if (cached) return cached;
  const terms: OrderTerm[] = [];
  for (const part of String(order).split(',')) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    if (!words.length) continue;
    const field = words[0];
    const desc = (words[1] ?? '').toLowerCase() === 'desc';
    const nullsWord = words.slice(2).join(' ').toLowerCase();
    const nullsFirst = nullsWord ? nullsWord === 'nulls first' : desc;
    const def = model.fields.get(field);
    if (!def) throw valueError(env.profile.messages.invalidField(model.name, field));
    let key: OrderTerm['key'];
    if (def.type === 'many2one') {
      const comodel = env.model(def.relation!);
      const get = model.getter(field);
      key = (rec, e) => {
        const v = get(rec, e);
        return typeof v === 'number' ? comodel.rankOf(e).get(v) ?? Number.MAX_SAFE_INTEGER : null;
      };
    } else {
      const get = model.getter(field);
      key = (rec, e) => {
        const v = get(rec, e);
        return v === false && def.type !== 'boolean' ? null : v;
      };
    }
    terms.push({ field, desc, nullsFirst, key });
  }
  if (!terms.length) terms.push({ field: 'id', desc: false, nullsFirst: false, key: (r) => r.id });
  env.cache.set(cacheKey, terms);
  return terms;
}

export function compareValues(a: unknown, b: unknown, term: OrderTerm): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) {
    if (an && bn) return 0;
    return an === term.nullsFirst ? -1 : 1;
  }
  let c: number;
  if (typeof a === 'number' && typeof b === 'number') c = a - b;
  else if (typeof a === 'boolean' || typeof b === 'boolean') c = Number(a) - Number(b);
  else c = collator.compare(String(a), String(b));
  return term.desc ? -c : c;
}
