/**
 * TaskQueue: the durable task table's operations (graphile-worker / pg-boss semantics on our own `tasks` table).
 *
 *   const queue = new TaskQueue(db, clock, { registry });          // AppContext.tasks
 *   await queue.enqueue('orders.import', payload, { connectionId, dedupeKey, serialKey });
 *   await queue.transaction(async (tx) => { await myRepo.insert(tx.db, …); await tx.enqueue(kind, payload) });
 *
 * Lifecycle: pending → running (claimed with a lease) → done | pending again (retry, rate limit, released, lease
 * expired) | dead (permanent error, out of attempts, invalid payload). A dead task can be retried by a person.
 * Guarantees, held by the database itself so they hold across processes:
 * - a pending task is claimed by one worker (FOR UPDATE SKIP LOCKED on PostgreSQL; one UPDATE … RETURNING on SQLite);
 * - at most one PENDING task per dedupe key (unique partial index `tasks_dedupe_pending`);
 * - never two RUNNING tasks per serial key (unique partial index `tasks_serial_running`; a claim that loses the race
 *   gets a unique violation and simply tries again);
 * - every outcome is written only by the lease holder (`locked_by`): a worker whose lease expired and was reaped
 *   cannot overwrite the new holder's work.
 * Attempts are counted when a task is claimed. A rate-limited reschedule, a release on graceful stop and a manual
 * retry give the attempt back (rate limit, release) or reset the count (manual retry); a lease that expired keeps it
 * spent (the worker died holding it, which may be the task's fault).
 * Delivery is at least once: handlers must be idempotent (a worker can die after doing the work, before recording it).
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { Database } from '../storage/schema.ts';
import type { Clock } from '../shared/clock.ts';
import { ValidationError } from '../shared/errors.ts';
import { GroupCommit } from '../storage/group-commit.ts';
import { leaseHeldBy, leaseRunOut, leaseUntil } from '../storage/lease.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './task.backoff.ts';
import type { TaskKind, TaskRegistry } from './task.registry.ts';
import {
  DEFAULT_MAX_ATTEMPTS, TASK_STATUSES,
  type EnqueueOptions, type EnqueueResult, type LaneCount, type TaskFilter, type TaskListRow, type TaskPage, type TaskRow, type TaskStatus,
} from './task.types.ts';

/** A task's lease (storage/lease.ts): the worker that claimed it, until its heartbeat stops. */
const TASK_LEASE = { owner: 'locked_by', until: 'locked_until' } as const;

export interface TaskQueueOptions {
  /** Supplies each kind's lane and attempt budget, and validates payloads when they are enqueued. */
  registry?: TaskRegistry;
  backoff?: BackoffPolicy;
  /** Injected for tests of the jittered schedule. */
  random?: () => number;
}

/**
 * Every enqueue (one per acknowledged webhook) inserts with this column list; its SQL is written once per queue rather
 * than built by the query builder each time (building and compiling cost more than the insert itself).
 */
const TASK_INSERT_COLUMNS = [
  'connection_id', 'kind', 'lane', 'payload', 'status', 'priority', 'run_at', 'attempts', 'max_attempts', 'dedupe_key',
  'serial_key', 'created_at', 'updated_at',
] as const;

/** What `queue.transaction` hands to its callback: the open transaction and an enqueue bound to it. */
export interface TaskTransaction {
  db: Kysely<Database>;
  enqueue<P>(kind: TaskKind<P> | string, payload: P, options?: EnqueueOptions): Promise<EnqueueResult>;
}

export type FailOutcome = { status: 'pending'; runAt: number } | { status: 'dead'; reason: string } | { status: 'lost' };

/** A claimed task as the worker holds it (only the fields the outcomes need). */
export interface HeldTask {
  id: number;
  attempts: number;
  max_attempts: number;
}

export class TaskQueue {
  private readonly listeners = new Set<(lane: string) => void>();
  private readonly registry?: TaskRegistry;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly completions = new GroupCommit((items: { id: number; workerId: string; result: string | null }[]) => this.completeMany(items));

  /** The enqueue's insert, written once (see TASK_INSERT_COLUMNS). */
  private readonly insertSql: string;

