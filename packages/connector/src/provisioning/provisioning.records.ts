import type { OdooClient } from '../odoo/odoo.client.ts';
import type { OdooDomain, OdooRecord } from '../odoo/odoo.types.ts';
import { POLEEPO_MODULE } from './provisioning.fields.ts';
import { ProvisioningRefusedError, type ItemChange, type ItemRef, type ItemState } from './provisioning.types.ts';
import { present } from '../shared/assert.ts';

/**
 * The records of our module in one Odoo database, found through their xmlids (`ir.model.data`, module
 * `poleepo_connector`): the only way provisioning knows what is its own, so that running it again creates nothing
 * and removing takes away exactly what it made. A record made by a run that stopped before naming it is found
 * again by its natural key (e.g. model + field name) and adopted.
 */

export interface XmlidRow {
  dataId: number;
  model: string;
  resId: number;
}

/** Desired values: a list of ids is a many2many (compared as a set, written with [6, 0, ids]). */
export type Desired = Record<string, string | number | boolean | number[]>;

export interface EnsureSpec {
  /** Values of a new record (commands allowed). */
  create: Record<string, unknown>;
  /** Values an existing record must have; what differs is written. */
  compare: Desired;
  /** Finds a record made without its xmlid (a run that stopped half way). */
  find: OdooDomain;
  /** Fields read only to look for conflicts. */
  inspect?: string[];
  /** A reason why an existing record cannot be used as it is (e.g. a field of another type). */
  conflict?: (current: OdooRecord) => string | null;
  /** Fields compared under one name and written under another (ir.ui.view: read `arch_db`, write `arch`). */
  writeAs?: Record<string, string>;
}

const NO_ARCHIVE_FILTER = { active_test: false };

export class ModuleRecords {
  private xmlids = new Map<string, XmlidRow>();

  constructor(private readonly client: OdooClient, readonly module = POLEEPO_MODULE) {}

  async load(): Promise<Map<string, XmlidRow>> {
    const rows = await this.client.searchRead<OdooRecord & { name: string; model: string; res_id: number }>('ir.model.data', [['module', '=', this.module]], { fields: ['name', 'model', 'res_id'] });
    this.xmlids = new Map(rows.map((r) => [r.name, { dataId: r.id, model: r.model, resId: r.res_id }]));
    return this.xmlids;
  }

  all(): Map<string, XmlidRow> {
    return this.xmlids;
  }

  /** The id of another module's record (`sale.view_order_form`), or null. */
  async lookup(fullXmlid: string): Promise<number | null> {
    const [module, name] = fullXmlid.split('.');
    const [row] = await this.client.searchRead<OdooRecord & { res_id: number }>('ir.model.data', [['module', '=', module], ['name', '=', name]], { fields: ['res_id'], limit: 1 });
    return row ? row.res_id : null;
  }

  /** The record an xmlid of ours names, when it still exists. */
  async idOf(ref: Pick<ItemRef, 'xmlid' | 'model'>): Promise<number | null> {
    const row = this.xmlids.get(ref.xmlid);
    if (!row || row.model !== ref.model) return null;
    const found = await this.client.search(ref.model, [['id', '=', row.resId]], { context: NO_ARCHIVE_FILTER });
    return found.length ? row.resId : null;
  }

  async read(model: string, id: number, fields: string[]): Promise<OdooRecord | null> {
    const [row] = await this.client.read(model, [id], fields, { context: NO_ARCHIVE_FILTER });
    return row ?? null;
  }

