/** Columns the connections module adds to the foundation's `connections` table (migration 0020). */
declare module '../storage/schema.ts' {
  interface ConnectionsTable {
    /** As Odoo reported it at the last successful probe (`18.0`, `saas~18.3+e`). */
    odoo_version: string | null;
    odoo_transport: 'jsonrpc' | 'json2' | null;
    /** Earliest expiry among the API user's keys (Odoo 18+), null when none or unknown. */
    odoo_api_key_expires_at: number | null;
    last_tested_at: number | null;
    /** 1 = every check passed (warnings allowed), 0 = at least one failed. */
    last_test_ok: number | null;
    /** JSON: the checks of the last `connection test` (no secrets). */
    last_test_result: string | null;
  }
}

export {};
