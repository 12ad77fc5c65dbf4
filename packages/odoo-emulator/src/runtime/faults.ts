/**
 * Fault knobs, set programmatically or through `POST /__emulator/faults`:
 * - `latency`: every matching call waits `delayMs` more (until cleared, or for `count` calls);
 * - `error`: the next `count` matching calls fail with an Odoo error (`preset`: `concurrency`, `serialization`,
 *   `lock`, `access`, `missing`, or any `name`/`message`), nothing applied;
 * - `http500`: an HTML 500 page instead of an answer (nothing applied);
 * - `reset`: the connection is destroyed before anything is applied;
 * - `drop-after-commit`: the call is applied, then the connection is destroyed without an answer;
 * - `delay-commit`: the call runs, but its effect becomes visible (and its answer is sent) only `delayMs` later
 *   on the emulator's clock; meanwhile other calls see the state before it (a slow create racing a retry).
 * Matching: optional `model`, `method`, `transport`; a fault applies to object calls (JSON-RPC `execute_kw` and
 * JSON-2), not to `common.version` or the control routes.
 */
import type { OdooVersion } from '../versions/version.profile.ts';

export type FaultKind = 'latency' | 'error' | 'http500' | 'reset' | 'drop-after-commit' | 'delay-commit';

export interface FaultSpec {
  kind: FaultKind;
  count?: number;
  model?: string;
  method?: string;
  transport?: 'jsonrpc' | 'json2';
  delayMs?: number;
  preset?: 'concurrency' | 'serialization' | 'lock' | 'access' | 'missing';
  name?: string;
  message?: string;
  status?: number;
}

interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number;
}

export interface CallTarget {
  model: string;
  method: string;
  transport: 'jsonrpc' | 'json2';
}

export class Faults {
  private list: ActiveFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): number {
    const id = this.nextId++;
    const remaining = spec.count ?? (spec.kind === 'latency' ? Number.POSITIVE_INFINITY : 1);
    this.list.push({ ...spec, id, remaining });
    return id;
  }

  clear(): void {
    this.list = [];
  }

  active(): FaultSpec[] {
    return this.list.map(({ id: _id, remaining, ...spec }) => ({ ...spec, count: Number.isFinite(remaining) ? remaining : undefined }));
  }

  /** Consumes the faults that match a call: total extra latency, and the first non-latency fault. */
  take(target: CallTarget): { latencyMs: number; fault: FaultSpec | null } {
    let latencyMs = 0;
    let fault: FaultSpec | null = null;
    for (const f of this.list) {
      if (f.remaining <= 0 || !matches(f, target)) continue;
      if (f.kind === 'latency') {
        latencyMs += f.delayMs ?? 0;
        f.remaining--;
      } else if (!fault) {
        fault = f;
        f.remaining--;
      }
    }
    this.list = this.list.filter((f) => f.remaining > 0);
    return { latencyMs, fault };
  }
}

function matches(f: FaultSpec, t: CallTarget): boolean {
  return (!f.model || f.model === t.model) && (!f.method || f.method === t.method) && (!f.transport || f.transport === t.transport);
}

/** The error a preset stands for, as each version reports it (not recorded: Odoo's texts for these cases). */
export function presetError(preset: FaultSpec['preset'], version: OdooVersion): { name: string; message: string; status?: number } {
  switch (preset) {
    case 'serialization':
    case 'concurrency':
      return version === 17
        ? { name: 'psycopg2.errors.SerializationFailure', message: 'could not serialize access due to concurrent update\n' }
        : { name: 'odoo.exceptions.ConcurrencyError', message: 'Could not serialize access due to concurrent update', status: 409 };
    case 'lock':
      return version === 17
        ? { name: 'psycopg2.errors.LockNotAvailable', message: 'could not obtain lock on row in relation "sale_order"\n' }
        : { name: 'odoo.exceptions.LockError', message: 'Cannot obtain lock on the record, it is being used by another transaction.', status: 409 };
    case 'access':
      return { name: 'odoo.exceptions.AccessError', message: 'You are not allowed to access this record.' };
    case 'missing':
      return { name: 'odoo.exceptions.MissingError', message: 'Record does not exist or has been deleted.' };
    default:
      return { name: 'builtins.Exception', message: 'Injected failure' };
  }
}
