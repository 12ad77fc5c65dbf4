import { sql } from 'kysely';
import type { MigrationContext } from '../migration-helpers.ts';

/**
 * Indexes for the task system's hot queries (0001 created the tables):
 * - the claim walks one lane's pending tasks in claim order (priority first, then due time, then id), so an index
 *   in exactly that order lets PostgreSQL stop at the first unlocked row instead of sorting the backlog;
 * - the daily retention pass deletes finished tasks by age;
 * - the overlap check of scheduled jobs finds a job's latest runs.
 */
export async function up({ db }: MigrationContext): Promise<void> {
  await db.schema.createIndex('tasks_claim_order').on('tasks')
    .columns(['lane', 'priority desc', 'run_at', 'id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema.createIndex('tasks_finished').on('tasks').columns(['status', 'finished_at']).execute();
  await db.schema.createIndex('job_runs_latest').on('job_runs').columns(['job_name', 'id']).execute();
}
