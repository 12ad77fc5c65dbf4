import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { Database, JobRunStatus, JobRunsTable, JobSchedulesTable, TaskStatus } from '../storage/schema.ts';
import type { JobDefinition } from './jobs.definitions.ts';

export type JobScheduleRow = Selectable<JobSchedulesTable>;
export type JobRunRow = Selectable<JobRunsTable>;
/** A run with the status of its task (null when it has none or the task was cleaned away). */
export type JobRunWithTask = JobRunRow & { task_status: TaskStatus | null; task_attempts: number | null; task_error: string | null };

/** Data access for `job_schedules` and `job_runs`. Methods that take part in a tick claim accept the transaction. */
export class JobsRepo {
  constructor(private readonly db: Db) {}

  /** Inserts the default schedule of every job that has none (existing rows, edited by people, are kept). */
  async ensureSchedules(definitions: readonly JobDefinition[], now: number): Promise<void> {
    await this.db.kysely.insertInto('job_schedules')
      .values(definitions.map((d) => ({ name: d.name, enabled: d.defaultEnabled ? 1 : 0, interval_ms: d.defaultIntervalMs, last_tick_at: null, updated_at: now })))
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }

  async schedules(): Promise<JobScheduleRow[]> {
    return this.db.kysely.selectFrom('job_schedules').selectAll().execute();
  }

  async schedule(name: string): Promise<JobScheduleRow | undefined> {
    return this.db.kysely.selectFrom('job_schedules').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async updateSchedule(name: string, fields: Partial<Pick<JobScheduleRow, 'enabled' | 'interval_ms' | 'last_tick_at'>>, now: number): Promise<void> {
    await this.db.kysely.updateTable('job_schedules').set({ ...fields, updated_at: now }).where('name', '=', name).execute();
  }

  /** Moves last_tick_at forward only (two schedulers may both record the same tick). */
  async advanceLastTick(name: string, tickAt: number, now: number): Promise<void> {
    await this.db.kysely.updateTable('job_schedules').set({ last_tick_at: tickAt, updated_at: now })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('last_tick_at', 'is', null), eb('last_tick_at', '<', tickAt)]))
      .execute();
  }

  /** The run of this job whose task is still pending or running (what blocks an overlapping run), if any. */
  async activeRun(name: string, executor: Kysely<Database> = this.db.kysely): Promise<JobRunWithTask | undefined> {
    // A run its handler has finished is over, even while its task's completion is still being committed.
    return this.withTask(executor).where('job_runs.job_name', '=', name).where('job_runs.status', 'in', ['queued', 'running'])
      .where('tasks.status', 'in', ['pending', 'running'])
      .orderBy('job_runs.id', 'desc').limit(1).executeTakeFirst();
  }

  /** Inserts a run unless this (job, tick) already has one; returns its id, or null when the tick was taken. */
  async insertRun(executor: Kysely<Database>, run: Omit<JobRunRow, 'id'>): Promise<number | null> {
    const row = await executor.insertInto('job_runs').values(run).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
    return row?.id ?? null;
  }

  async updateRun(id: number, fields: Partial<Omit<JobRunRow, 'id' | 'job_name' | 'tick_at' | 'trigger' | 'created_at'>>, executor: Kysely<Database> = this.db.kysely): Promise<void> {
    await executor.updateTable('job_runs').set(fields).where('id', '=', id).execute();
  }

  async run(id: number): Promise<JobRunWithTask | undefined> {
    return this.withTask(this.db.kysely).where('job_runs.id', '=', id).executeTakeFirst();
  }

  /** Recent runs of one job, newest first. */
  async runs(name: string, options: { limit?: number; includeSkipped?: boolean } = {}): Promise<JobRunWithTask[]> {
    let q = this.withTask(this.db.kysely).where('job_runs.job_name', '=', name);
    if (!options.includeSkipped) q = q.where('job_runs.status', '!=', 'skipped');
    return q.orderBy('job_runs.id', 'desc').limit(options.limit ?? 20).execute();
  }

  /** The latest finished run (done, failed, not_configured) of every job, by job name. */
  async latestRuns(): Promise<Map<string, JobRunWithTask>> {
    const finished: JobRunStatus[] = ['done', 'failed', 'not_configured'];
    const latest = this.db.kysely.selectFrom('job_runs').select((eb) => eb.fn.max('id').as('id')).where('status', 'in', finished).groupBy('job_name');
    const rows = await this.withTask(this.db.kysely).where('job_runs.id', 'in', latest).execute();
    return new Map(rows.map((r) => [r.job_name, r]));
  }

  /** Retention: deletes runs created before `before`, except those still waiting or running. */
  async deleteRunsOlderThan(before: number): Promise<number> {
    const active: JobRunStatus[] = ['queued', 'running'];
    const res = await this.db.kysely.deleteFrom('job_runs').where('created_at', '<', before).where('status', 'not in', active).executeTakeFirst();
    return Number(res.numDeletedRows ?? 0);
  }

  private withTask(executor: Kysely<Database>) {
    return executor.selectFrom('job_runs').leftJoin('tasks', 'tasks.id', 'job_runs.task_id')
      .selectAll('job_runs')
      .select(['tasks.status as task_status', 'tasks.attempts as task_attempts', 'tasks.last_error as task_error']);
  }
}
