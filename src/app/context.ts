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
import { Metrics } from '../server/metrics.ts';

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
  return {
    config, db, clock, logger, secrets, apiLogRepo, apiLog, ledger, http, metrics, processId,
    close: async () => {
      await apiLog.flush();
      if (!options.db) await db.close();
    },
  };
}
