/**
 * `fields_get(allfields, attributes)`: the recorded attributes of each field (as the real server answered them), a
 * subset when `attributes` names some, and a full description (every attribute Odoo returns) when it names none.
 */
import type { Env } from './env.ts';
import type { Model } from './model.ts';
import type { Field } from './fields.ts';
import { sortKeys } from './fields.ts';

export function describeFields(model: Model, env: Env, allfields: unknown, attributes: unknown): Record<string, Record<string, unknown>> {
  const wanted = Array.isArray(allfields) && allfields.length ? new Set(allfields.map(String)) : null;
  const attrs = Array.isArray(attributes) && attributes.length ? attributes.map(String) : null;
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of model.readableFieldNames()) {
    if (wanted && !wanted.has(name)) continue;
    const field = model.fields.get(name)!;
    const full = fullDescription(model, field, env);
    if (!attrs) {
      out[name] = full;
      continue;
    }
    const entry: Record<string, unknown> = {};
    for (const a of attrs) {
      if (a in field.attrs) entry[a] = field.attrs[a];
      else if (a in full) entry[a] = full[a];
    }
    out[name] = sortKeys(entry);
  }
  return out;
}

function fullDescription(model: Model, field: Field, env: Env): Record<string, unknown> {
  const relational = field.type === 'many2one' || field.type === 'many2many' || field.type === 'one2many';
  const d: Record<string, unknown> = {
    change_default: false,
    company_dependent: field.companyDependent,
    default_export_compatible: false,
    depends: field.name === 'display_name' ? model.displayDepends() : [],
    exportable: true,
    manual: field.manual,
    name: field.name,
    readonly: field.readonly,
    required: field.required,
    searchable: field.store || (field.name === 'display_name' && env.profile.major >= 18),
    sortable: field.store && field.type !== 'one2many' && field.type !== 'many2many',
    store: field.store,
    string: field.string,
    type: field.type,
  };
  if (env.profile.major >= 18) {
    d.groupable = field.store && !['one2many', 'many2many', 'binary', 'html', 'text'].includes(field.type);
    if (field.type === 'many2one' || field.type === 'many2many') {
      const comodel = env.registry.has(field.relation!) ? env.model(field.relation!) : null;
      d.allow_hierachy_operators = Boolean(comodel?.fields.has(comodel.parentField)) || field.relation === 'res.users';
    }
  }
  if (relational) {
    d.relation = field.relation;
    d.context = {};
    d.domain = [];
    if (field.type === 'one2many') d.relation_field = field.relationField;
  }
  if (field.selection) d.selection = field.selection;
  if (['char', 'text', 'html'].includes(field.type)) d.translate = field.translate;
  if (field.type === 'char') d.trim = true;
  const help = field.help ?? (field.attrs.help as string | undefined);
  if (help) d.help = help;
  return sortKeys(d);
}
