/**
 * Replays recorded Odoo exchanges (`recordings/odoo17|18|19/`) against the emulator and compares the answers.
 *
 * What "the same" means (each relaxation is deliberate and named):
 * - Ids of records the replay creates are compared through a recorded→emulator map learnt on first sight and kept
 *   one-to-one (the emulator does not create what the skipped flows created, so its ids can differ). Ids of records
 *   in the seed (extracted from the same recordings) must be equal. Requests are rewritten through the same map.
 * - Timestamps of the recording day (create_date, write_date, date_order after confirmation...) match any timestamp;
 *   other datetimes (a date_order written back) must be equal. Likewise a date of the recording day (a package's
 *   `pack_date`, "today" when it was made) matches any date.
 * - Tracebacks (`debug`) are compared by their last line (`<exception>: <message>`); the frames are the emulator's.
 * - HTML bodies the recorder cut are compared on the part recorded.
 * - Exchanges listed in the rules are compared by shape (same keys and types), by status only, or not at all, each
 *   with the reason written next to it.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RUN_ORDER, type Exchange } from '../../src/seed/tools/recordings.ts';
import type { OdooEmulator } from '../../src/emulator.ts';

/** The recordings of real Odoo servers, kept byte for byte at the repository's root (recordings/README.md). */
export const RECORDINGS = resolve(import.meta.dirname, '..', '..', '..', '..', 'recordings');

export type Mode = 'exact' | 'shape' | 'status' | 'skip';

export interface Rule {
  /** `file#index` or a substring of the exchange title. */
  match: string;
  mode: Mode;
  reason: string;
  /** Only for these versions (default: all). */
  versions?: number[];
}

export interface ExchangeOutcome {
  file: string;
  index: number;
  title: string;
  mode: Mode;
  problems: string[];
}

interface Ctx {
  emu: OdooEmulator;
  version: number;
  runDay: string;
  ids: Map<string, number>;
  back: Map<string, number>;
  seeded: Map<string, Set<number>>;
  recordedDb: string;
}

export function recordingExists(version: number, file: string): boolean {
  return existsSync(join(RECORDINGS, `odoo${version}`, file));
}

export function loadExchanges(version: number, file: string): Exchange[] {
  const data = JSON.parse(readFileSync(join(RECORDINGS, `odoo${version}`, file), 'utf8')) as { exchanges: Exchange[] };
  return data.exchanges;
}

/** Replays the given files (in the recorder's run order) and returns one outcome per exchange. */
export class Replayer {
  private ctx: Ctx;
  private portalKey: string | null = null;

  constructor(emu: OdooEmulator, private rules: Rule[]) {
    const seeded = new Map<string, Set<number>>();
    for (const name of emu.state.modelNames()) seeded.set(name, new Set(emu.state.model(name).table.rows.keys()));
    this.ctx = { emu, version: emu.version, runDay: '2026-11-27', ids: new Map(), back: new Map(), seeded, recordedDb: { 17: 'poleepo17', 18: 'poleepo_test', 19: 'poleepo19' }[emu.version]! };
  }

  static ordered(files: string[]): string[] {
    return [...files].sort((a, b) => RUN_ORDER.indexOf(a) - RUN_ORDER.indexOf(b));
  }

  async replayFile(file: string): Promise<ExchangeOutcome[]> {
    const out: ExchangeOutcome[] = [];
    const exchanges = loadExchanges(this.ctx.version, file);
    for (let i = 0; i < exchanges.length; i++) {
      const ex = exchanges[i];
      if (ex.endpoint === 'webhook received from Odoo') continue;
      const rule = this.ruleFor(file, i, ex.title);
      const mode = rule?.mode ?? 'exact';
      if (mode === 'skip') {
        out.push({ file, index: i, title: ex.title, mode, problems: [] });
        continue;
      }
      const problems = await this.replayOne(ex, mode);
      out.push({ file, index: i, title: ex.title, mode, problems });
    }
    return out;
  }

