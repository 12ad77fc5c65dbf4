/**
 * The technical models provisioning uses: ir.model (one row per emulated model), ir.model.fields (a row per field;
 * creating an `x_` field adds a real field to its model at once, with `copied` and, from 18, `company_dependent`
 * honoured; a name without `x_` is refused; unlinking removes the field and its xmlid) and ir.model.data (xmlids,
 * `check_object_reference`).
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import type { FieldSpec, FieldType } from '../orm/fields.ts';
import { fieldFromSpec } from '../orm/fields.ts';
import { validationError, valueError } from '../errors/odoo.errors.ts';

export class IrModel extends Model {
  readonly name = 'ir.model';
  description = 'Models';
  order = 'model';
  override recName = 'name';
  protected override aclDenied = { read: true, write: true, create: true, unlink: true };

  override fieldSpecs(): Record<string, FieldSpec> {
    return {
      name: { type: 'char', string: 'Model Description', required: true },
      model: { type: 'char', string: 'Model', required: true },
      state: { type: 'selection', string: 'Type', selection: [['manual', 'Custom Object'], ['base', 'Base Object']] },
      transient: { type: 'boolean', string: 'Transient Model' },
      info: { type: 'text', string: 'Information' },
      field_id: { type: 'one2many', relation: 'ir.model.fields', relationField: 'model_id', string: 'Fields' },
      modules: { type: 'char', string: 'In Apps', store: false },
    };
  }

  /** One row per emulated model (recorded ids kept, the others numbered after them). */
  ensureRows(): void {
    const byModel = new Map([...this.table.rows.values()].map((r) => [r.model, r]));
    let next = Math.max(1000, ...this.table.rows.keys()) + 1;
    for (const name of this.registry.modelNames().sort()) {
      const model = this.registry.model(name);
      const existing = byModel.get(name);
      if (existing) {
        if (existing.transient === undefined) this.table.update(existing.id, { transient: model.transient, state: 'base' });
        continue;
      }
      this.table.insert({ id: next++, model: name, name: model.description || name, state: 'base', transient: model.transient });
    }
  }

  idOf(model: string): number | undefined {
    for (const r of this.table.rows.values()) if (r.model === model) return r.id;
    return undefined;
  }
}

const TTYPES: FieldType[] = ['char', 'text', 'html', 'integer', 'float', 'monetary', 'boolean', 'date', 'datetime', 'selection', 'many2one', 'one2many', 'many2many', 'binary', 'json'];

export class IrModelFields extends Model {
  readonly name = 'ir.model.fields';
  description = 'Fields';
  order = 'name';
  override recName = 'field_description';
  protected override aclDenied = { write: true, create: true, unlink: true };

  override defaults(): Record<string, unknown> {
    const d: Record<string, unknown> = { state: 'manual', store: true, readonly: false, required: false, index: false, copied: false, size: 0, on_delete: 'set null' };
    if (this.fields.has('translate')) d.translate = false;
    if (this.fields.has('company_dependent')) d.company_dependent = false;
    return d;
  }

  override displayName(rec: Rec): string {
    return `${rec.field_description} (${rec.model})`;
  }

  override compute(field: string, rec: Rec): unknown {
    if (field === 'model' && !rec.model && rec.model_id) return this.registry.model('ir.model').table.get(rec.model_id as number)?.model ?? false;
    return NOT_COMPUTED;
  }

  /** A row for every field of every model (state "base"), numbered from 1. */
  ensureRows(env: Env): void {
    if (this.table.rows.size) return;
    const irModel = this.registry.model('ir.model') as IrModel;
    let id = 1;
    for (const name of this.registry.modelNames().sort()) {
      const model = this.registry.model(name);
      for (const fname of model.readableFieldNames()) {
        const f = model.fields.get(fname)!;
        this.table.insert({
          id: id++, name: fname, model: name, model_id: irModel.idOf(name) ?? false, field_description: f.string, ttype: f.type,
          relation: f.relation ?? false, relation_field: f.relationField ?? false, state: 'base', store: f.store, readonly: f.readonly,
          required: f.required, index: false, copied: f.copy, size: 0, translate: this.fields.get('translate')?.type === 'selection' ? (f.translate ? (f.type === 'html' ? 'html_translate' : 'standard') : false) : f.translate,
          ...(this.fields.has('company_dependent') ? { company_dependent: f.companyDependent } : {}),
          create_date: env.now, write_date: env.now, create_uid: 1, write_uid: 1,
        });
      }
    }
  }

