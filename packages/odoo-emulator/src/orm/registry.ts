/**
 * The registry of one emulated database: its models (built from the version's recorded fields), the in-memory store,
 * users and API keys, name sequences and counters. One per running emulator.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '@poleepo-odoo/clock';
import { versionProfile, type OdooVersion, type VersionProfile } from '../versions/version.profile.ts';
import { Store } from './store.ts';
import { fieldFromRecorded, type Field } from './fields.ts';
import type { Model } from './model.ts';
import type { Env } from './env.ts';

type RecordedFields = Record<string, Record<string, Record<string, unknown>>>;

const SEED_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'seed');
const recordedCache = new Map<OdooVersion, RecordedFields>();

/** The version's recorded `fields_get` answers (seed/fields.<version>.json). */
export function recordedFields(version: OdooVersion): RecordedFields {
  let f = recordedCache.get(version);
  if (!f) {
    f = JSON.parse(readFileSync(join(SEED_DIR, `fields.${version}.json`), 'utf8')) as RecordedFields;
    recordedCache.set(version, f);
  }
  return f;
}

export interface RegistryStats {
  calls: number;
  recordsRead: number;
  readsByModel: Record<string, number>;
  /** Records aggregated by the last read_group. */
  lastGrouped: number;
  /** PDF reports rendered (service time: `reportRenderMs`). */
  reportsRendered: number;
}

export class Registry {
  readonly store = new Store();
  readonly profile: VersionProfile;
  readonly stats: RegistryStats = { calls: 0, recordsRead: 0, readsByModel: {}, lastGrouped: 0, reportsRendered: 0 };
  private models = new Map<string, Model>();
  private sequences = new Map<string, number>();
  /** What the emulated server has installed besides Odoo: `wkhtmltopdf` renders PDF reports (knob, default true). */
  readonly server = { wkhtmltopdf: true };

  constructor(
    readonly version: OdooVersion,
    readonly db: string,
    readonly clock: Clock,
    modelClasses: (new () => Model)[],
  ) {
    this.profile = versionProfile(version);
    const recorded = recordedFields(version);
    const instances = modelClasses.map((C) => new C()).filter((m) => m.supportsVersion(version));
    for (const m of instances) this.models.set(m.name, m);
    for (const m of instances) m.init(this, recorded[m.name], (name, attrs) => fieldFromRecorded(name, attrs));
  }

  has(name: string): boolean {
    return this.models.has(name);
  }

  model(name: string): Model {
    const m = this.models.get(name);
    if (!m) throw new Error(`The emulator has no model ${name}`);
    return m;
  }

  modelNames(): string[] {
    return [...this.models.keys()];
  }

  /** Changes whenever any table changes (sort caches that depend on several tables compare it). */
  dataVersion(): number {
    let v = 0;
    for (const name of this.store.models()) v += this.store.table(name).version;
    return v;
  }

  isAdmin(uid: number): boolean {
    if (uid === 1 || uid === 2) return true;
    const user = this.store.table('res.users').get(uid);
    const groups = ((user?.groups_id ?? user?.group_ids) as number[] | undefined) ?? [];
    return groups.includes(4);
  }

  countRead(model: string, n: number): void {
    this.stats.recordsRead += n;
    this.stats.readsByModel[model] = (this.stats.readsByModel[model] ?? 0) + n;
  }

  /** Odoo removes the xmlids of deleted records. */
  afterUnlink(env: Env, model: string, ids: number[]): void {
    if (model === 'ir.model.data' || !this.has('ir.model.data')) return;
    const imd = this.model('ir.model.data');
    const doomed = [...imd.table.lookup('model', model)].filter((id) => ids.includes(imd.table.get(id)?.res_id as number));
    for (const id of doomed) imd.table.delete(id);
    void env;
  }

  setSequence(code: string, next: number): void {
    this.sequences.set(code, next);
  }

  /** Every sequence and its next value (the state file saves them). */
  sequenceEntries(): [string, number][] {
    return [...this.sequences.entries()];
  }

  /** The next value of a sequence without taking it (undefined: never set). */
  peekSequence(code: string): number | undefined {
    return this.sequences.get(code);
  }

  nextSequence(code: string, start = 1): number {
    const n = this.sequences.get(code) ?? start;
    this.sequences.set(code, n + 1);
    return n;
  }

  // ---------------------------------------------------------------- authentication

  /** `common.login` / `authenticate` / `execute_kw`: the password or one of the user's API keys. */
  checkCredentials(uid: number, secret: unknown): boolean {
    if (typeof secret !== 'string' || !secret) return false;
    const user = this.store.table('res.users').get(uid);
    if (!user || user.active === false) return false;
    if (user.password === secret) return true;
    return this.keyOwner(secret) === uid;
  }

  userByLogin(login: unknown): number | null {
    if (typeof login !== 'string') return null;
    for (const user of this.store.table('res.users').rows.values()) if (user.login === login && user.active !== false) return user.id;
    return null;
  }

  /** The user an API key belongs to (JSON-2 bearer tokens accept keys only). */
  keyOwner(key: string): number | null {
    for (const k of this.store.table('res.users.apikeys').rows.values()) {
      if (k.key === key) {
        const exp = k.expiration_date;
        if (typeof exp === 'string' && exp && exp < new Date(this.clock.now()).toISOString().replace('T', ' ').slice(0, 19)) return null;
        return k.user_id as number;
      }
    }
    return null;
  }

  field(model: string, name: string): Field | undefined {
    return this.models.get(model)?.fields.get(name);
  }
}