  private ruleFor(file: string, index: number, title: string): Rule | undefined {
    return this.rules.find((r) => (!r.versions || r.versions.includes(this.ctx.version)) && (r.match === `${file}#${index}` || title.includes(r.match)));
  }

  private async replayOne(ex: Exchange, mode: Mode): Promise<string[]> {
    const { method, path } = splitEndpoint(ex.endpoint);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(ex.request_headers ?? {})) headers[k] = this.substitute(v);
    let body: string | undefined;
    if (ex.request !== null && ex.request !== undefined) {
      // The recorder stored a JSON string body as a string; every other string is a raw (non-JSON) body.
      if (typeof ex.request === 'string') body = /JSON string as the body/.test(ex.title) ? JSON.stringify(ex.request) : this.substitute(ex.request);
      else if (Array.isArray(ex.request)) body = JSON.stringify(ex.request);
      else {
        const translated = this.translateRequest(ex, JSON.parse(this.substitute(JSON.stringify(ex.request))));
        body = JSON.stringify(translated);
      }
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type') && !(path.startsWith('/json/2') && ex.request_headers)) headers['Content-Type'] = 'application/json';
    }
    if (headers.Cookie) headers.Cookie = headers.Cookie.replace('<session-id>', await this.sessionId());
    const res = await fetch(this.ctx.emu.url + path, { method, headers, body: method === 'GET' ? undefined : body, redirect: 'manual' });
    const text = await res.text();
    const problems: string[] = [];
    if (res.status !== ex.http_status) problems.push(`status ${res.status}, recorded ${ex.http_status}`);
    const ctype = res.headers.get('content-type') ?? '';
    if (ctype.replace(/\s/g, '') !== ex.response_content_type.replace(/\s/g, '')) problems.push(`content-type "${ctype}", recorded "${ex.response_content_type}"`);
    if (ex.response_location && res.headers.get('location') !== ex.response_location) problems.push(`location ${res.headers.get('location')}, recorded ${ex.response_location}`);
    if (mode === 'status') return problems;
    const recordedText = typeof ex.response === 'string' ? ex.response : null;
    let recorded: unknown = ex.response;
    if (recordedText !== null) {
      try {
        recorded = JSON.parse(recordedText);
      } catch {
        const cut = (ex.notes ?? []).some((n) => n.includes('cut to its first'));
        if (cut ? !text.startsWith(recordedText) : text !== recordedText) problems.push(`body differs: ${JSON.stringify(text.slice(0, 200))} vs recorded ${JSON.stringify(recordedText.slice(0, 200))}`);
        return problems;
      }
    }
    let actual: unknown;
    try {
      actual = JSON.parse(text);
    } catch {
      problems.push(`not JSON: ${text.slice(0, 200)}`);
      return problems;
    }
    const call = callInfo(ex);
    const resultModel = call?.model;
    if (mode === 'shape') {
      shapeCompare(recorded, actual, '$', problems);
      this.learnTop(ex, call, recorded, actual);
      return problems;
    }
    if (path === '/jsonrpc' || path.startsWith('/web/')) {
      const r = recorded as Record<string, unknown>;
      const a = actual as Record<string, unknown>;
      if (JSON.stringify(Object.keys(r)) !== JSON.stringify(Object.keys(a))) problems.push(`envelope keys ${JSON.stringify(Object.keys(a))}, recorded ${JSON.stringify(Object.keys(r))}`);
      if (r.id !== a.id) problems.push(`id ${JSON.stringify(a.id)}, recorded ${JSON.stringify(r.id)}`);
      if ('error' in r) this.compareError(r.error as Record<string, unknown>, a.error as Record<string, unknown>, problems, true);
      else this.compareResult(call, r.result, a.result, problems, resultModel);
    } else if (ex.http_status >= 400 && recorded && typeof recorded === 'object' && 'debug' in (recorded as object)) {
      this.compareError({ data: recorded }, { data: actual }, problems, false);
    } else this.compareResult(call, recorded, actual, problems, resultModel);
    return problems;
  }

  private compareError(r: Record<string, unknown>, a: Record<string, unknown> | undefined, problems: string[], envelope: boolean): void {
    if (!a) {
      problems.push('no error in the answer');
      return;
    }
    if (envelope) {
      for (const k of ['code', 'message']) if (r[k] !== a[k]) problems.push(`error.${k} ${JSON.stringify(a[k])}, recorded ${JSON.stringify(r[k])}`);
    }
    const rd = r.data as Record<string, unknown>;
    const ad = a.data as Record<string, unknown>;
    if (JSON.stringify(Object.keys(rd)) !== JSON.stringify(Object.keys(ad ?? {}))) problems.push(`error data keys ${JSON.stringify(Object.keys(ad ?? {}))}, recorded ${JSON.stringify(Object.keys(rd))}`);
    for (const k of ['name', 'message']) if (rd[k] !== ad?.[k]) problems.push(`error ${k} ${JSON.stringify(ad?.[k])}, recorded ${JSON.stringify(rd[k])}`);
    if (JSON.stringify(rd.arguments) !== JSON.stringify(ad?.arguments)) problems.push(`error arguments ${JSON.stringify(ad?.arguments)}, recorded ${JSON.stringify(rd.arguments)}`);
    if (!deepEqual(normalizeContext(rd.context), normalizeContext(ad?.context))) problems.push(`error context ${JSON.stringify(ad?.context)}, recorded ${JSON.stringify(rd.context)}`);
    const lastLine = (s: unknown) => String(s ?? '').trimEnd().split('\n').slice(-1)[0];
    const debug = String(ad?.debug ?? '');
    if (!debug.startsWith('Traceback (most recent call last):\n')) problems.push('debug is not a traceback');
    if (lastLine(rd.debug) !== lastLine(ad?.debug)) problems.push(`traceback ends ${JSON.stringify(lastLine(ad?.debug))}, recorded ${JSON.stringify(lastLine(rd.debug))}`);
  }

  // ------------------------------------------------------------------ id-aware comparison

  private compareResult(call: CallLite | null, recorded: unknown, actual: unknown, problems: string[], model?: string): void {
    const m = call?.method;
    if (call && model && (m === 'create' || m === 'search' || m === 'copy') && isIdish(recorded)) {
      this.compareIds(model, recorded, actual, '$', problems);
      return;
    }
    if (call && m === 'message_post') {
      this.compareIds('mail.message', recorded, actual, '$', problems);
      return;
    }
    if (call && m === 'name_search' && Array.isArray(recorded) && Array.isArray(actual)) {
      if (recorded.length !== actual.length) problems.push(`name_search: ${actual.length} results, recorded ${recorded.length}`);
      recorded.forEach((pair, i) => {
        const got = actual[i] as [number, string] | undefined;
        if (!got) return;
        this.compareIds(model!, (pair as [number, string])[0], got[0], `$[${i}][0]`, problems);
        if ((pair as [number, string])[1] !== got[1]) problems.push(`$[${i}][1] ${JSON.stringify(got[1])}, recorded ${JSON.stringify((pair as [number, string])[1])}`);
      });
      return;
    }
    if (call && m === 'address_get' && recorded && typeof recorded === 'object') {
      if (JSON.stringify(Object.keys(recorded)) !== JSON.stringify(Object.keys(actual as object))) problems.push(`keys ${JSON.stringify(Object.keys(actual as object))}, recorded ${JSON.stringify(Object.keys(recorded))}`);
      for (const [k, v] of Object.entries(recorded)) this.compareIds('res.partner', v, (actual as Record<string, unknown>)[k], `$.${k}`, problems);
      return;
    }
    this.compareValue(recorded, actual, '$', problems, model);
  }

  /** Compares a value; `model` says which model the objects (rows) at this position belong to. */
  private compareValue(r: unknown, a: unknown, path: string, problems: string[], model?: string): void {
    if (Array.isArray(r)) {
      if (!Array.isArray(a)) return void problems.push(`${path}: ${JSON.stringify(a)?.slice(0, 80)}, recorded a list`);
      if (r.length !== a.length) problems.push(`${path}: ${a.length} items, recorded ${r.length}`);
      for (let i = 0; i < Math.min(r.length, a.length); i++) this.compareValue(r[i], a[i], `${path}[${i}]`, problems, model);
      return;
    }
    if (r && typeof r === 'object') {
      if (!a || typeof a !== 'object' || Array.isArray(a)) return void problems.push(`${path}: ${JSON.stringify(a)?.slice(0, 80)}, recorded an object`);
      const rk = Object.keys(r);
      const ak = Object.keys(a);
      if (JSON.stringify(rk) !== JSON.stringify(ak)) problems.push(`${path}: keys ${JSON.stringify(ak)}, recorded ${JSON.stringify(rk)}`);
      for (const k of rk) {
        if (!(k in (a as object))) continue;
        const rv = (r as Record<string, unknown>)[k];
        const av = (a as Record<string, unknown>)[k];
        const field = model && k !== 'id' ? this.ctx.emu.state.field(model, k) : undefined;
        if (model && k === 'id') this.compareIds(model, rv, av, `${path}.id`, problems);
        else if (field?.type === 'many2one') {
          if (Array.isArray(rv) && Array.isArray(av)) {
            this.compareIds(field.relation!, rv[0], av[0], `${path}.${k}[0]`, problems);
            this.compareValue(rv[1], av[1], `${path}.${k}[1]`, problems);
          } else if (typeof rv === 'number') this.compareIds(field.relation!, rv, av, `${path}.${k}`, problems);
          else this.compareValue(rv, av, `${path}.${k}`, problems, field.relation);
        } else if (field && (field.type === 'one2many' || field.type === 'many2many') && Array.isArray(rv)) {
          if (rv.every((x) => typeof x === 'number')) this.compareIds(field.relation!, rv, av, `${path}.${k}`, problems);
          else this.compareValue(rv, av, `${path}.${k}`, problems, field.relation);
        } else if (k === '__domain' || k === '__extra_domain') this.compareDomain(model!, rv, av, `${path}.${k}`, problems);
        else if (k === 'res_id' && typeof rv === 'number') {
          const resModel = (r as Record<string, unknown>).res_model ?? (r as Record<string, unknown>).model;
          if (typeof resModel === 'string') this.compareIds(resModel, rv, av, `${path}.${k}`, problems);
          else this.compareValue(rv, av, `${path}.${k}`, problems);
        } else this.compareValue(rv, av, `${path}.${k}`, problems, field?.relation);
      }
      return;
    }
    if (!scalarEqual(r, a, this.ctx.runDay)) problems.push(`${path}: ${JSON.stringify(a)}, recorded ${JSON.stringify(r)}`);
  }

  private compareDomain(model: string, r: unknown, a: unknown, path: string, problems: string[]): void {
    if (!Array.isArray(r) || !Array.isArray(a) || r.length !== a.length) return void problems.push(`${path}: ${JSON.stringify(a)}, recorded ${JSON.stringify(r)}`);
    r.forEach((leaf, i) => {
      const got = a[i];
      if (!Array.isArray(leaf)) {
        if (leaf !== got) problems.push(`${path}[${i}]: ${JSON.stringify(got)}, recorded ${JSON.stringify(leaf)}`);
        return;
      }
      const target = this.leafModel(model, leaf[0]);
      if (leaf[0] !== got[0] || leaf[1] !== got[1]) problems.push(`${path}[${i}]: ${JSON.stringify(got)}, recorded ${JSON.stringify(leaf)}`);
      else if (target) this.compareIds(target, leaf[2], got[2], `${path}[${i}][2]`, problems);
      else if (!deepEqual(leaf[2], got[2])) problems.push(`${path}[${i}]: ${JSON.stringify(got)}, recorded ${JSON.stringify(leaf)}`);
    });
  }

  private compareIds(model: string, r: unknown, a: unknown, path: string, problems: string[]): void {
    if (Array.isArray(r)) {
      if (!Array.isArray(a) || a.length !== r.length) return void problems.push(`${path}: ${JSON.stringify(a)}, recorded ${JSON.stringify(r)}`);
      r.forEach((x, i) => this.compareIds(model, x, a[i], `${path}[${i}]`, problems));
      return;
    }
    if (typeof r !== 'number' || typeof a !== 'number') {
      if (!deepEqual(r, a)) problems.push(`${path}: ${JSON.stringify(a)}, recorded ${JSON.stringify(r)}`);
      return;
    }
    const key = `${model}:${r}`;
    const known = this.ctx.ids.get(key);
    if (known !== undefined) {
      if (known !== a) problems.push(`${path}: ${model} ${a}, expected ${known} (recorded ${r})`);
      return;
    }
    if (this.ctx.seeded.get(model)?.has(r)) {
      if (a !== r) problems.push(`${path}: ${model} ${a}, recorded ${r} (a seeded record)`);
      return;
    }
    const owner = this.ctx.back.get(`${model}:${a}`);
    if (owner !== undefined && owner !== r) return void problems.push(`${path}: ${model} ${a} already stands for recorded ${owner} (recorded ${r})`);
    this.ctx.ids.set(key, a);
    this.ctx.back.set(`${model}:${a}`, r);
  }

  private learnTop(ex: Exchange, call: CallLite | null, recorded: unknown, actual: unknown): void {
    if (!call) return;
    const r = unwrap(ex, recorded);
    const a = unwrap(ex, actual);
    if ((call.method === 'create' || call.method === 'copy') && isIdish(r)) this.compareIds(call.model, r, a, '$', []);
  }

  // ------------------------------------------------------------------ request rewriting

  private substitute(text: string): string {
    let out = text.replaceAll('<ADMIN_API_KEY>', this.ctx.emu.apiKey).replaceAll(`"${this.ctx.recordedDb}"`, `"${this.ctx.emu.db}"`);
    if (this.ctx.recordedDb && text.trim() === this.ctx.recordedDb) out = this.ctx.emu.db;
    if (out.includes('<PORTAL_TEST_API_KEY>')) out = out.replaceAll('<PORTAL_TEST_API_KEY>', this.portalApiKey());
    return out;
  }

  private session: string | null = null;

  /** A web session of the admin (the recorded session ids mean nothing here). */
  private async sessionId(): Promise<string> {
    if (this.session) return this.session;
    const res = await fetch(`${this.ctx.emu.url}/web/session/authenticate`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { db: this.ctx.emu.db, login: this.ctx.emu.login, password: this.ctx.emu.password }, id: 0 }),
    });
    await res.text();
    this.session = /session_id=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? 'none';
    return this.session;
  }

  /** 19's portal_test calls with its own key; keys cannot be made over the API, so the test gives it one. */
  private portalApiKey(): string {
    if (this.portalKey) return this.portalKey;
    const uid = this.ctx.emu.state.userByLogin('portal_test');
    if (uid === null) return 'no-portal-user';
    const keys = this.ctx.emu.state.model('res.users.apikeys').table;
    this.portalKey = 'portal-test-key-0000000000000000000000000';
    keys.insert({ id: keys.allocateId(), name: 'poleepo-recorder-portal-test', user_id: uid, scope: false, key: this.portalKey });
    return this.portalKey;
  }

  private mapId(model: string, v: unknown): unknown {
    if (typeof v !== 'number') return v;
    return this.ctx.ids.get(`${model}:${v}`) ?? v;
  }

  private translateRequest(ex: Exchange, req: Record<string, unknown>): unknown {
    const call = callInfo(ex);
    if (!call || !this.ctx.emu.state.has(call.model)) return req;
    const model = call.model;
    const sig = this.ctx.emu.state.model(model).methods.get(call.method);
    if (call.transport === 'json2') {
      const body = { ...req };
      if ('ids' in body) body.ids = Array.isArray(body.ids) ? body.ids.map((v) => this.mapId(model, v)) : this.mapId(model, body.ids);
      this.translateKwargs(model, call.method, body);
      return body;
    }
    const params = req.params as Record<string, unknown>;
    const args = [...(params.args as unknown[])];
    const positional = Array.isArray(args[5]) ? [...(args[5] as unknown[])] : args[5];
    if (Array.isArray(positional)) {
      let offset = 0;
      if (sig?.api === 'records' && positional.length) {
        positional[0] = Array.isArray(positional[0]) ? positional[0].map((v) => this.mapId(model, v)) : this.mapId(model, positional[0]);
        offset = 1;
      }
      const names = sig?.params ?? [];
      for (let i = offset; i < positional.length; i++) {
        const name = names[i - offset];
        positional[i] = this.translateParam(model, call.method, name, positional[i]);
      }
      args[5] = positional;
    }
    if (args[6] && typeof args[6] === 'object') {
      const kw = { ...(args[6] as Record<string, unknown>) };
      this.translateKwargs(model, call.method, kw);
      args[6] = kw;
    }
    return { ...req, params: { ...params, args } };
  }

  private translateKwargs(model: string, method: string, kw: Record<string, unknown>): void {
    for (const k of Object.keys(kw)) kw[k] = this.translateParam(model, method, k, kw[k]);
  }

  private translateParam(model: string, method: string, name: string | undefined, value: unknown): unknown {
    switch (name) {
      case 'domain':
      case 'args':
        return Array.isArray(value) ? this.translateDomain(model, value) : value;
      case 'vals_list':
        return Array.isArray(value) ? value.map((v) => this.translateVals(model, v)) : this.translateVals(model, value);
      case 'vals':
        return this.translateVals(model, value);
      case 'attachment_ids':
        return Array.isArray(value) ? value.map((v) => this.mapId('ir.attachment', v)) : value;
      case 'partner_ids':
        return Array.isArray(value) ? value.map((v) => this.mapId('res.partner', v)) : value;
      case 'context': {
        if (!value || typeof value !== 'object') return value;
        const ctx = { ...(value as Record<string, unknown>) };
        const target = typeof ctx.active_model === 'string' ? ctx.active_model : model;
        if (ctx.active_id !== undefined) ctx.active_id = this.mapId(target, ctx.active_id);
        if (Array.isArray(ctx.active_ids)) ctx.active_ids = ctx.active_ids.map((v) => this.mapId(target, v));
        return ctx;
      }
      default:
        if (method === 'create' && name === undefined) return value;
        return value;
    }
  }

  private translateVals(model: string, vals: unknown): unknown {
    if (!vals || typeof vals !== 'object' || Array.isArray(vals)) return vals;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(vals as Record<string, unknown>)) {
      const field = this.ctx.emu.state.field(model, k);
      if (!field || !field.relation) {
        out[k] = model === 'ir.model.data' && k === 'res_id' ? this.mapId(String((vals as Record<string, unknown>).model), v) : v;
        continue;
      }
      const rel = field.relation;
      if (field.type === 'many2one') out[k] = this.mapId(rel, v);
      else if (Array.isArray(v)) {
        out[k] = v.map((cmd) => {
          if (typeof cmd === 'number') return this.mapId(rel, cmd);
          if (!Array.isArray(cmd)) return cmd;
          const [op, id, arg] = cmd as [number, unknown, unknown];
          if (op === 0) return [0, 0, this.translateVals(rel, arg)];
          if (op === 1) return [1, this.mapId(rel, id), this.translateVals(rel, arg)];
          if (op === 6) return [6, 0, Array.isArray(arg) ? arg.map((x) => this.mapId(rel, x)) : arg];
          if (op === 2 || op === 3 || op === 4) return [op, this.mapId(rel, id)];
          return cmd;
        });
      } else out[k] = v;
    }
    return out;
  }

  private translateDomain(model: string, domain: unknown[]): unknown[] {
    return domain.map((leaf) => {
      if (!Array.isArray(leaf) || leaf.length !== 3) return leaf;
      const target = this.leafModel(model, leaf[0]);
      if (!target) return leaf;
      const v = leaf[2];
      return [leaf[0], leaf[1], Array.isArray(v) ? v.map((x) => this.mapId(target, x)) : this.mapId(target, v)];
    });
  }

  private leafModel(model: string, path: unknown): string | null {
    if (typeof path !== 'string') return null;
    let m = model;
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === 'id') return i === parts.length - 1 ? m : null;
      const f = this.ctx.emu.state.has(m) ? this.ctx.emu.state.field(m, parts[i]) : undefined;
      if (!f?.relation) return null;
      if (i === parts.length - 1) return f.relation;
      m = f.relation;
    }
    return null;
  }
}

