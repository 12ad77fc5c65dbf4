/**
 * Field definitions. Each model's fields come from the version's recorded `fields_get` (name, type, relation,
 * store, required, readonly, selection, company_dependent...), completed by the model file (computations, defaults,
 * whether a value is copied) and, for models the recordings did not describe, by the model file alone.
 */

export type FieldType =
  | 'char' | 'text' | 'html' | 'integer' | 'float' | 'monetary' | 'boolean' | 'date' | 'datetime' | 'selection'
  | 'many2one' | 'one2many' | 'many2many' | 'binary' | 'json' | 'properties' | 'properties_definition' | 'reference'
  | 'many2one_reference';

export type SelectionItem = [string | number | false, string];

export interface Field {
  name: string;
  type: FieldType;
  string: string;
  relation?: string;
  /** one2many: the many2one on the comodel that points back. */
  relationField?: string;
  store: boolean;
  readonly: boolean;
  required: boolean;
  selection?: SelectionItem[];
  companyDependent: boolean;
  translate: boolean;
  /** Created through ir.model.fields (x_...). */
  manual: boolean;
  /** Copied by `copy()` (Odoo's `copy=` attribute; custom fields: `copied`). */
  copy: boolean;
  help?: string;
  /** Digits a float is rounded to when written (e.g. sale line price_unit in 17/18). */
  digits?: number;
  /** The attributes `fields_get` answers, as recorded (keys sorted). */
  attrs: Record<string, unknown>;
}

export type FieldSpec = Partial<Omit<Field, 'name' | 'attrs'>> & { type: FieldType; attrs?: Record<string, unknown> };

/** `false` for empty values, `0` for numbers, `[]` for x2many: what a field holds when nothing was written. */
export function emptyValue(type: FieldType): unknown {
  switch (type) {
    case 'integer':
    case 'float':
    case 'monetary':
      return 0;
    case 'one2many':
    case 'many2many':
      return [];
    case 'boolean':
      return false;
    case 'json':
    case 'properties':
    case 'properties_definition':
      return false;
    default:
      return false;
  }
}

export const RELATIONAL = new Set<FieldType>(['many2one', 'one2many', 'many2many']);
export const X2MANY = new Set<FieldType>(['one2many', 'many2many']);

/** Builds a field from a recorded `fields_get` entry. */
export function fieldFromRecorded(name: string, attrs: Record<string, unknown>): Field {
  return {
    name,
    type: attrs.type as FieldType,
    string: (attrs.string as string) ?? name,
    relation: attrs.relation as string | undefined,
    relationField: attrs.relation_field as string | undefined,
    store: attrs.store !== false,
    readonly: attrs.readonly === true,
    required: attrs.required === true,
    selection: attrs.selection as SelectionItem[] | undefined,
    companyDependent: attrs.company_dependent === true,
    translate: attrs.translate === true,
    manual: false,
    copy: !['one2many'].includes(attrs.type as string) && !['id', 'create_date', 'write_date', 'create_uid', 'write_uid', 'display_name'].includes(name),
    attrs,
  };
}

/** A field the recordings do not describe, with the attributes `fields_get` would give it. */
export function fieldFromSpec(name: string, spec: FieldSpec): Field {
  const field: Field = {
    name,
    type: spec.type,
    string: spec.string ?? name.replace(/_id$|_ids$/, '').replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
    relation: spec.relation,
    relationField: spec.relationField,
    store: spec.store ?? true,
    readonly: spec.readonly ?? false,
    required: spec.required ?? false,
    selection: spec.selection,
    companyDependent: spec.companyDependent ?? false,
    translate: spec.translate ?? false,
    manual: spec.manual ?? false,
    copy: spec.copy ?? spec.type !== 'one2many',
    help: spec.help,
    digits: spec.digits,
    attrs: {},
  };
  field.attrs = spec.attrs ?? standardAttrs(field);
  return field;
}

/** The attributes of the recorded `fields_get` requests, derived from a field (for fields created at run time). */
export function standardAttrs(f: Field): Record<string, unknown> {
  const a: Record<string, unknown> = {
    company_dependent: f.companyDependent,
    default_export_compatible: false,
    readonly: f.readonly,
  };
  if (f.relation) a.relation = f.relation;
  if (f.type === 'one2many' && f.relationField) a.relation_field = f.relationField;
  a.required = f.required;
  if (f.selection) a.selection = f.selection;
  a.store = f.store;
  a.string = f.string;
  if (['char', 'text', 'html'].includes(f.type)) a.translate = f.translate;
  a.type = f.type;
  if (f.help) a.help = f.help;
  if (f.manual) a.manual = true;
  return sortKeys(a);
}

export function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