  constructor(readonly db: Db, private readonly clock: Clock, options: TaskQueueOptions = {}) {
    const params = TASK_INSERT_COLUMNS.map((_, i) => (db.dialect === 'postgres' ? `$${i + 1}` : '?')).join(', ');
    this.insertSql = `INSERT INTO tasks (${TASK_INSERT_COLUMNS.join(', ')}) VALUES (${params}) ON CONFLICT DO NOTHING RETURNING id`;
    this.registry = options.registry;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
  }

  // ---------------------------------------------------------------- enqueue and wake-up

  /**
   * Stores a task and wakes this process's workers at once. With `executor` (an open transaction), nobody is woken:
   * the task is not visible before commit — use `transaction()` instead, which wakes after the commit.
   */
  async enqueue<P>(kind: TaskKind<P> | string, payload: P, options: EnqueueOptions = {}, executor?: Kysely<Database>): Promise<EnqueueResult> {
    const result = await this.insert(executor ?? this.db.kysely, kind, payload, options);
    if (!executor) this.wake(result.lane);
    return result;
  }

  /** Runs `fn` in one transaction; tasks it enqueues become visible (and wake the workers) only once it commits. */
  async transaction<T>(fn: (tx: TaskTransaction) => Promise<T>): Promise<T> {
    const lanes = new Set<string>();
    const result = await this.db.kysely.transaction().execute((trx) => fn({
      db: trx,
      enqueue: async (kind, payload, options) => {
        const r = await this.insert(trx, kind, payload, options ?? {});
        lanes.add(r.lane);
        return r;
      },
    }));
    for (const lane of lanes) this.wake(lane);
    return result;
  }