interface CallLite {
  transport: 'jsonrpc' | 'json2';
  model: string;
  method: string;
}

function callInfo(ex: Exchange): CallLite | null {
  const req = (typeof ex.request === 'string' ? safeParse(ex.request) : ex.request) as Record<string, any> | null;
  if (ex.endpoint === 'POST /jsonrpc' && req?.params?.service === 'object') return { transport: 'jsonrpc', model: req.params.args?.[3], method: req.params.args?.[4] };
  const m = /^POST \/json\/2\/([^/]+)\/([^/]+)$/.exec(ex.endpoint);
  if (m) return { transport: 'json2', model: m[1], method: m[2] };
  return null;
}

function unwrap(ex: Exchange, body: unknown): unknown {
  if (ex.endpoint === 'POST /jsonrpc' && body && typeof body === 'object') return (body as Record<string, unknown>).result;
  return body;
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

function splitEndpoint(endpoint: string): { method: string; path: string } {
  const [method, ...rest] = endpoint.split(' ');
  return { method, path: rest.join(' ') };
}

function isIdish(v: unknown): boolean {
  return typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number'));
}

const DATETIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const DATE = /^\d{4}-\d\d-\d\d$/;

function scalarEqual(r: unknown, a: unknown, runDay: string): boolean {
  if (typeof r === 'number' && typeof a === 'number') return Math.abs(r - a) <= 1e-9 * Math.max(1, Math.abs(r));
  if (typeof r === 'string' && typeof a === 'string' && DATETIME.test(r) && r.startsWith(runDay)) return DATETIME.test(a);
  if (typeof r === 'string' && typeof a === 'string' && DATE.test(r) && r === runDay) return DATE.test(a);
  return r === a;
}

function normalizeContext(c: unknown): unknown {
  return c ?? {};
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Same keys and value types, recursively (lists: element shapes against the first recorded element). */
export function shapeCompare(r: unknown, a: unknown, path: string, problems: string[]): void {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);
  if (kind(r) !== kind(a) && !(r === false || a === false)) {
    problems.push(`${path}: ${kind(a)}, recorded ${kind(r)}`);
    return;
  }
  if (Array.isArray(r) && Array.isArray(a)) {
    if (r.length && a.length) shapeCompare(r[0], a[0], `${path}[0]`, problems);
    return;
  }
  if (r && typeof r === 'object' && a && typeof a === 'object') {
    const rk = Object.keys(r);
    const ak = Object.keys(a);
    if (JSON.stringify(rk) !== JSON.stringify(ak)) problems.push(`${path}: keys ${JSON.stringify(ak)}, recorded ${JSON.stringify(rk)}`);
    for (const k of rk) if (k in (a as object) && k !== 'debug') shapeCompare((r as Record<string, unknown>)[k], (a as Record<string, unknown>)[k], `${path}.${k}`, problems);
  }
}
