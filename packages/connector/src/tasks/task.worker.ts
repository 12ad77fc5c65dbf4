/**
 * Worker: claims tasks lane by lane and runs their handlers; the boundary where handler errors become outcomes.
 *
 *   const worker = new Worker({
 *     queue: ctx.tasks, registry: ctx.taskRegistry, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics,
 *     workerId: ctx.processId,            // unique per Worker instance; leases carry it
 *     lanes: DEFAULT_LANES,               // concurrency per lane; lanes of defined kinds not listed get 1
 *   });
 *   worker.start();
 *   …
 *   await worker.stop({ timeoutMs: 10_000 }); // stop claiming, drain, release the leases of what is still running
 *
 * - Lanes: each lane has its own concurrency, and claims go round the lanes one task at a time, so a flood in one
 *   lane (a full export) never takes the slots of another (order imports).
 * - Wake-up: the loop sleeps `pollIntervalMs` on the injected clock, but an enqueue in this process, or a slot
 *   freeing, wakes it at once. Other processes' enqueues are seen at the next poll (1 s by default).
 * - Leases: a claimed task is leased for `leaseMs`; while its handler runs, the worker extends the lease every
 *   `heartbeatMs`. Heartbeats are timers on the event loop: a handler doing long CPU work must `await ctx.yield()`
 *   between chunks (e.g. every few hundred records) or its lease expires and the task is run again elsewhere.
 *   Every worker also runs the reaper every `reapIntervalMs`, so a task whose worker died is run again.
 * - Outcomes (classified here only): success → done (the handler's return value stored as the result);
 *   RateLimitedError → pending at now + retryAfterMs, attempt not spent; PermanentError, ValidationError,
 *   NotConfiguredError or an invalid payload → dead at once with the reason; anything else (RetryableError,
 *   network errors, bugs, timeouts) → retried with backoff (task.backoff.ts) until maxAttempts, then dead.
 * - Timeouts and stops abort `ctx.signal`; handlers pass it to their HTTP calls and return or throw promptly. A handler
 *   still running `timeoutGraceMs` after its timeout is abandoned: its heartbeats stop, its slot is freed, and a retry
 *   is recorded (an attempt spent); whatever it does later is ignored (logged when it finally settles).
 * - Bookkeeping failures (the database refusing an outcome) never escape: they are logged with their stack and the
 *   task is left to the reaper (its lease runs out, as if this worker had died).
 */
import { present } from '../shared/assert.ts';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { silentLogger } from '../shared/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { NotConfiguredError, PermanentError, RateLimitedError, ValidationError, errorMessage, errorStack } from '../shared/errors.ts';
import type { TaskQueue } from './task.queue.ts';
import { localHolderGone } from './task.holders.ts';
import { heartbeatInterval } from '../storage/lease.ts';
import { describeIssues, type TaskContext, type TaskDefinition, type TaskRegistry } from './task.registry.ts';
import type { TaskRow } from './task.types.ts';

/**
 * Reasons for the worker's own internal signals (a task settled, a sleep cut short). `abort()` without a reason
 * builds a DOMException with its stack, once per task and per wake-up: measurable at webhook rates. Nobody reads these
 * reasons; a handler's own signal still gets a real error (stopping, lease lost, timed out).
 */
const FINISHED = 'task settled';
const WOKEN = 'woken';

/** The lanes of DESIGN §2 and their default concurrency per worker process. */
export const DEFAULT_LANES: Readonly<Record<string, number>> = { orders: 4, shipping: 2, webhooks: 4, products: 2, jobs: 2, maintenance: 1 };

export interface WorkerOptions {
  queue: TaskQueue;
  registry: TaskRegistry;
  clock: Clock;
  /** Unique per Worker instance (two workers in one process need two ids). */
  workerId: string;
  logger?: Logger;
  metrics?: Metrics;
  lanes?: Record<string, number>;
  pollIntervalMs?: number;
  leaseMs?: number;
  heartbeatMs?: number;
  reapIntervalMs?: number;
  /**
   * How long a handler may keep running after its timeout aborted its signal before it is abandoned (slot freed,
   * lease no longer extended, a retry recorded). Default 30 s.
   */
  timeoutGraceMs?: number;
}

