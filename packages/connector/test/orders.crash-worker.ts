/**
 * A worker process for the crash test (spawned with `node --import tsx`): the real services and worker of a
 * `work` process on the given database, on the system clock. The test kills it with -9 in the middle of an import.
 * Env: ORDERS_DB_URL, ORDERS_DB_SCHEMA (PostgreSQL), ORDERS_ENCRYPTION_KEY, ORDERS_LEASE_MS.
 */
import { loadConfig } from '../src/config/env.ts';
import { createContext } from '../src/app/context.ts';
import { buildServices } from '../src/app/modules.ts';
import { Worker } from '../src/tasks/task.worker.ts';

const config = loadConfig({ DATABASE_URL: process.env.ORDERS_DB_URL!, ENCRYPTION_KEY: process.env.ORDERS_ENCRYPTION_KEY!, LOG_LEVEL: 'silent' });
const ctx = await createContext(config, { schema: process.env.ORDERS_DB_SCHEMA || undefined });
buildServices(ctx);
const leaseMs = Number(process.env.ORDERS_LEASE_MS ?? 3000);
const worker = new Worker({ queue: ctx.tasks, registry: ctx.taskRegistry, clock: ctx.clock, workerId: `crash-${process.pid}`, lanes: { orders: 1 }, pollIntervalMs: 20, leaseMs, heartbeatMs: Math.floor(leaseMs / 3) });
worker.start();
process.stdout.write('ready\n');
