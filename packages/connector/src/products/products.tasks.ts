import { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import type { ConnectionView } from '../connections/connections.types.ts';
import { formatDuration } from '../jobs/jobs.format.ts';
import { NotConfiguredError } from '../shared/errors.ts';
import type { TaskKind } from '../tasks/task.registry.ts';
import type { ProductsService } from './products.service.ts';

export const PRODUCTS_LANE = 'products';

const connectionPayload = z.object({ connectionId: z.number().int().positive(), full: z.boolean().optional() });
type ConnectionPayload = z.infer<typeof connectionPayload>;

export interface ProductTaskKinds {
  generate: TaskKind<ConnectionPayload>;
  poll: TaskKind<ConnectionPayload>;
  reconcile: TaskKind<ConnectionPayload>;
}

/** Task options shared by the kinds: one product run per connection at a time, one pending run per kind. */
export function productTaskOptions(kind: string, connectionId: number) {
  return { connectionId, dedupeKey: `${kind}:${connectionId}`, serialKey: `products:${connectionId}` };
}

/**
 * The product export's task kinds (lane `products`, so a long export never delays order imports) and the handlers of
 * its scheduled jobs, which enqueue one task per active connection (one connection's failure never blocks another's).
 */
export function defineProductTasks(ctx: AppContext, products: ProductsService): ProductTaskKinds {
  const notConfigured = async <T>(fn: () => Promise<T>): Promise<T | { notConfigured: string }> => {
    try {
      return await fn();
    } catch (error) {
      // Missing fields in Odoo or missing Poleepo credentials: a state to fix, not a failure to retry every tick.
      if (error instanceof NotConfiguredError) return { notConfigured: error.message };
      throw error;
    }
  };
  const generate = ctx.taskRegistry.define({
    kind: 'products.generate', lane: PRODUCTS_LANE, payload: connectionPayload, maxAttempts: 8, timeoutMs: 4 * 3_600_000,
    handler: (p, t) => notConfigured(async () => compact(await products.sync(p.connectionId, { full: p.full, signal: t.signal, yieldNow: t.yield }))),
  });
  const poll = ctx.taskRegistry.define({
    kind: 'products.poll', lane: PRODUCTS_LANE, payload: connectionPayload, maxAttempts: 8, timeoutMs: 3_600_000,
    handler: (p, t) => notConfigured(() => products.poll(p.connectionId, { signal: t.signal })),
  });
  const reconcile = ctx.taskRegistry.define({
    kind: 'products.reconcile', lane: PRODUCTS_LANE, payload: connectionPayload, maxAttempts: 5, timeoutMs: 4 * 3_600_000,
    handler: (p, t) => notConfigured(async () => compact(await products.sync(p.connectionId, { full: true, signal: t.signal, yieldNow: t.yield }))),
  });
  return { generate, poll, reconcile };
}

/** Plugs the product jobs into the scheduler: each tick enqueues a task per active connection. */
export function registerProductJobs(ctx: AppContext, kinds: ProductTaskKinds, connections: { list(): Promise<ConnectionView[]> }): void {
  // The connections module owns its table: active connections come from its service, ordered by id.
  const activeConnections = async () => (await connections.list()).filter((c) => c.active).sort((a, b) => a.id - b.id);
  const perConnection = (kind: TaskKind<ConnectionPayload>) => async () => {
    const connections = await activeConnections();
    if (!connections.length) throw new NotConfiguredError('There is no active connection yet');
    const tasks: number[] = [];
    for (const c of connections) tasks.push((await ctx.tasks.enqueue(kind, { connectionId: c.id }, productTaskOptions(kind.kind, c.id))).id);
    return { connections: connections.map((c) => c.name), tasks };
  };
  ctx.jobs.setHandler('generate-product-batches', perConnection(kinds.generate));
  ctx.jobs.setHandler('poll-product-batches', perConnection(kinds.poll));
  ctx.jobs.setHandler('product-reconciliation', perConnection(kinds.reconcile));
  ctx.jobs.setMinInterval('poll-product-batches', {
    minIntervalMs: async () => {
      const windows = (await activeConnections()).map((c) => c.settings.rateLimits['batches.status']?.windowMs ?? 600_000);
      // No connection yet: the deployment-wide default stands.
      return windows.length ? Math.max(...windows) : ctx.jobs.settings.get('products.batch_poll_window_ms');
    },
    explain: (floor) => `the rate-limit window of the batch results endpoint is ${formatDuration(floor)} (Poleepo allows 5 requests per window; per-connection setting rateLimits["batches.status"]), and polling more often would only hit the limit`,
  });
}


/** What a task or job run stores as its result: counts, not payloads. */
function compact(result: Awaited<ReturnType<ProductsService['sync']>>) {
  return {
    connection: result.connection.name,
    mode: result.detect.mode,
    read: result.detect.variantsRead,
    decisions: result.detect.decisions,
    parents: result.detect.parents,
    problems: result.detect.problemCount,
    mirrored: result.mirror.written,
    batches: result.batches,
  };
}