  /** The differences between a record and the desired values, as a `write` payload. */
  diff(current: OdooRecord, desired: Desired): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, want] of Object.entries(desired)) {
      if (!sameValue(current[key], want)) out[key] = Array.isArray(want) ? [[6, 0, want]] : want;
    }
    return out;
  }

  /** Creates, adopts or updates one record so that it matches the spec; names it with its xmlid. */
  async ensure(ref: ItemRef, spec: EnsureSpec): Promise<ItemChange> {
    let id = await this.idOf(ref);
    let change: ItemChange['change'] = 'unchanged';
    if (id === null) {
      const [found] = await this.client.search(ref.model, spec.find, { limit: 1, order: 'id asc', context: NO_ARCHIVE_FILTER });
      if (found) {
        id = found;
        change = 'adopted';
      }
    }
    if (id === null) {
      id = await this.client.create(ref.model, spec.create);
      await this.name(ref, id);
      return { ...ref, change: 'created', id };
    }
    const current = await this.read(ref.model, id, [...Object.keys(spec.compare), ...(spec.inspect ?? [])]);
    if (!current) throw new ProvisioningRefusedError(`${ref.label} (id ${id}) cannot be read back`);
    const conflict = spec.conflict?.(current);
    if (conflict) throw new ProvisioningRefusedError(conflict);
    const changes = this.diff(current, spec.compare);
    if (Object.keys(changes).length) {
      const payload = Object.fromEntries(Object.entries(changes).map(([k, v]) => [spec.writeAs?.[k] ?? k, v]));
      await this.client.write(ref.model, [id], payload);
      if (change === 'unchanged') change = 'updated';
    }
    if (change === 'adopted' || this.xmlids.get(ref.xmlid)?.resId !== id) await this.name(ref, id);
    return { ...ref, change, id, detail: Object.keys(changes).length ? `changed: ${Object.keys(changes).join(', ')}` : undefined };
  }

  /**
   * `ensure` for several records of one model, creating the missing ones in a single call: each field created
   * through ir.model.fields reloads Odoo's registry, so one create of nineteen fields costs one reload, not nineteen.
   */
  async ensureMany(items: { ref: ItemRef; spec: EnsureSpec }[]): Promise<ItemChange[]> {
    const missing: { ref: ItemRef; spec: EnsureSpec }[] = [];
    for (const item of items) {
      if ((await this.idOf(item.ref)) !== null) continue;
      const [found] = await this.client.search(item.ref.model, item.spec.find, { limit: 1, context: NO_ARCHIVE_FILTER });
      if (found === undefined) missing.push(item);
    }
    const created = new Map<string, number>();
    if (missing.length) {
      const ids = await this.client.createMany(present(missing[0], 'missing is not empty').ref.model, missing.map((m) => m.spec.create));
      if (ids.length !== missing.length) throw new Error(`Odoo created ${ids.length} records for ${missing.length} asked`);
      for (const [i, item] of missing.entries()) {
        const id = present(ids[i], 'one id per record created (counted above)');
        await this.name(item.ref, id);
        created.set(item.ref.xmlid, id);
      }
    }
    const out: ItemChange[] = [];
    for (const item of items) {
      const id = created.get(item.ref.xmlid);
      out.push(id !== undefined ? { ...item.ref, change: 'created', id } : await this.ensure(item.ref, item.spec));
    }
    return out;
  }

  /** Where a record stands against the spec, without changing anything (`odoo check`). */
  async status(ref: ItemRef, spec: EnsureSpec): Promise<ItemState> {
    let id = await this.idOf(ref);
    let unnamed = false;
    if (id === null) {
      const [found] = await this.client.search(ref.model, spec.find, { limit: 1, order: 'id asc', context: NO_ARCHIVE_FILTER });
      if (found) {
        id = found;
        unnamed = true;
      }
    }
    if (id === null) return { ...ref, status: 'missing', id: null };
    const current = await this.read(ref.model, id, [...Object.keys(spec.compare), ...(spec.inspect ?? [])]);
    if (!current) return { ...ref, status: 'missing', id: null };
    const conflict = spec.conflict?.(current);
    if (conflict) return { ...ref, status: 'conflict', id, detail: conflict };
    const changes = Object.keys(this.diff(current, spec.compare));
    if (changes.length) return { ...ref, status: 'outdated', id, detail: `differs: ${changes.join(', ')}` };
    if (unnamed) return { ...ref, status: 'outdated', id, detail: 'exists without its xmlid (provisioning adopts it)' };
    return { ...ref, status: 'ok', id };
  }

  /** Gives a record our xmlid (or points a stale one at it). */
  private async name(ref: ItemRef, id: number): Promise<void> {
    const existing = this.xmlids.get(ref.xmlid);
    if (existing) {
      await this.client.write('ir.model.data', [existing.dataId], { model: ref.model, res_id: id });
      this.xmlids.set(ref.xmlid, { ...existing, model: ref.model, resId: id });
      return;
    }
    const dataId = await this.client.create('ir.model.data', { module: this.module, name: ref.xmlid, model: ref.model, res_id: id, noupdate: true });
    this.xmlids.set(ref.xmlid, { dataId, model: ref.model, resId: id });
  }

  /** Deletes the record an xmlid of ours names (Odoo deletes the xmlid with it), then any xmlid left behind. */
  async remove(ref: ItemRef): Promise<ItemChange> {
    const id = await this.idOf(ref);
    if (id !== null) await this.client.unlink(ref.model, [id]);
    await this.dropXmlid(ref.xmlid);
    return { ...ref, change: id === null ? 'unchanged' : 'removed', id: null, detail: id === null ? 'was not there' : undefined };
  }

  /** Deletes several records of one model in one call (one registry reload for fields). */
  async removeMany(refs: ItemRef[]): Promise<ItemChange[]> {
    const [first] = refs;
    if (!first) return [];
    const model = first.model;
    const ids = new Map<string, number | null>();
    for (const ref of refs) ids.set(ref.xmlid, await this.idOf(ref));
    const present = [...ids.values()].filter((id): id is number => id !== null);
    if (present.length) await this.client.unlink(model, present);
    for (const ref of refs) await this.dropXmlid(ref.xmlid);
    return refs.map((ref) => ({ ...ref, change: ids.get(ref.xmlid) === null ? 'unchanged' : 'removed', id: null, detail: ids.get(ref.xmlid) === null ? 'was not there' : undefined }));
  }

  private async dropXmlid(xmlid: string): Promise<void> {
    const row = this.xmlids.get(xmlid);
    if (!row) return;
    const left = await this.client.search('ir.model.data', [['id', '=', row.dataId]]);
    if (left.length) await this.client.unlink('ir.model.data', left);
    this.xmlids.delete(xmlid);
  }
}

/** Odoo's read format against a desired value: many2one `[id, name]` vs id, many2many as sets, false vs ''. */
export function sameValue(current: unknown, want: unknown): boolean {
  if (Array.isArray(want)) {
    const have = Array.isArray(current) ? [...current].map(Number).sort((a, b) => a - b) : [];
    const w = [...want].map(Number).sort((a, b) => a - b);
    return have.length === w.length && have.every((v, i) => v === w[i]);
  }
  if (typeof want === 'number' && Array.isArray(current)) return current[0] === want;
  if (typeof want === 'string' && (current === false || current === null || current === undefined)) return want === '';
  if (typeof want === 'boolean') return Boolean(current) === want;
  return current === want;
}
