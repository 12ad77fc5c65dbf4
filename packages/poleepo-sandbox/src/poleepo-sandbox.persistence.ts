import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PoleepoSandboxState } from './poleepo-sandbox.state.ts';

/**
 * The sandbox's optional state file (`stateFile` option): a JSON snapshot of the Poleepo account — catalog
 * (products, categories, tags, publications), product batches, orders and their documents, shippings and the
 * reference data, issued tokens, and every id counter — so a demo restarted beside its connector database finds the
 * same Poleepo (batch 5062 still answers). Written atomically whenever it changed, every `saveEveryMs`, and at stop;
 * loaded at start over the seed. Not kept: the API keys (given by the caller each start), webhook subscriptions and
 * deliveries still pending (the caller registers its webhooks again), faults, rate windows and statistics.
 */
const PARTS = ['catalog', 'batches', 'orders', 'shippings', 'auth'] as const;
/** Configuration given at each start (the API keys); links to other parts and callbacks are skipped by type. */
const NOT_SAVED = new Set(['clients']);

type Part = (typeof PARTS)[number];
interface SandboxSnapshot {
  format: 1;
  parts: Record<Part, Record<string, unknown>>;
}

export function snapshotText(state: PoleepoSandboxState): string {
  const parts = {} as SandboxSnapshot['parts'];
  const links = new Set<unknown>(PARTS.map((p) => state[p]));
  for (const part of PARTS) parts[part] = fieldsOf(state[part], links);
  return JSON.stringify({ format: 1, parts } satisfies SandboxSnapshot);
}

/** Loads the state file into a freshly built state; false when there is no file. */
export function restoreState(file: string, state: PoleepoSandboxState): boolean {
  if (!existsSync(file)) return false;
  let snapshot: SandboxSnapshot;
  try {
    snapshot = JSON.parse(readFileSync(file, 'utf8')) as SandboxSnapshot;
  } catch (error) {
    throw new Error(`The Poleepo sandbox's state file ${file} is not readable JSON (${(error as Error).message}); delete it to start empty`);
  }
  if (snapshot?.format !== 1 || typeof snapshot.parts !== 'object') throw new Error(`The Poleepo sandbox's state file ${file} is not one this sandbox wrote; delete it to start empty`);
  for (const part of PARTS) if (snapshot.parts[part]) assignFields(state[part], snapshot.parts[part]);
  return true;
}

function fieldsOf(obj: object, links: Set<unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (NOT_SAVED.has(key) || typeof value === 'function' || links.has(value)) continue;
    out[key] = encode(value, links);
  }
  return out;
}

function assignFields(target: object, saved: Record<string, unknown>): void {
  const t = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(saved)) {
    const current = t[key];
    if (current instanceof Map) {
      current.clear();
      for (const [k, v] of decode(value) as Map<unknown, unknown>) current.set(k, v);
    } else if (isTagged(value, '__fields') && current && typeof current === 'object') {
      assignFields(current, value.__fields as Record<string, unknown>);
    } else {
      t[key] = decode(value);
    }
  }
}

function encode(value: unknown, links: Set<unknown>): unknown {
  if (Buffer.isBuffer(value)) return { __buffer: value.toString('base64') };
  if (value instanceof Map) return { __map: [...value.entries()].map(([k, v]) => [encode(k, links), encode(v, links)]) };
  if (value instanceof Set) return { __set: [...value].map((v) => encode(v, links)) };
  if (Array.isArray(value)) return value.map((v) => encode(v, links));
  if (value && typeof value === 'object') {
    const plain = Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null;
    if (!plain) return { __fields: fieldsOf(value, links) };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v, links)]));
  }
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (!value || typeof value !== 'object') return value;
  if (isTagged(value, '__buffer')) return Buffer.from(value.__buffer as string, 'base64');
  if (isTagged(value, '__map')) return new Map((value.__map as [unknown, unknown][]).map(([k, v]) => [decode(k), decode(v)]));
  if (isTagged(value, '__set')) return new Set((value.__set as unknown[]).map(decode));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
}

function isTagged(value: unknown, tag: string): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 1 && tag in (value as object);
}

/** Saves the state when it changed since the last save: every `everyMs` (real time) and on `flush`. */
export class SandboxStateWriter {
  private saved = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly file: string, private readonly state: PoleepoSandboxState, everyMs: number) {
    if (everyMs > 0) {
      this.timer = setInterval(() => this.flush(), everyMs);
      this.timer.unref();
    }
  }

  flush(): void {
    const text = snapshotText(this.state);
    if (text === this.saved) return;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, this.file);
    this.saved = text;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
  }
}
