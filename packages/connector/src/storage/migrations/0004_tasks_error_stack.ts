import type { MigrationContext } from '../migration-helpers.ts';

/**
 * `tasks.last_error_stack`: the stack (and causes) of the error behind `last_error`, cut to a few thousand characters,
 * so a failed or dead task can be traced from its row after the log that had it whole has rotated. `last_error` stays
 * the one-line reason people read.
 */
export async function up({ db }: MigrationContext): Promise<void> {
  await db.schema.alterTable('tasks').addColumn('last_error_stack', 'text').execute();
}