export type TaskOutcome = 'done' | 'retry' | 'dead' | 'rate_limited' | 'released' | 'lost';

export interface SettledTask {
  task: TaskRow;
  outcome: TaskOutcome;
  /** The error message recorded (failures), or undefined. */
  error?: string;
  /** The error itself (failures), for logs: its stack and causes. */
  failure?: unknown;
  result?: unknown;
}

interface RunningTask {
  task: TaskRow;
  controller: AbortController;
  /** Aborted when the execution is over for this worker: ends its heartbeat and timeout timers. */
  finished: AbortController;
  /** Set by stop(): the lease was handed back, the handler's outcome must not be written. */
  released: boolean;
  /** Set when the handler outlived its timeout and grace: it was given up on, its outcome must not be written. */
  abandoned: boolean;
  promise: Promise<SettledTask>;
}

class TaskTimeoutError extends Error {
  override name = 'TaskTimeoutError';
}

export class Worker {
  readonly workerId: string;
  private readonly queue: TaskQueue;
  private readonly registry: TaskRegistry;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics?: Metrics;
  private readonly laneLimits: Record<string, number>;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly reapIntervalMs: number;
  private readonly timeoutGraceMs: number;
  private readonly running = new Map<number, RunningTask>();
  private readonly settledListeners = new Set<(settled: SettledTask) => void>();
  private loop: Promise<void> | null = null;
  private stopping = false;
  private unsubscribe: (() => void) | null = null;
  private waitAbort: AbortController | null = null;
  private wakePending = false;
  private wakeScheduled = false;
  private rotation = 0;
  /**
   * Lanes that may hold claimable work: woken by an enqueue, or whose last claim filled every free slot. A round
   * after a wake-up queries only these; the poll timer (other processes' enqueues, due retries) queries every lane.
   * Without it, each enqueue cost one claim query per lane — the bulk of the intake's database time.
   */
  private readonly maybeWork = new Set<string>();
  private fullRound = true;

  constructor(options: WorkerOptions) {
    this.queue = options.queue;
    this.registry = options.registry;
    this.clock = options.clock;
    this.workerId = options.workerId;
    this.logger = (options.logger ?? silentLogger).child({ worker: options.workerId });
    this.metrics = options.metrics;
    this.laneLimits = { ...(options.lanes ?? DEFAULT_LANES) };
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.heartbeatMs = options.heartbeatMs ?? heartbeatInterval(this.leaseMs);
    this.reapIntervalMs = options.reapIntervalMs ?? 15_000;
    this.timeoutGraceMs = options.timeoutGraceMs ?? 30_000;
    if (this.heartbeatMs >= this.leaseMs) throw new Error('heartbeatMs must be shorter than leaseMs');
  }

  /** Starts the claim loop (returns at once). */
  start(): void {
    if (this.loop) throw new Error('Worker already started');
    this.stopping = false;
    this.unsubscribe = this.queue.onEnqueued((lane) => this.wake(lane));
    this.loop = this.runLoop();
  }

