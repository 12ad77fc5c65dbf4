import { sql } from 'kysely';
import { withId, type MigrationContext } from '../migration-helpers.ts';

export async function up({ db, dialect }: MigrationContext): Promise<void> {
  await withId(db.schema.createTable('connections'), dialect)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('odoo_url', 'text', (c) => c.notNull())
    .addColumn('odoo_db', 'text', (c) => c.notNull())
    .addColumn('odoo_login', 'text', (c) => c.notNull())
    .addColumn('odoo_api_key', 'text', (c) => c.notNull())
    .addColumn('odoo_company_id', 'integer')
    .addColumn('poleepo_base_url', 'text', (c) => c.notNull())
    .addColumn('poleepo_client_id', 'text', (c) => c.notNull())
    .addColumn('poleepo_client_secret', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('tasks'), dialect)
    .addColumn('connection_id', 'integer', (c) => c.references('connections.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('lane', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('dedupe_key', 'text')
    .addColumn('serial_key', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('result', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  // The claim scans pending tasks of a lane in order; the partial unique indexes carry the dedupe and
  // per-key serialisation guarantees in the database itself, so they hold across processes.
  await db.schema.createIndex('tasks_claim').on('tasks').columns(['status', 'lane', 'run_at']).execute();
  await db.schema.createIndex('tasks_dedupe_pending').on('tasks').column('dedupe_key').unique()
    .where(sql.ref('status'), '=', 'pending').where(sql.ref('dedupe_key'), 'is not', null).execute();
  await db.schema.createIndex('tasks_serial_running').on('tasks').column('serial_key').unique()
    .where(sql.ref('status'), '=', 'running').where(sql.ref('serial_key'), 'is not', null).execute();
  await db.schema.createIndex('tasks_connection').on('tasks').columns(['connection_id', 'status']).execute();

  await db.schema.createTable('job_schedules')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('interval_ms', 'bigint')
    .addColumn('last_tick_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('job_runs'), dialect)
    .addColumn('job_name', 'text', (c) => c.notNull())
    .addColumn('tick_at', 'bigint', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('task_id', 'integer')
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('job_runs_tick_once', ['job_name', 'tick_at'])
    .execute();

  await withId(db.schema.createTable('rate_limit_ledger'), dialect)
    .addColumn('account_key', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limit_ledger_window').on('rate_limit_ledger').columns(['account_key', 'endpoint', 'at']).execute();

  await withId(db.schema.createTable('api_log'), dialect)
    .addColumn('connection_id', 'integer')
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('request_body', 'text')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_log_created').on('api_log').column('created_at').execute();
  await db.schema.createIndex('api_log_connection').on('api_log').columns(['connection_id', 'system', 'created_at']).execute();

  await withId(db.schema.createTable('users'), dialect)
    .addColumn('login', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull().defaultTo('it'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('sessions'), dialect)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('kv')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
