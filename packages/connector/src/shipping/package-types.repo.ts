import type { Db } from '../storage/db.ts';
import type { PackageTypeMappingRow, PoleepoPackageTypeRow } from './shipping.tables.ts';
import './shipping.tables.ts';

export interface PoleepoPackageTypeValues {
  poleepoId: number;
  name: string;
  maxWeightKg: number | null;
  widthCm: number | null;
  heightCm: number | null;
  depthCm: number | null;
}

/** `poleepo_package_types` and `package_type_mappings`. */
export class PackageTypesRepo {
  constructor(private readonly db: Db) {}

  /** Replaces the synchronised list: what Poleepo still offers is upserted, the rest marked unavailable (kept: mappings may name it). */
  async replacePoleepoTypes(connectionId: number, types: readonly PoleepoPackageTypeValues[], now: number): Promise<{ added: number; updated: number; gone: number }> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const existing = new Map((await trx.selectFrom('poleepo_package_types').selectAll().where('connection_id', '=', connectionId).execute()).map((r) => [r.poleepo_id, r]));
      let added = 0;
      let updated = 0;
      for (const t of types) {
        const values = { name: t.name, max_weight_kg: t.maxWeightKg, width_cm: t.widthCm, height_cm: t.heightCm, depth_cm: t.depthCm, available: 1, synced_at: now };
        const row = existing.get(t.poleepoId);
        if (row) {
          await trx.updateTable('poleepo_package_types').set(values).where('id', '=', row.id).execute();
          existing.delete(t.poleepoId);
          updated++;
        } else {
          await trx.insertInto('poleepo_package_types').values({ connection_id: connectionId, poleepo_id: t.poleepoId, ...values }).execute();
          added++;
        }
      }
      const goneIds = [...existing.values()].filter((r) => r.available === 1).map((r) => r.id);
      if (goneIds.length) await trx.updateTable('poleepo_package_types').set({ available: 0, synced_at: now }).where('id', 'in', goneIds).execute();
      return { added, updated, gone: goneIds.length };
    });
  }

  poleepoTypes(connectionId: number): Promise<PoleepoPackageTypeRow[]> {
    return this.db.kysely.selectFrom('poleepo_package_types').selectAll().where('connection_id', '=', connectionId).orderBy('name').orderBy('poleepo_id').execute();
  }

  mappings(connectionId: number): Promise<PackageTypeMappingRow[]> {
    return this.db.kysely.selectFrom('package_type_mappings').selectAll().where('connection_id', '=', connectionId).orderBy('odoo_name').execute();
  }

  async map(connectionId: number, odooPackageTypeId: number, odooName: string, poleepoPackageTypeId: number, now: number): Promise<void> {
    await this.db.kysely.insertInto('package_type_mappings').values({
      connection_id: connectionId, odoo_package_type_id: odooPackageTypeId, odoo_name: odooName, poleepo_package_type_id: poleepoPackageTypeId, updated_at: now,
    }).onConflict((oc) => oc.columns(['connection_id', 'odoo_package_type_id']).doUpdateSet({ odoo_name: odooName, poleepo_package_type_id: poleepoPackageTypeId, updated_at: now })).execute();
  }

  async unmap(connectionId: number, odooPackageTypeId: number): Promise<boolean> {
    const r = await this.db.kysely.deleteFrom('package_type_mappings').where('connection_id', '=', connectionId).where('odoo_package_type_id', '=', odooPackageTypeId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
