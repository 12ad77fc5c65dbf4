/**
 * A worker process for the task tests (spawned with `node --import tsx`), configured by env:
 *   TASKS_DB_URL, TASKS_DB_SCHEMA (PostgreSQL), TASKS_WORKER_ID ("pid": `<pid>-child`), TASKS_MODE:
 *   - "drain": runs `test.exec` tasks (each records one kv row `exec:<taskId>:<worker>:<nonce>`) until no task is
 *     pending or running, then stops gracefully and exits 0;
 *   - "hang": claims one `test.exec` task, prints `claimed <id>` and hangs inside the handler (to be killed with -9).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { openDatabase } from '../../src/storage/db.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { TaskQueue } from '../../src/tasks/task.queue.ts';
import { TaskRegistry } from '../../src/tasks/task.registry.ts';
import { Worker } from '../../src/tasks/task.worker.ts';

const url = process.env.TASKS_DB_URL!;
const schema = process.env.TASKS_DB_SCHEMA || undefined;
// "pid": an id of the connector's own shape (`<pid>-…`, AppContext.processId).
const workerId = process.env.TASKS_WORKER_ID === 'pid' ? `${process.pid}-child` : process.env.TASKS_WORKER_ID ?? `child-${process.pid}`;
const mode = process.env.TASKS_MODE ?? 'drain';

const db = await openDatabase(url, { schema, poolSize: 4 });
const registry = new TaskRegistry();
registry.define({
  kind: 'test.exec', lane: 'orders', payload: z.object({ i: z.number() }),
  handler: async (payload, ctx) => {
    if (mode === 'hang') {
      process.stdout.write(`claimed ${ctx.task.id}\n`);
      return new Promise(() => undefined);
    }
    await db.kysely.insertInto('kv').values({ key: `exec:${ctx.task.id}:${workerId}:${randomUUID()}`, value: String(payload.i), updated_at: Date.now() }).execute();
    return null;
  },
});
const queue = new TaskQueue(db, systemClock, { registry });
const worker = new Worker({ queue, registry, clock: systemClock, workerId, lanes: { orders: mode === 'hang' ? 1 : 4 }, pollIntervalMs: 20 });
worker.start();

if (mode === 'drain') {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { byStatus } = await queue.list({}, { limit: 1 });
    if (byStatus.pending === 0 && byStatus.running === 0) break;
  }
  await worker.stop({ timeoutMs: 5_000 });
  await db.close();
  process.exit(0);
}
