import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Registry } from '../orm/registry.ts';
import type { Rec } from '../orm/store.ts';
import { Env } from '../orm/env.ts';
import { finishTechnicalRows } from '../seed/seed.loader.ts';

/**
 * The emulator's optional state file (`stateFile` option): a JSON snapshot of the emulated database — every table's
 * rows and next id, the sequences, the server knobs that are data (wkhtmltopdf) and the credentials — so a demo
 * restarted beside its connector database finds the same Odoo. Written atomically (a temporary file renamed over
 * the old one) whenever the data changed, every `saveEveryMs`, and at stop; loaded at start instead of the seed.
 * Sessions, faults and latency knobs are not kept: they belong to one run.
 */
export interface EmulatorSnapshot {
  format: 1;
  version: number;
  db: string;
  apiKey: string;
  password: string;
  wkhtmltopdf: boolean;
  sequences: [string, number][];
  tables: { model: string; nextId: number; rows: Rec[] }[];
}

export function snapshotOf(registry: Registry, credentials: { apiKey: string; password: string }): EmulatorSnapshot {
  return {
    format: 1, version: registry.version, db: registry.db, ...credentials, wkhtmltopdf: registry.server.wkhtmltopdf,
    sequences: registry.sequenceEntries(),
    tables: registry.store.models().map((model) => {
      const table = registry.store.table(model);
      return { model, nextId: table.nextId, rows: [...table.rows.values()] };
    }),
  };
}

/** Reads a state file; null when there is none. A file of another Odoo version is refused (it would not fit). */
export function readSnapshot(file: string, version: number): EmulatorSnapshot | null {
  if (!existsSync(file)) return null;
  let snapshot: EmulatorSnapshot;
  try {
    snapshot = JSON.parse(readFileSync(file, 'utf8')) as EmulatorSnapshot;
  } catch (error) {
    throw new Error(`The Odoo emulator's state file ${file} is not readable JSON (${(error as Error).message}); delete it to start from the seed`);
  }
  if (snapshot?.format !== 1 || !Array.isArray(snapshot.tables)) throw new Error(`The Odoo emulator's state file ${file} is not one this emulator wrote; delete it to start from the seed`);
  if (snapshot.version !== version) throw new Error(`The Odoo emulator's state file ${file} holds an Odoo ${snapshot.version} database, not Odoo ${version}; delete it to start over`);
  return snapshot;
}

/**
 * Puts a snapshot into a freshly built registry (no seed applied): the rows, ids and sequences, then the custom
 * (`x_`) fields Odoo would have in its schema, then the idempotent finishing steps of a seed (recorded views, get_views).
 */
export function restoreSnapshot(registry: Registry, snapshot: EmulatorSnapshot): void {
  for (const { model, nextId, rows } of snapshot.tables) {
    if (!registry.has(model)) continue;
    const table = registry.store.table(model);
    for (const row of rows) table.insert(row);
    table.nextId = Math.max(table.nextId, nextId);
  }
  for (const [code, next] of snapshot.sequences) registry.setSequence(code, next);
  registry.server.wkhtmltopdf = snapshot.wkhtmltopdf !== false;
  const env = new Env(registry, 1, {}, registry.clock.now());
  const fields = registry.model('ir.model.fields') as unknown as { afterCreate(env: Env, id: number): void };
  for (const rec of registry.store.table('ir.model.fields').rows.values()) {
    if (rec.state === 'manual' && registry.has(rec.model as string)) fields.afterCreate(env, rec.id);
  }
  finishTechnicalRows(registry);
}

/** Writes `text` to `file` so a reader (or a crash) sees the old file or the new one, never half of one. */
export function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Saves the registry when its data changed since the last save: every `everyMs` (real time) and on `flush`. */
export class StateFileWriter {
  private savedVersion = -1;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly file: string,
    private readonly registry: Registry,
    private readonly credentials: { apiKey: string; password: string },
    everyMs: number,
  ) {
    this.savedVersion = registry.dataVersion();
    if (everyMs > 0) {
      this.timer = setInterval(() => this.flush(), everyMs);
      this.timer.unref();
    }
  }

  /** Writes now if anything changed (force: always). */
  flush(force = false): void {
    const version = this.registry.dataVersion();
    if (!force && version === this.savedVersion) return;
    writeAtomically(this.file, JSON.stringify(snapshotOf(this.registry, this.credentials)));
    this.savedVersion = version;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }
}
