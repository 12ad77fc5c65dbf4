import { ValidationError } from '../shared/errors.ts';
import { present } from '../shared/assert.ts';

/**
 * JSON-2 takes named parameters only (no positional `args`), with two reserved names: `ids` (the records a method
 * runs on) and `context`. Callers use execute_kw's shape (`args`, `kwargs`) on every version; this table names the
 * positional arguments of the methods the connector calls, with 19's names (`vals_list`, `domain` for name_search…).
 */
interface MethodSignature {
  /** Record methods take the ids as their first positional argument. */
  onRecords: boolean;
  /** Names of the remaining positional arguments, in order. */
  params: readonly string[];
}

const SIGNATURES: Record<string, MethodSignature> = {
  search_read: { onRecords: false, params: ['domain', 'fields', 'offset', 'limit', 'order'] },
  search: { onRecords: false, params: ['domain', 'offset', 'limit', 'order'] },
  search_count: { onRecords: false, params: ['domain', 'limit'] },
  search_fetch: { onRecords: false, params: ['domain', 'field_names', 'offset', 'limit', 'order'] },
  read: { onRecords: true, params: ['fields', 'load'] },
  create: { onRecords: false, params: ['vals_list'] },
  write: { onRecords: true, params: ['vals'] },
  unlink: { onRecords: true, params: [] },
  copy: { onRecords: true, params: ['default'] },
  fields_get: { onRecords: false, params: ['allfields', 'attributes'] },
  read_group: { onRecords: false, params: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'] },
  formatted_read_group: { onRecords: false, params: ['domain', 'groupby', 'aggregates', 'having', 'offset', 'limit', 'order'] },
  name_search: { onRecords: false, params: ['name', 'domain', 'operator', 'limit'] },
  name_create: { onRecords: false, params: ['name'] },
  default_get: { onRecords: false, params: ['fields'] },
  context_get: { onRecords: false, params: [] },
  check_access_rights: { onRecords: false, params: ['operation', 'raise_exception'] },
  has_access: { onRecords: true, params: ['operation'] },
  has_group: { onRecords: true, params: ['group_ext_id'] },
  web_search_read: { onRecords: false, params: ['domain', 'specification', 'offset', 'limit', 'order', 'count_limit'] },
  compute_all: { onRecords: true, params: ['price_unit', 'currency', 'quantity', 'product', 'partner', 'is_refund', 'handle_price_include'] },
  message_post: { onRecords: true, params: [] },
  action_archive: { onRecords: true, params: [] },
  action_unarchive: { onRecords: true, params: [] },
};

/** Keyword names execute_kw accepts that JSON-2 (19) renamed. */
const RENAMED_KWARGS: Record<string, Record<string, string>> = {
  name_search: { args: 'domain' },
};

/**
 * Builds the JSON-2 body of a call given in execute_kw's shape. Unknown methods are record methods when their first
 * argument is an id or a list of ids (action_confirm, button_validate…); any further positional argument must be named.
 */
export function toJson2Body(model: string, method: string, args: readonly unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  const signature = SIGNATURES[method];
  const body: Record<string, unknown> = {};
  let rest = [...args];
  const onRecords = signature ? signature.onRecords : looksLikeIds(rest[0]);
  if (onRecords && rest.length > 0) {
    body.ids = rest[0];
    rest = rest.slice(1);
  }
  const names = signature?.params ?? [];
  if (rest.length > names.length) {
    throw new ValidationError(`${model}.${method}: JSON-2 takes named parameters only; pass the arguments after the ids as kwargs`);
  }
  // rest is no longer than names (checked above), so every value has its name.
  rest.forEach((value, i) => {
    body[present(names[i], 'one parameter name per positional argument')] = value;
  });
  const renames = RENAMED_KWARGS[method] ?? {};
  for (const [key, value] of Object.entries(kwargs)) {
    if (value === undefined) continue;
    body[renames[key] ?? key] = value;
  }
  return body;
}

function looksLikeIds(value: unknown): boolean {
  if (typeof value === 'number' && Number.isInteger(value)) return true;
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v));
}
