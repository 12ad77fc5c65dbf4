/**
 * res.users (inherits res.partner through partner_id) and res.company. OdooBot is user 1 (`__system__`, archived),
 * the admin is user 2. Logins are unique; `context_get`, `has_group` (17: on the calling user; 18+: on records) and
 * 17's `user_has_groups` answer as recorded.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec } from '../orm/fields.ts';
import { userError, validationError, valueError, werkzeug } from '../errors/odoo.errors.ts';

const USER_OWN = ['login', 'password', 'active', 'company_id', 'company_ids', 'groups_id', 'group_ids', 'share', 'partner_id', 'tz', 'lang', 'api_key_ids', 'signature', 'action_id', 'login_date'];

export class ResUsers extends Model {
  readonly name = 'res.users';
  description = 'User';
  order = 'name, login';
  override inherits = { model: 'res.partner', field: 'partner_id', own: new Set(USER_OWN) };

  override fieldSpecs(): Record<string, FieldSpec> {
    return { password: { type: 'char', string: 'Password' } };
  }

  override hiddenFields(): string[] {
    return ['password'];
  }

  override defaults(env: Env): Record<string, unknown> {
    const groupField = this.fields.has('group_ids') ? 'group_ids' : 'groups_id';
    return {
      active: true,
      share: false,
      company_id: env.companyId,
      company_ids: (_e: Env, vals: Record<string, unknown>) => [[6, 0, [vals.company_id ?? env.companyId]]],
      [groupField]: [[6, 0, [1]]],
      tz: false,
      lang: 'en_US',
    };
  }

  override displayName(rec: Rec, env: Env): string {
    return (this.getter('name')(rec, env) as string) || '';
  }

  override inverse(_env: Env, rec: Rec, name: string, value: unknown): void {
    if (name === 'password') rec.password = value;
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    if (field === 'api_key_ids') return [...env.model('res.users.apikeys').table.lookup('user_id', rec.id)];
    return NOT_COMPUTED;
  }

  override checkConstraints(_env: Env, ids: number[]): void {
    for (const id of ids) {
      const login = this.table.get(id)?.login;
      const clash = [...this.table.lookup('login', login)].some((other) => other !== id);
      if (clash) throw validationError('The operation cannot be completed: You can not have two users with the same login!');
    }
  }

  protected override registerMethods(): void {
    const v = this.registry.profile;
    this.method('context_get', {
      api: 'model', params: [], qualname: 'Users.context_get',
      impl: (c) => {
        const u = this.table.get(c.env.uid)!;
        return { lang: u.lang || 'en_US', tz: u.tz ?? false, uid: c.env.uid };
      },
    });
    if (v.hasGroupOnRecords) {
      this.method('has_group', {
        api: 'records', params: ['group_ext_id'], qualname: 'Users.has_group',
        impl: (c) => this.hasGroup(c.env, this.ensureOne(c.ids), String(c.p.group_ext_id)),
      });
    } else {
      this.method('has_group', { api: 'model', params: ['group_ext_id'], qualname: 'Users.has_group', impl: (c) => this.hasGroup(c.env, c.env.uid, String(c.p.group_ext_id)) });
      this.method('user_has_groups', {
        api: 'model', params: ['groups'], qualname: 'BaseModel.user_has_groups',
        impl: (c) => {
          const list = Array.isArray(c.p.groups) ? (c.p.groups as string[]) : String(c.p.groups).split(',');
          return list.some((g) => (g.trim().startsWith('!') ? !this.hasGroup(c.env, c.env.uid, g.trim().slice(1)) : this.hasGroup(c.env, c.env.uid, g.trim())));
        },
      });
    }
  }

  hasGroup(env: Env, uid: number, xmlid: string): boolean {
    const [module, name] = xmlid.split('.');
    const data = [...env.model('ir.model.data').table.lookup('name', name)].map((id) => env.model('ir.model.data').table.get(id)!).find((d) => d.module === module);
    if (!data) throw valueError(`External ID not found in the system: ${xmlid}`);
    if (uid === 1 || uid === 2) return true;
    const user = this.table.get(uid);
    const groups = ((user?.groups_id ?? user?.group_ids) as number[] | undefined) ?? [];
    return groups.includes(data.res_id as number);
  }
}

export class ResCompany extends Model {
  readonly name = 'res.company';
  description = 'Companies';
  order = 'sequence, name';
  protected override aclDenied = { write: true, create: true, unlink: true };

  override recordRule(env: Env) {
    if (env.uid === 1) return null;
    const mine = new Set((env.user().company_ids as number[]) ?? []);
    return (r: Rec) => mine.has(r.id);
  }

  override defaults(env: Env): Record<string, unknown> {
    return { currency_id: 1, tax_calculation_rounding_method: 'round_per_line', sequence: 10, active: true, ...(env.profile.major >= 18 ? { account_price_include: 'tax_excluded' } : {}) };
  }
}

/** API keys: admin sees its persistent key; an internal user sees only its own keys. */
export class ResUsersApikeys extends Model {
  readonly name = 'res.users.apikeys';
  description = 'Users API Keys';
  order = 'id';
  override logAccess = false;

  override supportsVersion(): boolean {
    return true;
  }

  override fieldSpecs(): Record<string, FieldSpec> {
    const specs: Record<string, FieldSpec> = {
      name: { type: 'char', string: 'Description', required: true, readonly: true },
      user_id: { type: 'many2one', relation: 'res.users', string: 'User', readonly: true },
      scope: { type: 'char', string: 'Scope', readonly: true },
      create_date: { type: 'datetime', string: 'Creation Date', readonly: true },
      key: { type: 'char', string: 'Key' },
    };
    if (this.registry.profile.major >= 18) specs.expiration_date = { type: 'datetime', string: 'Expiration Date', readonly: true };
    return specs;
  }

  override hiddenFields(): string[] {
    return ['key'];
  }

  override recordRule(env: Env) {
    if (env.uid === 1 || env.uid === 2) return null;
    return (r: Rec) => r.user_id === env.uid;
  }
}

export class ResUsersApikeysDescription extends Model {
  readonly name = 'res.users.apikeys.description';
  description = 'API Key Description';

  override fieldSpecs(): Record<string, FieldSpec> {
    const specs: Record<string, FieldSpec> = { name: { type: 'char', string: 'Description', required: true } };
    if (this.registry.profile.major >= 18) specs.duration = { type: 'selection', string: 'Duration', selection: [['1', '1 Day'], ['7', '1 Week'], ['30', '1 Month'], ['90', '3 Months'], ['365', '1 Year'], ['-1', 'Persistent Key']] };
    return specs;
  }

  protected override registerMethods(): void {
    this.method('make_key', {
      api: 'records', params: [], qualname: 'APIKeyDescription.make_key',
      impl: (c) => {
        // Keys need the interactive password check: over JSON-2 the wizard is returned, over RPC it is refused.
        if (c.env.transport === 'json2') {
          return { type: 'ir.actions.act_window', res_model: 'res.users.identitycheck', res_id: c.ids[0] ?? false, name: 'Access Control', target: 'new', views: [[false, 'form']], context: { dialog_size: 'medium' } };
        }
        throw userError('This method can only be accessed over HTTP');
      },
    });
    void werkzeug;
  }
}
