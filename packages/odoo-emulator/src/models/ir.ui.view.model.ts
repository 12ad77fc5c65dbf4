/**
 * ir.ui.view: the recorded standard views of the version (ids, xmlids, stored arch; seed/views.<version>.json) plus
 * the views created over the API. Creating or changing a view combines it with its parent as Odoo does (an xpath
 * that locates nothing, a field the model lacks, a button naming no action: refused with Odoo's messages and error
 * context); `get_views` answers the combined arch of the default (or given) view, recorded extensions included,
 * after evaluating `groups` for the calling user. Unlinking a field a view still shows is refused
 * (IrModelFieldsWithViews, below). `fields_view_get` is gone since 17, as in Odoo.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Model, NOT_COMPUTED, type MethodSig } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { Registry } from '../orm/registry.ts';
import type { OdooVersion } from '../versions/version.profile.ts';
import { OdooError, missingError, userError, validationError } from '../errors/odoo.errors.ts';
import { recordsetRepr } from '../orm/pyrepr.ts';
import { describeFields } from '../orm/fields-get.ts';
import { IrModelFields } from './ir.models.ts';
import { combinePrimary, primaryOf, ViewCombineError, type ViewRow, type ViewSource } from '../views/view.combine.ts';
import { linesNear, postprocess, validateNodes, ViewCheckError, type ViewEnv } from '../views/view.check.ts';
import { parseXml, serializeXml, XmlSyntaxError } from '../views/xml.ts';

interface RecordedViews {
  nextIds: Record<string, number>;
  views: (Omit<ViewRow, 'mode'> & { mode: string; xmlid: string })[];
  defaults: { model: string; view_type: string; view_id: number; arch: string }[];
}

const SEED_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'seed');
const recordedCache = new Map<OdooVersion, RecordedViews>();

export function recordedViews(version: OdooVersion): RecordedViews {
  let v = recordedCache.get(version);
  if (!v) {
    v = JSON.parse(readFileSync(join(SEED_DIR, `views.${version}.json`), 'utf8')) as RecordedViews;
    recordedCache.set(version, v);
  }
  return v;
}

const VIEW_FIELDS_ALWAYS_VALIDATED = ['arch', 'arch_base', 'arch_db', 'inherit_id', 'active', 'mode', 'priority', 'model'];

export class IrUiView extends Model {
  readonly name = 'ir.ui.view';
  description = 'View';
  order = 'priority, name, id';
  protected override aclDenied = { write: true, create: true, unlink: true };

  private recorded!: RecordedViews;
  private recordedIds = new Set<number>();
  private combinedById = new Map<number, string>();

  private get groupsField(): string {
    return this.fields.has('group_ids') ? 'group_ids' : 'groups_id';
  }

  override defaults(): Record<string, unknown> {
    return {
      priority: 16,
      active: true,
      mode: (_env: Env, vals: Record<string, unknown>) => (vals.inherit_id ? 'extension' : 'primary'),
      type: (env: Env, vals: Record<string, unknown>) => this.typeFor(env, vals),
    };
  }

  private typeFor(env: Env, vals: Record<string, unknown>): unknown {
    if (vals.inherit_id) return this.table.get(Number(vals.inherit_id))?.type ?? false;
    const arch = (vals.arch ?? vals.arch_base ?? vals.arch_db) as string | undefined;
    if (!arch) throw validationError('Missing view architecture.');
    try {
      const tag = parseXml(arch).tag;
      return tag;
    } catch {
      void env;
      return false;
    }
  }

  override beforeCreate(_env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    if (!vals.name) vals.name = `${String(vals.model ?? false)} ${String(vals.type ?? false)}`;
    vals.arch_prev ??= vals.arch_base ?? vals.arch_db ?? vals.arch ?? false;
    return vals;
  }

  override inverse(_env: Env, rec: Rec, name: string, value: unknown): void {
    if (name === 'arch' || name === 'arch_base') rec.arch_db = value;
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'arch':
      case 'arch_base':
        return rec.arch_db ?? false;
      case 'xml_id':
        return this.xmlidOf(rec.id);
      case 'model_data_id':
        return this.xmlidRow(rec.id)?.id ?? false;
      case 'model_id': {
        const irModel = env.model('ir.model');
        for (const r of irModel.table.rows.values()) if (r.model === rec.model) return r.id;
        return false;
      }
      case 'warning_info':
        return '';
      case 'invalid_locators':
        return false;
    }
    return NOT_COMPUTED;
  }

  private xmlidOf(id: number): string {
    const data = this.xmlidRow(id);
    return data ? `${data.module}.${data.name}` : '';
  }

  private xmlidRow(id: number): Rec | undefined {
    const imd = this.registry.model('ir.model.data');
    for (const dataId of imd.table.lookup('model', 'ir.ui.view')) {
      const d = imd.table.get(dataId)!;
      if (d.res_id === id) return d;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- seed

  /** Inserts the recorded views and their xmlids (once), and gives every model `get_views`. */
  afterSeed(env: Env): void {
    this.recorded = recordedViews(this.registry.version);
    for (const d of this.recorded.defaults) this.combinedById.set(d.view_id, d.arch);
    const imd = this.registry.model('ir.model.data');
    let freeImdId = imd.table.nextId - 1;
    for (const v of this.recorded.views) {
      this.recordedIds.add(v.id);
      if (!this.table.get(v.id)) {
        this.table.insert({
          id: v.id, name: v.name, model: v.model, type: v.type, mode: v.mode, priority: v.priority, active: v.active,
          inherit_id: v.inherit_id, arch_db: v.arch_db, arch_prev: false, key: false, arch_fs: false, arch_updated: false,
          [this.groupsField]: [], create_uid: 1, write_uid: 1, create_date: env.now, write_date: env.now,
        });
      }
      const [module, name] = v.xmlid.split('.');
      const known = [...imd.table.lookup('name', name)].some((id) => imd.table.get(id)!.module === module);
      if (!known) {
        while (imd.table.get(freeImdId)) freeImdId--;
        imd.table.insert({ id: freeImdId, module, name, model: 'ir.ui.view', res_id: v.id, noupdate: false, create_uid: 1, write_uid: 1, create_date: env.now, write_date: env.now });
      }
    }
    for (const [model, next] of Object.entries(this.recorded.nextIds)) {
      if (this.registry.has(model)) {
        const table = this.registry.model(model).table;
        if (table.rows.size === 0 || [...table.rows.keys()].every((id) => this.recordedIds.has(id))) table.nextId = Math.max(table.nextId, next);
      }
    }
    registerGetViews(this.registry, this);
  }

  // ---------------------------------------------------------------- combining and checking

  private source(): ViewSource {
    return {
      row: (id) => this.viewRow(id),
      children: (id) => [...this.table.lookup('inherit_id', id)].map((c) => this.viewRow(c)!).filter(Boolean),
      recordedCombined: (id) => this.combinedById.get(id) ?? null,
      isRecorded: (id) => this.recordedIds.has(id),
    };
  }

  private viewRow(id: number): ViewRow | undefined {
    const r = this.table.get(id);
    if (!r) return undefined;
    return {
      id: r.id, name: String(r.name ?? ''), model: String(r.model ?? ''), type: String(r.type ?? ''), mode: r.mode === 'extension' ? 'extension' : 'primary',
      priority: Number(r.priority ?? 16), active: r.active !== false, inherit_id: typeof r.inherit_id === 'number' ? r.inherit_id : false, arch_db: String(r.arch_db ?? ''),
    };
  }

  viewEnv(env: Env, hidden: Set<string> = new Set()): ViewEnv {
    const registry = this.registry;
    return {
      major: registry.profile.major,
      model: (name) => {
        if (!registry.has(name)) return null;
        const m = registry.model(name);
        if (!hidden.size) return m;
        // A model seen without the fields being removed (the field-removal check).
        return new Proxy(m, {
          get: (target, prop, receiver) => {
            if (prop === 'fields') return new Map([...target.fields].filter(([k]) => !hidden.has(`${name}.${k}`)));
            return Reflect.get(target, prop, receiver);
          },
        });
      },
      checkAction: (name) => this.checkAction(env, name),
      userHasGroups: (groups) => this.userHasGroups(env, groups),
    };
  }

  private checkAction(env: Env, name: string): string | null {
    let id: number;
    if (/^\d+$/.test(name)) id = Number(name);
    else {
      const [module, xname] = name.split('.');
      const imd = env.model('ir.model.data');
      const row = xname === undefined ? undefined : [...imd.table.lookup('name', xname)].map((i) => imd.table.get(i)!).find((r) => r.module === module);
      if (!row) return `Invalid xmlid ${name} for button of type action.`;
      if (!String(row.model).startsWith('ir.actions.')) return `${name} is of type ${String(row.model)}, expected a subclass of ir.actions.actions`;
      id = Number(row.res_id);
    }
    const actions = this.registry.has('ir.actions.server') ? this.registry.model('ir.actions.server').table : null;
    if (actions?.get(id)) return null;
    return `Action ${name} (id: ${id}) does not exist for button of type action.`;
  }

  /** `groups="a.b,!c.d"`: any group matches (a `!` group matches when the user lacks it). */
  userHasGroups(env: Env, groups: string): boolean {
    const mine = this.groupsOfUser(env.uid);
    const imd = env.model('ir.model.data');
    return groups.split(',').map((g) => g.trim()).filter(Boolean).some((g) => {
      const negate = g.startsWith('!');
      const [module, name] = (negate ? g.slice(1) : g).split('.');
      const row = [...imd.table.lookup('name', name)].map((i) => imd.table.get(i)!).find((r) => r.module === module && r.model === 'res.groups');
      const has = Boolean(row && mine.has(Number(row.res_id)));
      return negate ? !has : has;
    });
  }

  /** The user's groups with the groups they imply. */
  private groupsOfUser(uid: number): Set<number> {
    const user = this.registry.store.table('res.users').get(uid);
    const direct = ((user?.groups_id ?? user?.group_ids) as number[] | undefined) ?? [];
    const groups = this.registry.store.table('res.groups');
    const out = new Set<number>();
    const queue = [...direct];
    while (queue.length) {
      const g = queue.shift()!;
      if (out.has(g)) continue;
      out.add(g);
      for (const implied of ((groups.get(g)?.implied_ids as number[] | undefined) ?? [])) queue.push(implied);
    }
    return out;
  }

  /** Odoo's `_check_xml` for one view: its primary view combined, every API-created node checked. */
  checkXml(env: Env, id: number, hidden: Set<string> = new Set()): void {
    const view = this.viewRow(id);
    if (!view) return;
    const src = this.source();
    const primary = primaryOf(src, view);
    const venv = this.viewEnv(env, hidden);
    const model = venv.model(primary.model);
    let arch;
    try {
      arch = combinePrimary(src, primary);
    } catch (error) {
      if (error instanceof ViewCombineError) throw this.viewError(`Error while parsing or validating view:\n\n${error.message}`, error.view, error.node?.line ?? 1);
      if (error instanceof XmlSyntaxError) throw this.viewError(`Error while parsing or validating view:\n\n${error.message}`, view, error.line);
      throw error;
    }
    if (!model) return;
    const origins = new Set([...this.table.rows.keys()].filter((k) => !this.recordedIds.has(k)));
    try {
      validateNodes(arch, model, venv, origins);
    } catch (error) {
      if (error instanceof ViewCheckError) {
        const culprit = this.viewRow(error.node.origin ?? id) ?? view;
        throw this.viewError(`Error while validating view near:\n\n${linesNear(arch, error.node)}\n${error.message}`, culprit, error.node.line);
      }
      throw error;
    }
  }

  private viewError(message: string, view: ViewRow, line: number): OdooError {
    return new OdooError('odoo.exceptions.ValidationError', message, {
      context: {
        view: recordsetRepr('ir.ui.view', [view.id]), name: view.name, xmlid: this.xmlidOf(view.id),
        'view.model': view.model, 'view.parent': recordsetRepr('ir.ui.view', view.inherit_id ? [view.inherit_id] : []), file: null, line,
      },
    });
  }

  override afterCreate(env: Env, id: number): void {
    this.checkXml(env, id);
  }

  override afterWrite(env: Env, ids: number[], vals: Record<string, unknown>): void {
    if (!Object.keys(vals).some((k) => VIEW_FIELDS_ALWAYS_VALIDATED.includes(k))) return;
    for (const id of ids) this.checkXml(env, id);
  }

  override beforeUnlink(env: Env, ids: number[]): void {
    for (const id of ids) {
      const children = [...this.table.lookup('inherit_id', id)].filter((c) => !ids.includes(c));
      if (children.length) throw validationError(env.profile.messages.foreignKey(this.description, this.name, 'inherit_id', 'Inherited View'));
    }
  }

  /**
   * Odoo's `_prepare_update` for removed fields: every view whose arch mentions one is checked without them; the
   * first that breaks refuses the removal.
   */
  checkFieldRemoval(env: Env, fields: { model: string; name: string }[]): void {
    if (!fields.length) return;
    const hidden = new Set(fields.map((f) => `${f.model}.${f.name}`));
    const views = [...this.table.rows.values()]
      .filter((v) => fields.some((f) => String(v.arch_db ?? '').includes(f.name)))
      .sort((a, b) => Number(a.priority) - Number(b.priority) || String(a.name).localeCompare(String(b.name)) || a.id - b.id);
    for (const view of views) {
      try {
        this.checkXml(env, view.id, hidden);
      } catch (error) {
        if (!(error instanceof OdooError)) throw error;
        throw userError(['Cannot rename/delete fields that are still present in views:', `Fields: ${fields.map((f) => `${f.model}.${f.name}`).join(', ')}`, `View: ${String(view.name)}`].join('\n'));
      }
    }
  }

  // ---------------------------------------------------------------- get_views

  /** The default primary view of a model and type: the recorded one, else the API-created one of lowest priority. */
  private defaultView(model: string, type: string): ViewRow | undefined {
    const recorded = this.recorded.defaults.find((d) => d.model === model && d.view_type === (type === 'tree' ? 'list' : type));
    if (recorded) return this.viewRow(recorded.view_id);
    const stored = type === 'list' && this.registry.profile.major === 17 ? 'tree' : type;
    return [...this.table.rows.values()]
      .filter((v) => v.model === model && v.type === stored && v.mode === 'primary' && v.active !== false)
      .sort((a, b) => Number(a.priority) - Number(b.priority) || a.id - b.id)
      .map((v) => this.viewRow(v.id)!)[0];
  }

  getViews(env: Env, model: Model, views: unknown): Record<string, unknown> {
    if (!Array.isArray(views)) throw new OdooError('builtins.TypeError', `'${views === null ? 'NoneType' : typeof views}' object is not iterable`);
    const answer: Record<string, unknown> = {};
    const used = new Map<string, Set<string>>();
    const src = this.source();
    const origins = new Set([...this.table.rows.keys()].filter((k) => !this.recordedIds.has(k)));
    for (const entry of views) {
      const [viewId, viewType] = Array.isArray(entry) ? entry : [false, entry];
      const type = String(viewType);
      if (type === 'tree' && this.registry.profile.major >= 18) throw userError("No default view of type 'tree' could be found!");
      let view: ViewRow | undefined;
      if (typeof viewId === 'number' && viewId) {
        const row = this.viewRow(viewId);
        if (!row) throw missingError(`Record does not exist or has been deleted.\n(Record: ${recordsetRepr('ir.ui.view', [viewId])}, User: ${env.uid})`);
        view = primaryOf(src, row);
      } else view = this.defaultView(model.name, type === 'tree' ? 'list' : type);
      if (!view) throw userError(`No default view of type '${type}' could be found!`);
      const arch = combinePrimary(src, view);
      const fields = postprocess(arch, this.registry.has(view.model) ? this.registry.model(view.model) : model, this.viewEnv(env), origins);
      for (const [m, names] of fields) {
        const all = used.get(m) ?? new Set<string>();
        for (const n of names) all.add(n);
        used.set(m, all);
      }
      answer[type] = { arch: serializeXml(arch), id: view.id, model: view.model };
    }
    const models: Record<string, unknown> = {};
    for (const [m, names] of used) {
      const fields = describeFields(this.registry.model(m), env, [...names], null);
      models[m] = this.registry.profile.major === 17 ? fields : { fields };
    }
    return { views: answer, models };
  }
}

