/**
 * Runs one model call the way the emulator's knobs say: waits for a free worker, applies the matching faults
 * (latency, injected errors, HTML 500, connection reset, reply dropped after commit, commit delayed), executes the
 * call in its own transaction, then waits out the modelled service time and records statistics.
 */
import type { Clock } from '@poleepo-odoo/clock';
import type { Registry } from '../orm/registry.ts';
import { execute, type Call } from '../rpc/dispatch.ts';
import { OdooError } from '../errors/odoo.errors.ts';
import { Faults, presetError, type FaultSpec } from './faults.ts';
import { modelledMs, resolveServiceTime, Workers, type ServiceTimeOptions } from './service-time.ts';
import type { Rec } from '../orm/store.ts';

export type Outcome =
  | { kind: 'result'; value: unknown }
  | { kind: 'error'; error: OdooError }
  | { kind: 'reset' }
  | { kind: 'drop' }
  | { kind: 'http500' };

export interface EmulatorStats {
  calls: number;
  objectCalls: number;
  recordsRead: number;
  readsByModel: Record<string, number>;
  /** Time a real Odoo would have spent (the modelled service time; 0 with no service time set), ms. */
  serviceTimeMs: number;
  /** Time the emulator itself spent computing answers, ms. */
  computeTimeMs: number;
  errors: number;
  faultsApplied: number;
}

const STOCK_FIELDS = /"(qty_available|free_qty|virtual_available|incoming_qty|outgoing_qty)"/;

export class CallRunner {
  readonly faults = new Faults();
  serviceTime: ServiceTimeOptions;
  extraLatencyMs = 0;
  private workers: Workers;
  readonly stats: EmulatorStats = { calls: 0, objectCalls: 0, recordsRead: 0, readsByModel: {}, serviceTimeMs: 0, computeTimeMs: 0, errors: 0, faultsApplied: 0 };

  constructor(
    private readonly registry: Registry,
    private readonly clock: Clock,
    serviceTime: ServiceTimeOptions | 'calibrated' | 'none' | undefined,
  ) {
    this.serviceTime = resolveServiceTime(serviceTime);
    this.workers = new Workers(this.serviceTime.workers);
  }

  setServiceTime(option: ServiceTimeOptions | 'calibrated' | 'none'): void {
    this.serviceTime = resolveServiceTime(option);
    this.workers.setLimit(this.serviceTime.workers);
  }

  /**
   * Runs a call; `reply` turns its outcome into what is sent (the HTTP body) while the worker still holds the call and
   * before the modelled time is waited out: a real Odoo's measured time includes encoding its answer, so the
   * emulator's encoding of a large answer falls inside the modelled time instead of adding to it.
   */
  async run(call: Omit<Call, 'nowMs'>): Promise<Outcome>;
  async run<T>(call: Omit<Call, 'nowMs'>, reply: (outcome: Outcome) => T): Promise<T>;
  async run<T>(call: Omit<Call, 'nowMs'>, reply?: (outcome: Outcome) => T): Promise<T | Outcome> {
    await this.workers.acquire();
    try {
      return await this.runHeld<T | Outcome>(call, reply ?? ((o: Outcome) => o));
    } finally {
      this.workers.release();
    }
  }

