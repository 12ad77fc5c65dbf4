import type { Generated } from 'kysely';

/**
 * The foundation's tables. Conventions for every table in the project:
 * - times are UTC epoch milliseconds in BIGINT columns (`*_at`);
 * - booleans are INTEGER 0/1 (same on SQLite and PostgreSQL);
 * - JSON is TEXT;
 * - every table holding per-connection data has `connection_id`.
 * Later modules add their tables by module augmentation in their own `<module>.tables.ts`:
 *   declare module '../storage/schema.ts' { interface Database { my_table: MyTable } }
 */
export interface Database {
  connections: ConnectionsTable;
  tasks: TasksTable;
  job_schedules: JobSchedulesTable;
  job_runs: JobRunsTable;
  rate_limit_ledger: RateLimitLedgerTable;
  api_log: ApiLogTable;
  users: UsersTable;
  sessions: SessionsTable;
  kv: KvTable;
}

export interface ConnectionsTable {
  id: Generated<number>;
  name: string;
  active: number;
  odoo_url: string;
  odoo_db: string;
  odoo_login: string;
  /** Encrypted (SecretBox). */
  odoo_api_key: string;
  odoo_company_id: number | null;
  poleepo_base_url: string;
  poleepo_client_id: string;
  /** Encrypted (SecretBox). */
  poleepo_client_secret: string;
  /** JSON object of per-connection settings (validated by the connections module). */
  settings: string;
  created_at: number;
  updated_at: number;
}

export type TaskStatus = 'pending' | 'running' | 'done' | 'dead';

export interface TasksTable {
  id: Generated<number>;
  connection_id: number | null;
  kind: string;
  lane: string;
  payload: string;
  status: TaskStatus;
  priority: number;
  run_at: number;
  attempts: number;
  max_attempts: number;
  /** At most one pending task per dedupe key (later enqueues coalesce into it). */
  dedupe_key: string | null;
  /** At most one running task per serial key, across processes. */
  serial_key: string | null;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  /** The stack and causes of the error behind last_error, truncated (0004); null for reasons without one. */
  last_error_stack: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface JobSchedulesTable {
  name: string;
  enabled: number;
  /** null = manual only. */
  interval_ms: number | null;
  /** The last tick enqueued (the cluster-wide claim is on job_runs(job_name, tick_at)). */
  last_tick_at: number | null;
  updated_at: number;
}

export type JobRunStatus = 'queued' | 'running' | 'done' | 'failed' | 'not_configured' | 'skipped';

export interface JobRunsTable {
  id: Generated<number>;
  job_name: string;
  /** The tick this run belongs to (unique per job: each tick is run once cluster-wide). */
  tick_at: number;
  trigger: 'schedule' | 'manual';
  status: JobRunStatus;
  task_id: number | null;
  started_at: number | null;
  finished_at: number | null;
  result: string | null;
  error: string | null;
  created_at: number;
}

export interface RateLimitLedgerTable {
  id: Generated<number>;
  /** The limited account (e.g. the Poleepo client id); per connection/account, never global. */
  account_key: string;
  endpoint: string;
  at: number;
}

export interface ApiLogTable {
  id: Generated<number>;
  connection_id: number | null;
  system: 'odoo' | 'poleepo' | 'webhook' | 'console' | 'http';
  direction: 'outbound' | 'inbound';
  method: string;
  path: string;
  status: number | null;
  duration_ms: number;
  error: string | null;
  request_body: string | null;
  response_body: string | null;
  /** 1: a probe (an answer expected to be a 3xx/4xx, information rather than a failure); migration 0080. */
  probe: Generated<number>;
  created_at: number;
}

export interface UsersTable {
  id: Generated<number>;
  login: string;
  password_hash: string;
  role: 'admin' | 'operator';
  lang: 'it' | 'en';
  /** 1 when `lang` is the user's own choice (0085); else the browser's language is used. */
  lang_chosen: Generated<number>;
  /** IANA zone the console prints this user's dates in; null = CONSOLE_TIME_ZONE (0085). */
  time_zone: string | null;
  active: number;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  csrf_token: string;
  expires_at: number;
  created_at: number;
  last_seen_at: number;
  /** The language chosen on the login page, for this session only (0085). */
  lang: Generated<string | null>;
}

export interface KvTable {
  key: string;
  value: string;
  updated_at: number;
}
