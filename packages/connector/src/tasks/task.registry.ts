/**
 * TaskRegistry: what each kind of task is (its lane, payload schema, attempt budget, timeout) and how to run it.
 *
 *   const registry = new TaskRegistry();
 *   const importOrder = registry.define({
 *     kind: 'orders.import', lane: 'orders',
 *     payload: z.object({ poleepoOrderId: z.string() }),
 *     maxAttempts: 8,
 *     handler: async (payload, ctx) => { …; return { saleOrderId } },   // the return value is stored as the result
 *   });
 *   await queue.enqueue(importOrder, { poleepoOrderId: '42' }, { connectionId, serialKey: `order:${connectionId}:42` });
 *
 * One registry per process (AppContext.taskRegistry); modules define their kinds when the context is built, so the
 * queue (defaults, enqueue-time validation) and the worker (handlers) see the same definitions.
 * Handlers throw typed errors (src/shared/errors.ts); only the worker turns them into outcomes.
 */
import type { z } from 'zod';
import type { Logger } from '../shared/logger.ts';
import { ValidationError } from '../shared/errors.ts';
import type { TaskRow } from './task.types.ts';

export interface TaskContext {
  task: { id: number; kind: string; lane: string; attempt: number; maxAttempts: number; connectionId: number | null };
  /** Aborted when the task times out, the worker stops, or the lease was lost: stop soon and throw. */
  signal: AbortSignal;
  logger: Logger;
  /** Extends the lease now (the worker also heartbeats on its own while the handler runs). */
  heartbeat(): Promise<void>;
  /**
   * Lets the event loop run (lease heartbeats, timers, HTTP) — call it between chunks of CPU work, e.g. every few
   * hundred variants mapped, so a long computation never starves the heartbeat and loses its lease.
   */
  yield(): Promise<void>;
}

export interface TaskDefinition<P> {
  kind: string;
  lane: string;
  /** Validated when enqueued and again when run; a payload that fails is dead-lettered with the reason. */
  payload: z.ZodType<P>;
  maxAttempts?: number;
  /** The signal is aborted after this long; the outcome is whatever the handler then settles with. */
  timeoutMs?: number;
  handler(payload: P, ctx: TaskContext): Promise<unknown>;
  /**
   * Called after a task of this kind was dead-lettered (failed for good, invalid payload, or its lease expired on
   * its last attempt), so a module can mirror the failure on its own records (a job run, a webhook message).
   * Best effort: an error here is logged, never retried.
   */
  onDead?(task: TaskRow, reason: string): Promise<void> | void;
}

/** A typed handle on a defined kind, accepted by `TaskQueue.enqueue` so payloads are checked at compile time. */
export interface TaskKind<P> {
  readonly kind: string;
  readonly lane: string;
  /** Phantom: carries the payload type only. */
  readonly __payload?: P;
}

export class TaskRegistry {
  private readonly definitions = new Map<string, TaskDefinition<any>>();

  define<P>(definition: TaskDefinition<P>): TaskKind<P> {
    if (!/^[a-z][a-z0-9_.-]*$/.test(definition.kind)) throw new Error(`Invalid task kind "${definition.kind}" (lowercase letters, digits, . _ -)`);
    if (!/^[a-z][a-z0-9_-]*$/.test(definition.lane)) throw new Error(`Invalid lane "${definition.lane}"`);
    if (this.definitions.has(definition.kind)) throw new Error(`Task kind "${definition.kind}" is defined twice`);
    this.definitions.set(definition.kind, definition);
    return { kind: definition.kind, lane: definition.lane };
  }

  get(kind: string): TaskDefinition<unknown> | undefined {
    return this.definitions.get(kind);
  }

  kinds(): string[] {
    return [...this.definitions.keys()];
  }

  /** The kinds a worker may claim in a lane: a worker only claims what it can run (rolling upgrades stay safe). */
  kindsOfLane(lane: string): string[] {
    return [...this.definitions.values()].filter((d) => d.lane === lane).map((d) => d.kind);
  }

  lanes(): string[] {
    return [...new Set([...this.definitions.values()].map((d) => d.lane))];
  }

  /** Checks a payload against its kind's schema before it is stored; throws ValidationError with the reason. */
  validate(kind: string, payload: unknown): unknown {
    const definition = this.definitions.get(kind);
    if (!definition) return payload;
    const parsed = definition.payload.safeParse(payload);
    if (!parsed.success) throw new ValidationError(`Invalid payload for task "${kind}": ${describeIssues(parsed.error)}`);
    return parsed.data;
  }
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
}