  private async runHeld<T>(callIn: Omit<Call, 'nowMs'>, reply: (outcome: Outcome) => T): Promise<T | Outcome> {
    const startedAt = this.clock.now();
    this.stats.calls++;
    this.stats.objectCalls++;
    const { latencyMs, fault } = this.faults.take({ model: callIn.model, method: callIn.method, transport: callIn.transport });
    if (fault || latencyMs) this.stats.faultsApplied++;
    const latency = latencyMs + this.extraLatencyMs;
    if (latency > 0) await this.clock.sleep(latency);
    if (fault?.kind === 'reset') return reply({ kind: 'reset' });
    if (fault?.kind === 'http500') return reply({ kind: 'http500' });
    if (fault?.kind === 'error') {
      this.stats.errors++;
      return reply({ kind: 'error', error: injectedError(fault, this.registry) });
    }
    const call: Call = { ...callIn, nowMs: this.clock.now() };
    const readsBefore = this.registry.stats.recordsRead;
    const rendersBefore = this.registry.stats.reportsRendered;
    const byModelBefore = this.registry.stats.readsByModel[call.model] ?? 0;
    const t0 = performance.now();
    let outcome: Outcome;
    let held: HeldChanges | null = null;
    try {
      if (fault?.kind === 'delay-commit') {
        const r = executeHeld(this.registry, call);
        held = r.changes;
        outcome = { kind: 'result', value: r.value };
      } else outcome = { kind: 'result', value: execute(this.registry, call) };
    } catch (error) {
      this.stats.errors++;
      // A failure of the emulator itself still answers in Odoo's shape (builtins.Exception), with its stack.
      outcome = { kind: 'error', error: error instanceof OdooError ? error : new OdooError('builtins.Exception', error instanceof Error ? error.message : String(error), { where: error instanceof Error ? `  File "<emulator>", in ${error.stack?.split('\n')[1]?.trim() ?? 'call'}` : undefined }) };
    }
    const computeMs = performance.now() - t0;
    this.stats.computeTimeMs += computeMs;
    const read = this.registry.stats.recordsRead - readsBefore;
    const readOwn = (this.registry.stats.readsByModel[call.model] ?? 0) - byModelBefore;
    this.stats.recordsRead += read;
    if (read) this.stats.readsByModel[call.model] = (this.stats.readsByModel[call.model] ?? 0) + read;
    const grouped = call.method === 'read_group' || call.method === 'formatted_read_group' ? this.registry.stats.lastGrouped : 0;
    const modelled = modelledMs(this.serviceTime, {
      model: call.model,
      method: call.method,
      recordsRead: readOwn,
      stockFieldsRead: STOCK_FIELDS.test(JSON.stringify([call.args, call.kwargs])),
      groupedRecords: grouped,
      reportsRendered: this.registry.stats.reportsRendered - rendersBefore,
    });
    const dropped = fault?.kind === 'drop-after-commit';
    const answer = reply(dropped ? { kind: 'drop' } : outcome);
    const spent = this.clock.now() - startedAt;
    if (modelled > spent) await this.clock.sleep(modelled - spent);
    this.stats.serviceTimeMs += modelled;
    if (held) {
      await this.clock.sleep(fault?.delayMs ?? 0);
      applyHeld(held);
    }
    return answer;
  }
}

function injectedError(fault: FaultSpec, registry: Registry): OdooError {
  const preset = fault.preset ? presetError(fault.preset, registry.version) : null;
  const name = fault.name ?? preset?.name ?? 'builtins.Exception';
  const message = fault.message ?? preset?.message ?? 'Injected failure';
  return new OdooError(name, message, { status: fault.status ?? preset?.status });
}

type HeldChanges = { table: { restore(id: number, rec: Rec | undefined): void }; id: number; after: Rec | undefined }[];

/** Executes a call, then takes its changes back out; `applyHeld` makes them visible later. */
function executeHeld(registry: Registry, call: Call): { value: unknown; changes: HeldChanges } {
  const journal = registry.store.journal;
  // execute() commits its own journal; wrap it so the changes can be captured before they are kept.
  const originalCommit = journal.commit.bind(journal);
  let snapshot: ReturnType<typeof journal.snapshotAfter> = [];
  journal.commit = () => {
    snapshot = journal.snapshotAfter();
    journal.rollback();
  };
  try {
    const value = execute(registry, call);
    return { value, changes: snapshot.map((s) => ({ table: s.table, id: s.id, after: s.after })) };
  } finally {
    journal.commit = originalCommit;
  }
}

function applyHeld(changes: HeldChanges): void {
  for (const c of changes) c.table.restore(c.id, c.after);
}