  /**
   * Graceful stop: no new claims; waits up to `timeoutMs` (on the injected clock) for running handlers; then hands
   * the leases of unfinished tasks back (pending at once, attempt not spent) and aborts their signals.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<{ released: number }> {
    if (!this.loop) return { released: 0 };
    this.stopping = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.wake();
    await this.loop;
    this.loop = null;
    if (this.running.size > 0) {
      const timer = new AbortController();
      await Promise.race([
        Promise.allSettled([...this.running.values()].map((r) => r.promise)),
        this.clock.sleep(options.timeoutMs ?? 10_000, timer.signal),
      ]);
      timer.abort();
    }
    let released = 0;
    for (const entry of [...this.running.values()]) {
      entry.released = true;
      try {
        if (await this.queue.release(entry.task.id, this.workerId)) released++;
      } catch (error) {
        this.logger.error({ taskId: entry.task.id, err: error }, 'could not release a task lease; the reaper will');
      }
      entry.controller.abort(new Error('Worker stopping'));
      // A handler that ignores its signal may never settle: its timers must not keep the process alive.
      entry.finished.abort(FINISHED);
    }
    if (released > 0) this.logger.warn({ released }, 'stopped with unfinished tasks: leases released');
    return { released };
  }

  /** How many handlers are running now (all lanes, or one). */
  activeCount(lane?: string): number {
    if (lane === undefined) return this.running.size;
    let n = 0;
    for (const r of this.running.values()) if (r.task.lane === lane) n++;
    return n;
  }

  /** Observers of every finished execution (metrics, tests, the CLI). */
  onTaskSettled(listener: (settled: SettledTask) => void): () => void {
    this.settledListeners.add(listener);
    return () => this.settledListeners.delete(listener);
  }

  /**
   * Claims one specific task and runs it in this process, outside the loop (the CLI's `jobs run --inline`).
   * Null when it is not claimable now (not pending, not due, its serial key busy, or taken by another worker).
   */
  async runOne(taskId: number): Promise<SettledTask | null> {
    const task = await this.queue.claimById(taskId, { workerId: this.workerId, leaseMs: this.leaseMs, kinds: this.registry.kinds() });
    if (!task) return null;
    return this.execute(task).promise;
  }

  /** Runs the reaper once (the loop does it at start, then every reapIntervalMs). */
  async reap(): Promise<{ requeued: number; dead: number }> {
    // SQLite: every process is on this machine, so a dead holder is seen at once (PostgreSQL waits for the lease).
    const { requeued, dead } = await this.queue.reap(this.queue.db.dialect === 'sqlite' ? localHolderGone : undefined);
    for (const task of requeued) {
      this.logger.warn({ taskId: task.id, kind: task.kind }, task.last_error ?? 'lease expired');
      this.metrics?.taskRuns.inc({ kind: task.kind, lane: task.lane, outcome: 'lease_expired' });
    }
    for (const task of dead) {
      this.logger.error({ taskId: task.id, kind: task.kind }, task.last_error ?? 'lease expired on the last attempt');
      this.metrics?.taskRuns.inc({ kind: task.kind, lane: task.lane, outcome: 'dead' });
      await this.notifyDead(this.registry.get(task.kind), task, task.last_error ?? 'lease expired');
    }
    return { requeued: requeued.length, dead: dead.length };
  }

  // ---------------------------------------------------------------- the loop

