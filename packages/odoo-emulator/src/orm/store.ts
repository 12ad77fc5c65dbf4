/**
 * In-memory tables: one per model, records by id (a Map keeps insertion order, which is ascending id order), lazily
 * built hash indexes per field (kept up to date once built) and an undo journal so that a failed call leaves nothing
 * behind, like Odoo's per-call transaction. Ids are not given back on rollback (PostgreSQL sequences are not either).
 */

export type Rec = { id: number } & Record<string, unknown>;

export class Table {
  readonly rows = new Map<number, Rec>();
  nextId = 1;
  /** Bumped on every change; caches (sorted id lists) compare it. */
  version = 0;
  private indexes = new Map<string, Map<unknown, Set<number>>>();

  constructor(readonly model: string, private readonly journal: Journal) {}

  get(id: number): Rec | undefined {
    return this.rows.get(id);
  }

  allocateId(): number {
    return this.nextId++;
  }

  insert(rec: Rec): void {
    this.journal.remember(this, rec.id, undefined);
    this.rows.set(rec.id, rec);
    if (rec.id >= this.nextId) this.nextId = rec.id + 1;
    for (const [field, index] of this.indexes) addTo(index, indexKey(rec[field]), rec.id);
    this.version++;
  }

  /** Changes some values of a record (in place: readers holding the object see the new values). */
  update(id: number, values: Record<string, unknown>): void {
    const rec = this.rows.get(id);
    if (!rec) return;
    this.journal.remember(this, id, rec);
    for (const [field, value] of Object.entries(values)) {
      const index = this.indexes.get(field);
      if (index) {
        removeFrom(index, indexKey(rec[field]), id);
        addTo(index, indexKey(value), id);
      }
      rec[field] = value;
    }
    this.version++;
  }

  delete(id: number): void {
    const rec = this.rows.get(id);
    if (!rec) return;
    this.journal.remember(this, id, rec);
    this.rows.delete(id);
    for (const [field, index] of this.indexes) removeFrom(index, indexKey(rec[field]), id);
    this.version++;
  }

  /** Ids whose stored value of `field` equals `value` (scalars; many2many lists are indexed per element). */
  lookup(field: string, value: unknown): Set<number> {
    let index = this.indexes.get(field);
    if (!index) {
      index = new Map();
      for (const rec of this.rows.values()) addTo(index, indexKey(rec[field]), rec.id);
      this.indexes.set(field, index);
    }
    return index.get(indexKey(value)) ?? EMPTY;
  }

  /** Puts a record back as it was (journal rollback); indexes are rebuilt on next use. */
  restore(id: number, before: Rec | undefined): void {
    if (before) this.rows.set(id, before);
    else this.rows.delete(id);
    this.indexes.clear();
    this.version++;
  }
}

const EMPTY: Set<number> = new Set();

function indexKey(value: unknown): unknown {
  if (value === undefined || value === null) return false;
  return value;
}

function addTo(index: Map<unknown, Set<number>>, key: unknown, id: number): void {
  if (Array.isArray(key)) {
    for (const k of key) addTo(index, k, id);
    return;
  }
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(id);
}

function removeFrom(index: Map<unknown, Set<number>>, key: unknown, id: number): void {
  if (Array.isArray(key)) {
    for (const k of key) removeFrom(index, k, id);
    return;
  }
  index.get(key)?.delete(id);
}

/** Undo log of one call: the first state of every record the call touched. */
export class Journal {
  private entries: { table: Table; id: number; before: Rec | undefined }[] = [];
  private seen = new Set<string>();
  active = false;

  remember(table: Table, id: number, current: Rec | undefined): void {
    if (!this.active) return;
    const key = `${table.model}:${id}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.entries.push({ table, id, before: current ? cloneRec(current) : undefined });
  }

  begin(): void {
    this.entries = [];
    this.seen.clear();
    this.active = true;
  }

  commit(): void {
    this.active = false;
    this.entries = [];
    this.seen.clear();
  }

  /** Undoes everything since `begin`, newest first. */
  rollback(): void {
    this.active = false;
    for (const e of this.entries.reverse()) e.table.restore(e.id, e.before);
    this.entries = [];
    this.seen.clear();
  }

  /** The state after the call, to re-apply later ("commit only after N seconds"). */
  snapshotAfter(): { table: Table; id: number; after: Rec | undefined; before: Rec | undefined }[] {
    return this.entries.map((e) => ({ table: e.table, id: e.id, before: e.before, after: e.table.rows.has(e.id) ? cloneRec(e.table.rows.get(e.id)!) : undefined }));
  }
}

export function cloneRec(rec: Rec): Rec {
  const copy: Rec = { ...rec };
  for (const [k, v] of Object.entries(copy)) {
    if (Array.isArray(v)) copy[k] = v.slice();
    else if (v && typeof v === 'object') copy[k] = { ...(v as object) };
  }
  return copy;
}

export class Store {
  readonly journal = new Journal();
  private tables = new Map<string, Table>();

  table(model: string): Table {
    let t = this.tables.get(model);
    if (!t) this.tables.set(model, (t = new Table(model, this.journal)));
    return t;
  }

  models(): string[] {
    return [...this.tables.keys()];
  }
}
