import type { MigrationContext } from '../migration-helpers.ts';

/**
 * The API log kept the Odoo notification token in clear (`/webhooks/odoo/<token>` as the path of every inbound call,
 * and inside the `webhook_url` of the automation rules sent to and read back from Odoo). The code now redacts it
 * before writing (src/shared/redact.ts); this removes it from the entries written before. The expression is a copy,
 * so this migration keeps meaning what it meant when it ran.
 */
const TOKEN = /(\/webhooks\/odoo\/)[^/?#\s"'<>\\]+/g;
const COLUMNS = ['path', 'request_body', 'response_body', 'error'] as const;

export async function up({ db }: MigrationContext): Promise<void> {
  const rows = await db.selectFrom('api_log').select(['id', ...COLUMNS])
    .where((eb) => eb.or(COLUMNS.map((c) => eb(c, 'like', '%/webhooks/odoo/%')))).execute();
  for (const row of rows as Record<string, string | null>[]) {
    const patch: Record<string, string> = {};
    for (const c of COLUMNS) {
      const value = row[c];
      if (typeof value === 'string' && value.includes('/webhooks/odoo/')) patch[c] = value.replace(TOKEN, '$1[redacted]');
    }
    await db.updateTable('api_log').set(patch).where('id', '=', row.id).execute();
  }
}
