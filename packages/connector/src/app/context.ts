import type { Config } from '../config/env.ts';
import { resolveEncryptionKey } from '../config/encryption-key.ts';
import type { Db } from '../storage/db.ts';
import { openDatabase } from '../storage/db.ts';
import { migrateToLatest } from '../storage/migrator.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { SecretBox } from '../shared/secrets.ts';
import { ApiLogRepo } from '../apilog/apilog.repo.ts';
import { ApiLogRecorder } from '../apilog/apilog.recorder.ts';
import { RateLimitLedger } from '../ratelimit/ledger.ts';
import { HttpClient, type FetchLike } from '../http/http.client.ts';
import { Metrics } from '../observability/metrics.ts';
import { TaskRegistry } from '../tasks/task.registry.ts';
import { TaskQueue } from '../tasks/task.queue.ts';
import { taskGaugeCollector } from '../tasks/task.metrics.ts';
import { JobService } from '../jobs/jobs.service.ts';
import { apiLogCleanup } from '../jobs/jobs.maintenance.ts';

/**
 * The composition root's product: every long-lived dependency, built once per process and passed explicitly
 * (no globals, no container). Modules take the parts they need from it.
 */
export interface AppContext {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  secrets: SecretBox;
  apiLogRepo: ApiLogRepo;
  apiLog: ApiLogRecorder;
  ledger: RateLimitLedger;
  http: HttpClient;
  metrics: Metrics;
  /** Task kinds of every module (define yours when the context is built); the Worker runs them. */
  taskRegistry: TaskRegistry;
  /** The durable task queue (enqueue, claim, outcomes, lists). */
  tasks: TaskQueue;
  /** Scheduled jobs: schedules, runs, run now; modules plug handlers in with `jobs.setHandler`. */
  jobs: JobService;
  /** Identifies this process in leases and logs. */
  processId: string;
  close(): Promise<void>;
}

export interface ContextOptions {
  clock?: Clock;
  logger?: Logger;
  /** Run pending migrations on open (true for start/demo/tests; `migrate` runs them explicitly). */
  migrate?: boolean;
  /** PostgreSQL schema (tests). */
  schema?: string;
  fetch?: FetchLike;
  /** An already open database (tests share one). */
  db?: Db;
}

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const secrets = new SecretBox(resolveEncryptionKey(config));
  const db = options.db ?? (await openDatabase(config.databaseUrl, { schema: options.schema }));
  if (options.migrate) await migrateToLatest(db);
  const apiLogRepo = new ApiLogRepo(db);
  const apiLog = new ApiLogRecorder(apiLogRepo, clock, logger);
  const ledger = new RateLimitLedger(db, clock);
  const metrics = new Metrics();
  apiLog.onCall((call) => metrics.observeApiCall(call));
  const http = new HttpClient({ clock, apiLog, ledger, fetch: options.fetch });
  const processId = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const taskRegistry = new TaskRegistry();
  const tasks = new TaskQueue(db, clock, { registry: taskRegistry });
  metrics.addCollector(taskGaugeCollector(tasks));
  const jobs = new JobService({ db, clock, queue: tasks, registry: taskRegistry, logger, metrics });
  jobs.setHandler('api-log-cleanup', apiLogCleanup({ clock, apiLogRepo, ledger, queue: tasks, jobs }));
  return {
    config, db, clock, logger, secrets, apiLogRepo, apiLog, ledger, http, metrics, taskRegistry, tasks, jobs, processId,
    close: async () => {
      await apiLog.flush();
      if (!options.db) await db.close();
    },
  };
}
