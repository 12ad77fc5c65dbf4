import type { Selectable } from 'kysely';
import type { TaskStatus, TasksTable } from '../storage/schema.ts';

export type { TaskStatus };

/** A task as stored (payload and result are JSON text). */
export type TaskRow = Selectable<TasksTable>;

/** A task row with its connection's name, for lists (null for global tasks). */
export type TaskListRow = TaskRow & { connection_name: string | null };

export const TASK_STATUSES: readonly TaskStatus[] = ['pending', 'running', 'done', 'dead'];

export interface EnqueueOptions {
  /** The connection the work belongs to; omit for global work (scheduled jobs, maintenance). */
  connectionId?: number | null;
  /** Defaults to the lane of the kind's definition in the registry. */
  lane?: string;
  /** Higher runs first within a lane (default 0). */
  priority?: number;
  /** Not before this time (epoch ms; default now). */
  runAt?: number;
  /** At most one PENDING task per key: enqueueing with the key of a pending task returns that task unchanged. */
  dedupeKey?: string;
  /** Never two RUNNING tasks with the same key, across processes (e.g. `order:<connection>:<poleepoId>`). */
  serialKey?: string;
  /** Defaults to the definition's maxAttempts, else DEFAULT_MAX_ATTEMPTS. */
  maxAttempts?: number;
}

export interface EnqueueResult {
  id: number;
  /** True when a pending task with the same dedupe key already existed and was returned instead. */
  deduped: boolean;
  lane: string;
}

export interface TaskFilter {
  status?: TaskStatus;
  lane?: string;
  kind?: string;
  connectionId?: number;
  /** Filters by the connection's name (joins connections). */
  connectionName?: string;
}

export interface TaskPage {
  rows: TaskListRow[];
  /** Rows matching the filter, ignoring limit/offset. */
  total: number;
  /** Matching rows per status, ignoring the status filter (for the console's tabs). */
  byStatus: Record<TaskStatus, number>;
}

export interface LaneCount {
  status: TaskStatus;
  lane: string;
  count: number;
}

export const DEFAULT_MAX_ATTEMPTS = 10;
