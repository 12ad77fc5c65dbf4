import type { Db } from '../../src/storage/db.ts';
import { SecretBox } from '../../src/shared/secrets.ts';
import { TEST_ENCRYPTION_KEY } from './config.ts';

/** Inserts a connection row directly (for tests of modules that only need one to exist). */
export async function insertTestConnection(db: Db, name = 'main', overrides: Partial<{ odoo_url: string; poleepo_base_url: string; settings: string }> = {}): Promise<number> {
  const box = new SecretBox(TEST_ENCRYPTION_KEY);
  const now = Date.UTC(2026, 0, 1);
  const row = await db.kysely.insertInto('connections').values({
    name, active: 1, odoo_url: overrides.odoo_url ?? 'http://127.0.0.1:1', odoo_db: 'sandbox', odoo_login: 'admin',
    odoo_api_key: box.encrypt('odoo-key'), odoo_company_id: 1, poleepo_base_url: overrides.poleepo_base_url ?? 'http://127.0.0.1:2',
    poleepo_client_id: 'client', poleepo_client_secret: box.encrypt('client-secret'), settings: overrides.settings ?? '{}',
    created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
