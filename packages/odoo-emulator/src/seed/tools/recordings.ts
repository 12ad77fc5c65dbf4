/**
 * Dev-time helpers to read the recordings of real Odoo servers (`recordings/odoo17|18|19/`). Used only by the seed
 * extraction tools in this folder, never by the emulator at run time.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export type Version = 17 | 18 | 19;

export interface Exchange {
  title: string;
  endpoint: string;
  request_headers?: Record<string, string>;
  request: unknown;
  http_status: number;
  response_content_type: string;
  response_location?: string;
  response_headers?: Record<string, string>;
  response: unknown;
  notes?: string[];
}

export interface RecordingFile {
  file: string;
  description: string;
  exchanges: Exchange[];
}

/** The order the recorder ran the files in (JSON-RPC ids rise in this order); later files see earlier changes. */
export const RUN_ORDER = [
  'common.json',
  'reads/products.json',
  'reads/partners_users_company.json',
  'reads/stock_delivery.json',
  'reads/taxes.json',
  'reads/search_patterns.json',
  'reads/renames_19.json',
  'flows/a_partner_create.json',
  'flows/b_sale_order.json',
  'flows/c_delivery_pack_validate.json',
  'flows/d_invoice.json',
  'flows/e_attachment_chatter.json',
  'flows/f_tax_compute_all.json',
  'flows/g_custom_field_and_view.json',
  'flows/h_server_actions_webhooks.json',
  'flows/i_cancel_order.json',
  'flows/j_product_types.json',
  'errors.json',
  'jsonrpc_legacy.json',
  'z_cleanup.json',
];

export function recordingsDir(root: string, version: Version): string {
  return join(root, `odoo${version}`);
}

export function loadRecording(root: string, version: Version, file: string): RecordingFile | null {
  const path = join(recordingsDir(root, version), file);
  if (!existsSync(path)) return null;
  const data = JSON.parse(readFileSync(path, 'utf8')) as { description: string; exchanges: Exchange[] };
  return { file, description: data.description, exchanges: data.exchanges };
}

export function loadRunOrder(root: string, version: Version): RecordingFile[] {
  return RUN_ORDER.map((f) => loadRecording(root, version, f)).filter((f): f is RecordingFile => f !== null);
}

/** `fields_get` answers per model, as recorded (attribute objects, field order kept). */
export function loadFieldsGet(root: string, version: Version): Record<string, Record<string, Record<string, unknown>>> {
  const dir = join(recordingsDir(root, version), 'fields_get');
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const data = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { exchanges: Exchange[] };
    const response = parseBody(data.exchanges[0].response) as Record<string, unknown>;
    const result = ('result' in response ? response.result : response) as Record<string, Record<string, unknown>>;
    out[name.slice(0, -'.json'.length)] = result;
  }
  return out;
}

export function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

export interface CallInfo {
  transport: 'jsonrpc' | 'json2';
  model: string;
  method: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  uid: number;
}

/** Model, method and parameters of an `execute_kw` or JSON-2 exchange; null for anything else. */
export function callOf(ex: Exchange): CallInfo | null {
  const req = parseBody(ex.request) as Record<string, any> | null;
  if (ex.endpoint === 'POST /jsonrpc' && req?.params?.service === 'object') {
    const a = req.params.args as unknown[];
    if (req.params.method === 'execute_kw') {
      return { transport: 'jsonrpc', model: a[3] as string, method: a[4] as string, args: (a[5] as unknown[]) ?? [], kwargs: (a[6] as Record<string, unknown>) ?? {}, uid: a[1] as number };
    }
    if (req.params.method === 'execute') return { transport: 'jsonrpc', model: a[3] as string, method: a[4] as string, args: a.slice(5), kwargs: {}, uid: a[1] as number };
  }
  const m = /^POST \/json\/2\/([^/]+)\/([^/]+)$/.exec(ex.endpoint);
  if (m) {
    const body = (req && typeof req === 'object' && !Array.isArray(req) ? req : {}) as Record<string, unknown>;
    const { ids, ...rest } = body;
    return { transport: 'json2', model: m[1], method: m[2], args: ids === undefined ? [] : [ids], kwargs: rest, uid: 2 };
  }
  return null;
}

/** The successful result of an exchange (JSON-RPC `result`, or the JSON-2 body), or undefined on error. */
export function resultOf(ex: Exchange): unknown {
  const body = parseBody(ex.response);
  if (ex.endpoint === 'POST /jsonrpc' || ex.endpoint.startsWith('POST /web/')) {
    if (body && typeof body === 'object' && 'result' in (body as object)) return (body as { result: unknown }).result;
    return undefined;
  }
  if (ex.http_status !== 200) return undefined;
  return body;
}