  /**
   * Marks the lane and wakes the loop at the end of this turn, so the enqueues and completions of one turn (a group
   * commit answers many at once) lead to one claim, not one each.
   */
  private wake(lane?: string): void {
    if (lane !== undefined) this.maybeWork.add(lane);
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      if (this.waitAbort) this.waitAbort.abort(WOKEN);
      else this.wakePending = true;
    });
  }

  private lanes(): string[] {
    const names = new Set([...Object.keys(this.laneLimits), ...this.registry.lanes()]);
    return [...names];
  }

  private limitOf(lane: string): number {
    return this.laneLimits[lane] ?? 1;
  }

  private async runLoop(): Promise<void> {
    let nextReapAt = this.clock.now();
    while (!this.stopping) {
      // Deadlines are taken from the start of the round: if the clock moved while we were busy (a slow query, or a
      // test advancing a ManualClock), the next round starts at once instead of sleeping past due work.
      const roundStartedAt = this.clock.now();
      let claimed = 0;
      try {
        if (this.clock.now() >= nextReapAt) {
          nextReapAt = this.clock.now() + this.reapIntervalMs;
          await this.reap();
        }
        claimed = await this.claimRound();
      } catch (error) {
        // The database is unreachable or failing: keep running, try again after a poll interval.
        this.logger.error({ err: error }, 'task claim failed');
      }
      if (claimed > 0 || this.stopping) continue;
      const wait = Math.min(roundStartedAt + this.pollIntervalMs, nextReapAt) - this.clock.now();
      // Slept the whole interval (no wake-up): the next round looks at every lane.
      if (wait > 0) this.fullRound = !(await this.waitForWork(wait)) || this.fullRound;
      else this.fullRound = true;
    }
  }

  /**
   * One pass round the lanes (rotating the starting lane): each lane with free slots claims up to that many tasks
   * in one statement. Lanes never wait for one another: a lane's claim only ever takes that lane's tasks.
   */
  private async claimRound(): Promise<number> {
    const lanes = this.lanes();
    const full = this.fullRound;
    this.fullRound = false;
    const start = this.rotation++ % Math.max(1, lanes.length);
    let claimed = 0;
    for (let i = 0; i < lanes.length && !this.stopping; i++) {
      const lane = present(lanes[(start + i) % lanes.length], 'the index is taken modulo the length');
      if (!full && !this.maybeWork.has(lane)) continue;
      const free = this.limitOf(lane) - this.activeCount(lane);
      if (free <= 0) continue;
      const kinds = this.registry.kindsOfLane(lane);
      if (kinds.length === 0) continue;
      // Cleared before the query: a wake-up arriving meanwhile marks the lane again.
      this.maybeWork.delete(lane);
      const tasks = await this.queue.claimMany({ lane, kinds, workerId: this.workerId, leaseMs: this.leaseMs, limit: free });
      if (tasks.length === free) this.maybeWork.add(lane);
      for (const task of tasks) this.execute(task);
      claimed += tasks.length;
    }
    return claimed;
  }

  /** Sleeps until woken or `ms` passed; true when woken. */
  private async waitForWork(ms: number): Promise<boolean> {
    if (this.wakePending || this.stopping) {
      this.wakePending = false;
      return true;
    }
    const abort = new AbortController();
    this.waitAbort = abort;
    try {
      await this.clock.sleep(ms, abort.signal);
      return abort.signal.aborted;
    } finally {
      this.waitAbort = null;
      this.wakePending = false;
    }
  }

  // ---------------------------------------------------------------- one execution

  private execute(task: TaskRow): RunningTask {
    const entry: RunningTask = { task, controller: new AbortController(), finished: new AbortController(), released: false, abandoned: false, promise: null as unknown as Promise<SettledTask> };
    this.running.set(task.id, entry);
    entry.promise = this.runTask(entry).catch((error: unknown): SettledTask => {
      // Recording the outcome failed (the database refused or is gone): nothing is written, the lease is no longer
      // extended, and the reaper runs the task again once it expires — as if this worker had died. Never a rejection
      // nobody handles: that would end the process, and every lane and the webhook intake with it.
      entry.finished.abort(FINISHED);
      this.logger.error({ err: error, taskId: task.id, kind: task.kind, lane: task.lane }, 'could not record a task outcome; the reaper will run it again when its lease expires');
      return { task, outcome: 'lost', error: describeError(error), failure: error };
    }).then((settled) => {
      this.running.delete(task.id);
      for (const l of this.settledListeners) {
        try {
          l(settled);
        } catch {
          // An observer's failure is not the task's.
        }
      }
      // A freed slot, and maybe a task of the same serial key now claimable: look at this lane again (only this one).
      this.wake(task.lane);
      return settled;
    });
    return entry;
  }

  private async runTask(entry: RunningTask): Promise<SettledTask> {
    const { task } = entry;
    const startedAt = performance.now();
    // The task's logger is made on first use: a child logger (bindings serialized and redacted) cost more CPU than a
    // webhook's whole processing, and most tasks never log.
    let child: Logger | undefined;
    const log = (): Logger => (child ??= this.logger.child({ taskId: task.id, kind: task.kind, lane: task.lane, attempt: task.attempts }));
    const definition = this.registry.get(task.kind);
    let settled: SettledTask;
    if (!definition) {
      // Cannot happen through claim() (it filters on known kinds); runOne() of a foreign kind ends here.
      await this.queue.release(task.id, this.workerId);
      settled = { task, outcome: 'released', error: `No handler for "${task.kind}" in this process` };
    } else {
      const payload = parsePayload(definition, task.payload);
      settled = payload.ok
        ? await this.runHandler(entry, definition, payload.value, log)
        : await this.deadLetter(task, definition, payload.reason);
    }
    this.metrics?.taskRuns.inc({ kind: task.kind, lane: task.lane, outcome: settled.outcome });
    this.metrics?.taskDuration.observe({ kind: task.kind }, (performance.now() - startedAt) / 1000);
    const err = settled.failure ?? settled.error;
    if (settled.outcome === 'dead') log().error({ err }, 'task dead-lettered');
    else if (settled.outcome === 'retry' || settled.outcome === 'rate_limited') log().warn({ err }, `task will be retried (${settled.outcome})`);
    else if (settled.outcome === 'lost') log().warn({ err }, 'task lease was lost; its outcome was not recorded (another worker owns it now, or the reaper will)');
    return settled;
  }

  private async runHandler(entry: RunningTask, definition: TaskDefinition<unknown>, payload: unknown, log: () => Logger): Promise<SettledTask> {
    const { task, controller } = entry;
    let leaseLost = false;
    let timedOut = false;
    const done = entry.finished;
    const extendLease = async () => {
      if (leaseLost || entry.released || entry.abandoned) return;
      if (!(await this.queue.heartbeat(task.id, this.workerId, this.leaseMs))) {
        leaseLost = true;
        controller.abort(new Error('Lease lost'));
      }
    };
    const heartbeats = (async () => {
      let nextBeatAt = this.clock.now() + this.heartbeatMs;
      while (!done.signal.aborted) {
        await this.clock.sleep(nextBeatAt - this.clock.now(), done.signal);
        nextBeatAt += this.heartbeatMs;
        if (done.signal.aborted) break;
        try {
          await extendLease();
        } catch (error) {
          log().warn({ err: error }, 'heartbeat failed; will try again');
        }
        if (leaseLost) break;
      }
    })();
    // Resolved when the handler outlived its timeout by the grace period: it is given up on.
    let giveUp!: () => void;
    const givenUp = new Promise<null>((resolve) => (giveUp = () => resolve(null)));
    if (definition.timeoutMs !== undefined) {
      const timeoutMs = definition.timeoutMs;
      void (async () => {
        await this.clock.sleep(timeoutMs, done.signal);
        if (done.signal.aborted) return;
        timedOut = true;
        controller.abort(new TaskTimeoutError(`Timed out after ${timeoutMs} ms`));
        await this.clock.sleep(this.timeoutGraceMs, done.signal);
        if (!done.signal.aborted) giveUp();
      })();
    }
    const ctx: TaskContext = {
      task: { id: task.id, kind: task.kind, lane: task.lane, attempt: task.attempts, maxAttempts: task.max_attempts, connectionId: task.connection_id },
      signal: controller.signal,
      get logger() {
        return log();
      },
      heartbeat: extendLease,
      yield: () => new Promise((resolve) => setImmediate(resolve)),
    };
    const handled = (async () => definition.handler(payload, ctx))().then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    try {
      const first = await Promise.race([handled, givenUp]);
      if (first === null) {
        // The handler ignores its signal. Stop vouching for it (no more heartbeats), free its slot, and record a retry;
        // if it ever settles, nothing of it is written.
        entry.abandoned = true;
        const abandonedAt = this.clock.now();
        done.abort(FINISHED);
        void handled.then((late) => log().warn({ err: late.ok ? undefined : late.error, lateByMs: this.clock.now() - abandonedAt }, 'an abandoned handler (timed out) settled at last; its outcome is ignored'));
        if (entry.released) return { task, outcome: 'released' };
        if (leaseLost) return { task, outcome: 'lost' };
        return await this.classify(task, definition, new TaskTimeoutError(`Timed out after ${definition.timeoutMs} ms and still running ${this.timeoutGraceMs} ms after its signal was aborted: abandoned (slot freed)`));
      }
      if (first.ok) {
        if (entry.released) return { task, outcome: 'released' };
        if (leaseLost) return { task, outcome: 'lost' };
        let ok: boolean;
        try {
          ok = await this.queue.complete(task.id, this.workerId, first.result);
        } catch (writeError) {
          // The work is done but could not be recorded: the reaper runs it again (handlers are idempotent).
          log().error({ err: writeError }, 'could not record a task success; the reaper will run it again when its lease expires');
          return { task, outcome: 'lost', error: describeError(writeError), failure: writeError };
        }
        return { task, outcome: ok ? 'done' : 'lost', result: first.result };
      }
      const error = first.error;
      if (entry.released) return { task, outcome: 'released', error: errorMessage(error), failure: error };
      if (leaseLost) return { task, outcome: 'lost', error: errorMessage(error), failure: error };
      return await this.classify(task, definition, timedOut ? new TaskTimeoutError(`Timed out after ${definition.timeoutMs} ms: ${errorMessage(error)}`, { cause: error }) : error);
    } finally {
      done.abort(FINISHED);
      await heartbeats;
    }
  }

  /** The one place where an error decides a task's fate. */
  private async classify(task: TaskRow, definition: TaskDefinition<unknown>, error: unknown): Promise<SettledTask> {
    const message = describeError(error);
    try {
      if (error instanceof RateLimitedError) {
        const ok = await this.queue.reschedule(task.id, this.workerId, error.retryAfterMs, `Rate limited (retry in ${error.retryAfterMs} ms): ${error.message}`);
        return { task, outcome: ok ? 'rate_limited' : 'lost', error: message, failure: error };
      }
      const permanent = error instanceof PermanentError || error instanceof ValidationError || error instanceof NotConfiguredError;
      const outcome = await this.queue.fail(task, this.workerId, message, { permanent, stack: errorStack(error) });
      if (outcome.status === 'dead') {
        await this.notifyDead(definition, task, outcome.reason);
        return { task, outcome: 'dead', error: message, failure: error };
      }
      return { task, outcome: outcome.status === 'pending' ? 'retry' : 'lost', error: message, failure: error };
    } catch (writeError) {
      // The outcome could not be stored (database down): the lease will expire and the reaper retries the task.
      this.logger.error({ taskId: task.id, err: writeError, failure: message }, 'could not record a task failure; the reaper will run it again when its lease expires');
      return { task, outcome: 'lost', error: message, failure: error };
    }
  }

  private async deadLetter(task: TaskRow, definition: TaskDefinition<unknown>, reason: string): Promise<SettledTask> {
    const ok = await this.queue.markDead(task.id, this.workerId, reason);
    if (ok) await this.notifyDead(definition, task, reason);
    return { task, outcome: ok ? 'dead' : 'lost', error: reason };
  }

  private async notifyDead(definition: TaskDefinition<unknown> | undefined, task: TaskRow, reason: string): Promise<void> {
    if (!definition?.onDead) return;
    try {
      await definition.onDead({ ...task, status: 'dead', last_error: reason }, reason);
    } catch (error) {
      this.logger.error({ taskId: task.id, kind: task.kind, err: error }, 'onDead hook failed');
    }
  }
}

function parsePayload(definition: TaskDefinition<unknown>, text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'Invalid payload: not JSON' };
  }
  const parsed = definition.payload.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `Invalid payload for "${definition.kind}": ${describeIssues(parsed.error)}` };
  return { ok: true, value: parsed.data };
}

/** "Class: message" — the class tells an operator at a glance whether it was ours, theirs, or the network's. */
function describeError(error: unknown): string {
  if (error instanceof TaskTimeoutError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 4000);
  return String(error).slice(0, 4000);
}
