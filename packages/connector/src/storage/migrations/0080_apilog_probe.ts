import type { MigrationContext } from '../migration-helpers.ts';

/**
 * `api_log.probe`: 1 for a call made to find something out (the JSON-2 transport probe, `connection test`'s
 * permission probes), whose 3xx/4xx answer is the expected information, not a failure. Error counts and the
 * `--errors` filter leave probes out; the log still shows them with their status.
 */
export async function up({ db }: MigrationContext): Promise<void> {
  await db.schema.alterTable('api_log').addColumn('probe', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