  override checkAccess(env: Env, op: 'read' | 'write' | 'create' | 'unlink'): void {
    // Creating a field first reads ir.model: a user without rights gets ir.model's refusal.
    if (op === 'create' && !this.canAccess(env, op)) this.registry.model('ir.model').checkAccess(env, 'read');
    super.checkAccess(env, op);
  }

  override beforeCreate(env: Env, vals: Record<string, unknown>): Record<string, unknown> {
    const name = String(vals.name ?? '');
    if ((vals.state ?? 'manual') === 'manual' && !name.startsWith('x_')) throw validationError("The operation cannot be completed: Custom fields must have a name that starts with 'x_'!");
    const irModel = env.model('ir.model');
    const target = irModel.table.get(vals.model_id as number);
    if (!target) throw valueError(`Invalid model_id ${String(vals.model_id)}`);
    vals.model = target.model;
    if (!TTYPES.includes(vals.ttype as FieldType)) throw valueError(`Wrong value for ir.model.fields.ttype: '${String(vals.ttype)}'`);
    if (this.fields.get('translate')?.type === 'selection' && vals.translate === true) vals.translate = 'standard';
    vals.field_description ??= name;
    return vals;
  }

  override afterCreate(env: Env, id: number): void {
    const rec = this.table.get(id)!;
    if (rec.state !== 'manual') return;
    const model = env.model(rec.model as string);
    const selection = typeof rec.selection === 'string' ? parseSelection(rec.selection) : undefined;
    const field = fieldFromSpec(rec.name as string, {
      type: rec.ttype as FieldType,
      string: rec.field_description as string,
      relation: (rec.relation as string) || undefined,
      relationField: (rec.relation_field as string) || undefined,
      store: rec.store !== false,
      readonly: Boolean(rec.readonly),
      required: Boolean(rec.required),
      selection,
      companyDependent: Boolean(rec.company_dependent),
      translate: Boolean(rec.translate),
      manual: true,
      copy: Boolean(rec.copied),
      help: (rec.help as string) || undefined,
    });
    model.addField(field);
  }

  override beforeUnlink(env: Env, ids: number[]): void {
    for (const id of ids) {
      const rec = this.table.get(id)!;
      if (rec.state !== 'manual' || !env.registry.has(rec.model as string)) continue;
      const model = env.model(rec.model as string);
      model.removeField(rec.name as string);
      for (const r of model.table.rows.values()) if (rec.name as string in r) delete r[rec.name as string];
    }
  }
}

function parseSelection(text: string): [string, string][] | undefined {
  const pairs = [...text.matchAll(/\(\s*['"]([^'"]*)['"]\s*,\s*['"]([^'"]*)['"]\s*\)/g)].map((m) => [m[1], m[2]] as [string, string]);
  return pairs.length ? pairs : undefined;
}

export class IrModelData extends Model {
  readonly name = 'ir.model.data';
  description = 'Model Data';
  order = 'module, model, name';
  override recName = 'complete_name';

  override defaults(): Record<string, unknown> {
    return { noupdate: false };
  }

  override compute(field: string, rec: Rec): unknown {
    if (field === 'complete_name') return `${rec.module}.${rec.name}`;
    if (field === 'reference') return `${rec.model},${rec.res_id}`;
    return NOT_COMPUTED;
  }

  override checkConstraints(_env: Env, ids: number[]): void {
    for (const id of ids) {
      const rec = this.table.get(id)!;
      const same = [...this.table.lookup('name', rec.name)].filter((o) => o !== id && this.table.get(o)!.module === rec.module);
      if (same.length) throw validationError('The operation cannot be completed: You cannot have multiple records with the same external ID!');
    }
  }

  lookup(xmlid: string): Rec | undefined {
    const [module, name] = xmlid.split('.');
    for (const id of this.table.lookup('name', name)) {
      const r = this.table.get(id)!;
      if (r.module === module) return r;
    }
    return undefined;
  }

  protected override registerMethods(): void {
    this.method('check_object_reference', {
      api: 'model', params: ['module', 'xml_id', 'raise_on_access_error'], defaults: { raise_on_access_error: false }, qualname: 'IrModelData.check_object_reference',
      impl: (c) => {
        const r = this.lookup(`${c.p.module}.${c.p.xml_id}`);
        if (!r) throw valueError(`External ID not found in the system: ${c.p.module}.${c.p.xml_id}`);
        return [r.model, r.res_id];
      },
    });
  }
}