/** Gives every model Odoo's `get_views(views, options=None)`. */
function registerGetViews(registry: Registry, views: IrUiView): void {
  for (const name of registry.modelNames()) {
    const model = registry.model(name);
    if (model.methods.has('get_views')) continue;
    const sig: MethodSig = {
      api: 'model', params: ['views', 'options'], defaults: { options: null }, qualname: 'BaseModel.get_views',
      impl: (c) => views.getViews(c.env, model, c.p.views),
    };
    model.methods.set('get_views', sig);
  }
}

/** ir.model.fields that refuses to remove a field a view still shows (Odoo's `_prepare_update`). */
export class IrModelFieldsWithViews extends IrModelFields {
  override beforeUnlink(env: Env, ids: number[]): void {
    const fields = ids.map((id) => this.table.get(id)).filter((r): r is Rec => Boolean(r && r.state === 'manual')).map((r) => ({ model: String(r.model), name: String(r.name) }));
    if (this.registry.has('ir.ui.view')) (this.registry.model('ir.ui.view') as IrUiView).checkFieldRemoval(env, fields);
    super.beforeUnlink(env, ids);
    // Company-dependent values go with the field too (the base class drops the plain ones).
    for (const { model, name } of fields) {
      if (!this.registry.has(model)) continue;
      for (const rec of this.registry.model(model).table.rows.values()) {
        const byCompany = rec.__company as Record<string, unknown> | undefined;
        if (byCompany && name in byCompany) {
          delete byCompany[name];
          if (!Object.keys(byCompany).length) delete rec.__company;
        }
      }
    }
  }
}
