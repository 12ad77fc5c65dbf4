import type { MigrationContext } from '../migration-helpers.ts';

/**
 * What the connector learnt about each connection's Odoo (version, transport, API-key expiry) and the last
 * `connection test` verdicts, so the console and warnings can show them without calling Odoo.
 */
export async function up({ db }: MigrationContext): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one column at a time.
  await db.schema.alterTable('connections').addColumn('odoo_version', 'text').execute();
  await db.schema.alterTable('connections').addColumn('odoo_transport', 'text').execute();
  await db.schema.alterTable('connections').addColumn('odoo_api_key_expires_at', 'bigint').execute();
  await db.schema.alterTable('connections').addColumn('last_tested_at', 'bigint').execute();
  await db.schema.alterTable('connections').addColumn('last_test_ok', 'integer').execute();
  await db.schema.alterTable('connections').addColumn('last_test_result', 'text').execute();
}
