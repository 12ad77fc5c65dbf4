/**
 * res.partner: companies and their contacts (child_ids), display names "Company, Contact", the commercial partner,
 * `address_get`, and the "Contacts require a name" constraint.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { validationError } from '../errors/odoo.errors.ts';
import { registerMailThread } from './mail.thread.ts';

export class ResPartner extends Model {
  readonly name = 'res.partner';
  description = 'Contact';
  order = 'complete_name ASC, id DESC';
  override mailThread = true;

  override defaults(env: Env): Record<string, unknown> {
    return {
      type: 'contact',
      active: true,
      is_company: false,
      lang: typeof env.context.lang === 'string' ? env.context.lang : 'en_US',
      company_id: false,
    };
  }

  override displayName(rec: Rec, env: Env): string {
    if (typeof rec.__display_name === 'string') return rec.__display_name;
    const name = (rec.name as string | false) || '';
    const parentId = rec.parent_id as number | false;
    if (parentId && !rec.is_company) {
      const parent = this.table.get(parentId);
      if (parent) {
        const parentName = this.commercialName(parent, env);
        const own = name || (this.fields.get('type')?.selection?.find((s) => s[0] === rec.type)?.[1] as string | undefined) || '';
        return `${parentName}, ${own}`;
      }
    }
    return name;
  }

  private commercialName(rec: Rec, env: Env): string {
    const commercial = this.table.get(this.commercialId(rec)) ?? rec;
    return (commercial.name as string) || this.displayName(commercial, env);
  }

  commercialId(rec: Rec): number {
    let cur = rec;
    for (let i = 0; i < 20; i++) {
      if (cur.is_company || !cur.parent_id) return cur.id;
      const parent = this.table.get(cur.parent_id as number);
      if (!parent) return cur.id;
      cur = parent;
    }
    return cur.id;
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'complete_name':
        return this.displayName(rec, env);
      case 'commercial_partner_id':
        return this.commercialId(rec);
      case 'company_type':
        return rec.is_company ? 'company' : 'person';
      case 'commercial_company_name': {
        const c = this.table.get(this.commercialId(rec));
        return c?.is_company ? c.name : false;
      }
      case 'user_ids':
        return [...env.model('res.users').table.lookup('partner_id', rec.id)];
      default:
        return NOT_COMPUTED;
    }
  }

  override inverse(_env: Env, rec: Rec, name: string, value: unknown): void {
    if (name === 'company_type') rec.is_company = value === 'company';
  }

  override beforeCreate(_env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    if ('company_type' in vals && !('is_company' in vals)) vals.is_company = vals.company_type === 'company';
    return vals;
  }

  override checkConstraints(env: Env, ids: number[]): void {
    for (const id of ids) {
      const rec = this.table.get(id);
      if (rec && rec.type === 'contact' && !rec.name) throw validationError('The operation cannot be completed: Contacts require a name');
    }
    void env;
  }

  override afterCreate(env: Env, id: number): void {
    // Child contacts take the commercial fields of their company (vat), as Odoo's _fields_sync does.
    const rec = this.table.get(id)!;
    if (rec.parent_id && !rec.is_company && !rec.vat) {
      const commercial = this.table.get(this.commercialId(rec));
      if (commercial && commercial.vat) this.table.update(id, { vat: commercial.vat });
    }
    void env;
  }

  protected override registerMethods(): void {
    const v = this.registry.profile;
    this.method('address_get', {
      api: 'records', params: ['adr_pref'], defaults: { adr_pref: null }, qualname: 'Partner.address_get',
      impl: (c) => this.addressGet(c.env, c.ids, (c.p.adr_pref as string[] | null) ?? []),
    });
    registerMailThread(this);
    void v;
  }

  /** Odoo's `address_get`: the first contact of each requested type found scanning the partner and its children. */
  addressGet(env: Env, ids: number[], prefs: string[]): Record<string, number | false> {
    const wanted = [...prefs];
    if (!wanted.includes('contact')) wanted.push('contact');
    const result: Record<string, number> = {};
    const visited = new Set<number>();
    for (const id of ids) {
      let current: Rec | undefined = this.table.get(id);
      while (current) {
        const toScan: Rec[] = [current];
        while (toScan.length) {
          const record = toScan.shift()!;
          visited.add(record.id);
          const type = record.type as string;
          if (wanted.includes(type) && !(type in result)) result[type] = record.id;
          if (Object.keys(result).length === wanted.length) return result;
          const children = this.childrenOf(record.id, 'parent_id', env).map((c) => this.table.get(c)!).filter((c) => !visited.has(c.id) && !c.is_company);
          toScan.unshift(...children);
        }
        if (!current.parent_id || current.is_company) break;
        current = this.table.get(current.parent_id as number);
      }
    }
    const fallback = result.contact ?? ids[0] ?? false;
    return Object.fromEntries(wanted.map((t) => [t, result[t] ?? fallback]));
  }

  override nameSearchIds(env: Env, name: string | string[], operator: string, extraDomain: unknown[] = [], limit = 0): number[] {
    if (Array.isArray(name) || operator === 'in' || operator === '=') {
      return this.search(env, [['name', operator === 'in' ? 'in' : '=', name], ...extraDomain], { limit });
    }
    if (!name) return this.search(env, extraDomain, { limit });
    return this.search(env, ['|', '|', '|', ['complete_name', operator, name], ['email', operator, name], ['ref', operator, name], ['vat', operator, name], ...extraDomain], { limit });
  }
}
