import type { MigrationContext } from '../migration-helpers.ts';

/**
 * Drops 0001's `tasks_claim` (status, lane, run_at): with it, SQLite's planner (no statistics) preferred it for the
 * claim and sorted every pending task of the lane on each claim (cost growing with the backlog), instead of walking
 * `tasks_claim_order` (0002), which is already in claim order. Its other uses (reaper, counts by status) are served
 * by `tasks_finished` (status, finished_at).
 */
export async function up({ db }: MigrationContext): Promise<void> {
  await db.schema.dropIndex('tasks_claim').ifExists().execute();
}