  /** In-process wake-up: workers listening start claiming now instead of at their next poll. */
  onEnqueued(listener: (lane: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  wake(lane: string): void {
    for (const l of this.listeners) l(lane);
  }

  private async insert(executor: Kysely<Database>, kindOrHandle: TaskKind<unknown> | string, payload: unknown, options: EnqueueOptions): Promise<EnqueueResult> {
    const kind = typeof kindOrHandle === 'string' ? kindOrHandle : kindOrHandle.kind;
    const definition = this.registry?.get(kind);
    const lane = options.lane ?? definition?.lane;
    if (!lane) throw new ValidationError(`Unknown task kind "${kind}": define it in the task registry or give a lane`);
    const maxAttempts = options.maxAttempts ?? definition?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new ValidationError(`maxAttempts must be a whole number ≥ 1 (got ${maxAttempts})`);
    const value = this.registry ? this.registry.validate(kind, payload) : payload;
    const now = this.clock.now();
    const row = {
      connection_id: options.connectionId ?? null,
      kind,
      lane,
      payload: JSON.stringify(value ?? null),
      status: 'pending' as const,
      priority: options.priority ?? 0,
      run_at: options.runAt ?? now,
      attempts: 0,
      max_attempts: maxAttempts,
      dedupe_key: options.dedupeKey ?? null,
      serial_key: options.serialKey ?? null,
      created_at: now,
      updated_at: now,
    };
    // ON CONFLICT DO NOTHING (no target: the only unique index an insert of a pending task can hit is the dedupe
    // one) works alike on both dialects and, unlike catching the error, never aborts an enclosing PostgreSQL
    // transaction. A conflicting concurrent insert is waited for, then skipped.
    for (let round = 0; round < 10; round++) {
      const [inserted] = (await executor.executeQuery<{ id: number }>(CompiledQuery.raw(this.insertSql, TASK_INSERT_COLUMNS.map((c) => row[c])))).rows;
      if (inserted) return { id: Number(inserted.id), deduped: false, lane };
      if (!row.dedupe_key) throw new Error(`Task insert of kind "${kind}" conflicted without a dedupe key`);
      const existing = await executor.selectFrom('tasks').select(['id', 'lane']).where('dedupe_key', '=', row.dedupe_key).where('status', '=', PENDING).executeTakeFirst();
      if (existing) return { id: existing.id, deduped: true, lane: existing.lane };
      // The pending task was claimed between our insert and our look-up: our task is needed after all.
    }
    throw new Error(`Could not enqueue "${kind}" with dedupe key "${row.dedupe_key}": the key kept changing hands`);
  }

  // ---------------------------------------------------------------- claim, lease, outcomes

  /**
   * Claims the next due task of one lane among the given kinds (highest priority, then earliest run_at, then
   * oldest), skipping tasks whose serial key is running. Returns null when there is none.
   */
  async claim(params: { lane: string; kinds: string[]; workerId: string; leaseMs: number }): Promise<TaskRow | null> {
    return (await this.claimMany({ ...params, limit: 1 }))[0] ?? null;
  }

  /** Claims up to `limit` due tasks of one lane in one statement (a worker fills its free slots at once). */
  async claimMany(params: { lane: string; kinds: string[]; workerId: string; leaseMs: number; limit: number }): Promise<TaskRow[]> {
    if (params.kinds.length === 0 || params.limit < 1) return [];
    let limit = params.limit;
    for (let round = 0; round < 5; round++) {
      try {
        return await this.claimOnce(params, null, limit);
      } catch (error) {
        // Another worker started a task with the same serial key between our look and our update — or this batch
        // held two tasks of one serial key (the check only sees running tasks): try again, one at a time.
        if (!isUniqueViolation(error)) throw error;
        limit = 1;
      }
    }
    return [];
  }

  /** Claims one specific pending task (CLI "run inline"); null if it is not pending, not due, or its key is busy. */
  async claimById(id: number, params: { workerId: string; leaseMs: number; kinds?: string[] }): Promise<TaskRow | null> {
    try {
      return (await this.claimOnce({ ...params, lane: null, kinds: params.kinds ?? null }, id, 1))[0] ?? null;
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /**
   * The claim is the hottest statement, so its SQL is written by hand rather than built with the query builder on
   * every call (building cost more than running it). Statuses are literals:
   * SQLite uses the partial indexes (tasks_claim_order, tasks_serial_running) only when it can see at prepare time
   * that the query implies their WHERE.
   */
  private async claimOnce(params: { lane: string | null; kinds: string[] | null; workerId: string; leaseMs: number }, id: number | null, limit: number): Promise<TaskRow[]> {
    const now = this.clock.now();
    const pg = this.db.dialect === 'postgres';
    const values: unknown[] = [params.workerId, leaseUntil(now, params.leaseMs), now, now];
    const filters: string[] = [];
    const next = (value: unknown) => {
      values.push(value);
      return pg ? `$${values.length}` : '?';
    };
    const head = pg ? ['$1', '$2', '$3', '$4'] : ['?', '?', '?', '?'];
    if (params.lane !== null) filters.push(`AND t.lane = ${next(params.lane)}`);
    if (params.kinds !== null) filters.push(`AND t.kind IN (${params.kinds.map((k) => next(k)).join(', ')})`);
    if (id !== null) filters.push(`AND t.id = ${next(id)}`);
    const limitParam = next(limit);
    const pick = `SELECT t.id FROM tasks AS t
        WHERE t.status = 'pending' AND t.run_at <= ${head[3]} ${filters.join(' ')}
          AND (t.serial_key IS NULL OR NOT EXISTS (SELECT 1 FROM tasks AS r WHERE r.status = 'running' AND r.serial_key = t.serial_key))
        ORDER BY t.priority DESC, t.run_at, t.id
        LIMIT ${limitParam}`;
    const set = `status = 'running', attempts = attempts + 1, locked_by = ${head[0]}, locked_until = ${head[1]}, updated_at = ${head[2]}`;
    // PostgreSQL: the locking pick is a materialized CTE, run once. As `id IN (subquery)` the planner may rescan the
    // subquery per row (a semi join), and every rescan skips its own locks and picks again: far more than LIMIT rows.
    // The status is re-checked as a guard. SQLite has one writer: a plain `IN` list, evaluated once, suffices.
    const text = pg
      ? `WITH picked AS MATERIALIZED (${pick} FOR UPDATE SKIP LOCKED)
         UPDATE tasks SET ${set} FROM picked WHERE tasks.id = picked.id AND tasks.status = 'pending' RETURNING tasks.*`
      : `UPDATE tasks SET ${set} WHERE id IN (${pick}) RETURNING *`;
    const result = await this.db.kysely.executeQuery<TaskRow>(CompiledQuery.raw(text, values));
    return [...result.rows].sort((a, b) => b.priority - a.priority || a.run_at - b.run_at || a.id - b.id);
  }

  /** Extends the lease; false when this worker no longer holds the task (reaped, released). */
  async heartbeat(id: number, workerId: string, leaseMs: number): Promise<boolean> {
    const now = this.clock.now();
    const res = await this.db.kysely.updateTable('tasks').set({ locked_until: leaseUntil(now, leaseMs), updated_at: now })
      .where('id', '=', id).where('status', '=', 'running').where(leaseHeldBy(TASK_LEASE, workerId)).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Records success; false when this worker no longer holds the task. Completions of one turn share a commit. */
  complete(id: number, workerId: string, result: unknown): Promise<boolean> {
    return this.completions.submit({ id, workerId, result: result === undefined ? null : JSON.stringify(result) });
  }

  private completeMany(items: { id: number; workerId: string; result: string | null }[]): Promise<boolean[]> {
    const now = this.clock.now();
    return this.db.kysely.transaction().execute(async (trx) => {
      const held: boolean[] = [];
      for (const item of items) {
        const res = await trx.updateTable('tasks').set({
          status: 'done', result: item.result, locked_by: null, locked_until: null, finished_at: now, updated_at: now,
        }).where('id', '=', item.id).where('status', '=', 'running').where(leaseHeldBy(TASK_LEASE, item.workerId)).executeTakeFirst();
        held.push(Number(res.numUpdatedRows) === 1);
      }
      return held;
    });
  }

  /**
   * A failed attempt: dead at once when `permanent` or when the attempts are spent (keeping the error as the
   * reason), otherwise pending again after the backoff delay of this attempt.
   */
  async fail(task: HeldTask, workerId: string, error: string, options: { permanent?: boolean; stack?: string | null } = {}): Promise<FailOutcome> {
    const now = this.clock.now();
    if (options.permanent || task.attempts >= task.max_attempts) {
      const reason = options.permanent ? error : `${error} (gave up after ${task.attempts} attempt${task.attempts === 1 ? '' : 's'})`;
      return (await this.markDead(task.id, workerId, reason, options.stack)) ? { status: 'dead', reason } : { status: 'lost' };
    }
    const runAt = now + backoffDelay(task.attempts, this.backoff, this.random);
    const ok = await this.toPending(task.id, { workerId }, { run_at: runAt, last_error: error, last_error_stack: options.stack ?? null });
    return ok ? { status: 'pending', runAt } : { status: 'lost' };
  }

  /** Dead-letters a held task with a reason (permanent error, invalid payload) and the stack behind it, if any. */
  async markDead(id: number, workerId: string, reason: string, stack: string | null = null): Promise<boolean> {
    const now = this.clock.now();
    const res = await this.db.kysely.updateTable('tasks').set({
      status: 'dead', last_error: reason, last_error_stack: stack, locked_by: null, locked_until: null, finished_at: now, updated_at: now,
    }).where('id', '=', id).where('status', '=', 'running').where(leaseHeldBy(TASK_LEASE, workerId)).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Rate limited: pending again at now + delayMs, and the attempt is given back (it was not the task's fault). */
  async reschedule(id: number, workerId: string, delayMs: number, reason: string): Promise<boolean> {
    const now = this.clock.now();
    return this.toPending(id, { workerId, refundAttempt: true }, { run_at: now + Math.max(0, delayMs), last_error: reason, last_error_stack: null });
  }

  /** The latest tasks of one serial key (an order's imports), newest first: what other modules show of their work. */
  async recentOfSerialKey(serialKey: string, limit: number) {
    return this.db.kysely.selectFrom('tasks').select(['id', 'status', 'attempts', 'max_attempts', 'run_at', 'last_error', 'result', 'created_at', 'finished_at'])
      .where('serial_key', '=', serialKey).orderBy('id', 'desc').limit(limit).execute();
  }

  /** True while a task of this serial key is queued or running. */
  async serialKeyInFlight(serialKey: string): Promise<boolean> {
    const row = await this.db.kysely.selectFrom('tasks').select('id')
      .where('serial_key', '=', serialKey).where('status', 'in', ['pending', 'running']).limit(1).executeTakeFirst();
    return Boolean(row);
  }

  /** Graceful stop: back to pending at once, attempt given back (the worker, not the task, interrupted it). */
  async release(id: number, workerId: string): Promise<boolean> {
    return this.toPending(id, { workerId, refundAttempt: true }, { run_at: this.clock.now() });
  }

  /**
   * Moves a task back to pending. If another pending task took its dedupe key meanwhile (enqueued while this one
   * ran), this one drops the key rather than violate the index: both run, which at-least-once handlers tolerate,
   * and no work is lost.
   */
  private async toPending(
    id: number,
    guard: { workerId?: string; fromStatus?: TaskStatus; refundAttempt?: boolean; resetAttempts?: boolean; expiredBefore?: number; leaseUntil?: number },
    fields: { run_at: number; last_error?: string; last_error_stack?: string | null },
  ): Promise<boolean> {
    const now = this.clock.now();
    for (let round = 0; round < 5; round++) {
      try {
        let q = this.db.kysely.updateTable('tasks').set(() => ({
          status: 'pending',
          run_at: fields.run_at,
          ...(fields.last_error !== undefined ? { last_error: fields.last_error, last_error_stack: fields.last_error_stack ?? null } : {}),
          ...(guard.resetAttempts ? { attempts: 0 } : guard.refundAttempt ? { attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end` } : {}),
          locked_by: null,
          locked_until: null,
          finished_at: null,
          updated_at: now,
          dedupe_key: sql<string | null>`case when dedupe_key is not null and exists (select 1 from tasks p where p.dedupe_key = tasks.dedupe_key and p.status = 'pending' and p.id <> tasks.id) then null else dedupe_key end`,
        })).where('id', '=', id).where('status', '=', guard.fromStatus ?? 'running');
        if (guard.workerId !== undefined) q = q.where(leaseHeldBy(TASK_LEASE, guard.workerId));
        if (guard.expiredBefore !== undefined) q = q.where(leaseRunOut(TASK_LEASE, guard.expiredBefore));
        if (guard.leaseUntil !== undefined) q = q.where('locked_until', '=', guard.leaseUntil);
        const res = await q.executeTakeFirst();
        return Number(res.numUpdatedRows) === 1;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- reaper, manual retry, retention

  /**
   * Returns tasks whose lease expired (their worker died or hung without heartbeating) to pending at once, or
   * dead-letters them when that was their last attempt. Safe to run from every worker concurrently.
   * `holderGone` (SQLite, where every worker runs on this machine) names lease holders known to be dead already: their
   * tasks are taken back without waiting for the lease to run out.
   */
  async reap(holderGone?: (lockedBy: string) => boolean): Promise<{ requeued: TaskRow[]; dead: TaskRow[] }> {
    const now = this.clock.now();
    const expired = await this.db.kysely.selectFrom('tasks').selectAll()
      .where('status', '=', 'running').where(leaseRunOut(TASK_LEASE, now)).orderBy('id').limit(500).execute();
    const orphaned = holderGone
      ? (await this.db.kysely.selectFrom('tasks').selectAll().where('status', '=', 'running').where('locked_until', '>=', now).orderBy('id').limit(500).execute())
        .filter((t) => t.locked_by !== null && holderGone(t.locked_by))
      : [];
    const requeued: TaskRow[] = [];
    const dead: TaskRow[] = [];
    for (const task of [...expired, ...orphaned]) {
      const gone = !expired.includes(task);
      const reason = gone
        ? `Worker ${task.locked_by} is gone: its process ended while running this (attempt ${task.attempts} of ${task.max_attempts})`
        : `Lease expired: worker ${task.locked_by ?? '?'} stopped heartbeating (attempt ${task.attempts} of ${task.max_attempts})`;
      // The same holder and the same lease as seen: a task taken meanwhile by someone else is left alone.
      const guard = gone ? { workerId: task.locked_by!, leaseUntil: task.locked_until! } : { expiredBefore: now };
      if (task.attempts >= task.max_attempts) {
        let q = this.db.kysely.updateTable('tasks').set({
          status: 'dead', last_error: `${reason}; no attempts left`, last_error_stack: null, locked_by: null, locked_until: null, finished_at: now, updated_at: now,
        }).where('id', '=', task.id).where('status', '=', 'running');
        q = gone ? q.where('locked_by', '=', task.locked_by).where('locked_until', '=', task.locked_until) : q.where(leaseRunOut(TASK_LEASE, now));
        const res = await q.executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) dead.push({ ...task, status: 'dead', last_error: `${reason}; no attempts left`, last_error_stack: null });
      } else if (await this.toPending(task.id, guard, { run_at: now, last_error: reason })) {
        requeued.push({ ...task, status: 'pending', last_error: reason, last_error_stack: null });
      }
    }
    return { requeued, dead };
  }

  /**
   * Manual retry of a dead task: pending again now with its attempt count reset to 0 (a full budget, as if new);
   * `last_error` stays visible until the next attempt overwrites it. Only dead tasks can be retried.
   */
  async retry(id: number): Promise<TaskRow> {
    const task = await this.db.kysely.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!task) throw new ValidationError(`No task #${id}`);
    if (task.status !== 'dead') throw new ValidationError(`Task #${id} is ${task.status}: only dead tasks can be retried`);
    const ok = await this.toPending(id, { fromStatus: 'dead', resetAttempts: true }, { run_at: this.clock.now() });
    if (!ok) throw new ValidationError(`Task #${id} changed while retrying it; look again`);
    this.wake(task.lane);
    return (await this.db.kysely.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
  }

  /** Deletes finished tasks (done and/or dead) that finished before `before`; returns how many. */
  async cleanFinished(before: number, statuses: ('done' | 'dead')[] = ['done', 'dead']): Promise<number> {
    let total = 0;
    // In chunks, so a large backlog never holds SQLite's single writer (or a long PostgreSQL lock) for long.
    for (;;) {
      const res = await this.db.kysely.deleteFrom('tasks').where('id', 'in', (eb) => eb.selectFrom('tasks').select('id')
        .where('status', 'in', statuses).where('finished_at', '<', before).limit(2000)).executeTakeFirst();
      const n = Number(res.numDeletedRows ?? 0);
      total += n;
      if (n < 2000) return total;
    }
  }

  // ---------------------------------------------------------------- reading

  async get(id: number): Promise<TaskListRow | undefined> {
    return this.listQuery({}).where('tasks.id', '=', id).executeTakeFirst();
  }

  /** Newest first, with the total and per-status counts of the same filter (console and CLI). */
  async list(filter: TaskFilter = {}, page: { limit?: number; offset?: number } = {}): Promise<TaskPage> {
    const rows = await this.listQuery(filter).orderBy('tasks.id', 'desc').limit(page.limit ?? 50).offset(page.offset ?? 0).execute();
    const counts = await this.listQuery({ ...filter, status: undefined }).clearSelect()
      .select(['tasks.status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('tasks.status').execute();
    const byStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    for (const c of counts) byStatus[c.status] = Number(c.n);
    const total = filter.status ? byStatus[filter.status] : Object.values(byStatus).reduce((a, b) => a + b, 0);
    return { rows, total, byStatus };
  }

  private listQuery(filter: TaskFilter) {
    let q = this.db.kysely.selectFrom('tasks').leftJoin('connections', 'connections.id', 'tasks.connection_id')
      .selectAll('tasks').select('connections.name as connection_name');
    if (filter.status) q = q.where('tasks.status', '=', filter.status);
    if (filter.lane) q = q.where('tasks.lane', '=', filter.lane);
    if (filter.kind) q = q.where('tasks.kind', '=', filter.kind);
    if (filter.connectionId !== undefined) q = q.where('tasks.connection_id', '=', filter.connectionId);
    if (filter.connectionName !== undefined) q = q.where('connections.name', '=', filter.connectionName);
    return q;
  }

  /** Tasks per status and lane (the `poleepo_odoo_tasks` gauge). */
  async countsByStatusAndLane(): Promise<LaneCount[]> {
    const rows = await this.db.kysely.selectFrom('tasks').select(['status', 'lane', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['status', 'lane']).execute();
    return rows.map((r) => ({ status: r.status, lane: r.lane, count: Number(r.n) }));
  }
}

const PENDING = sql.lit<TaskStatus>('pending');

/** A unique-index violation on either dialect (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
