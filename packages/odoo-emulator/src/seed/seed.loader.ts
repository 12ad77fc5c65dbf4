/**
 * Loads a seed catalog (seed/demo.<version>.json, or any catalog of the same shape) into a registry: records are
 * inserted as they are (ids kept), `display_name` values become display-name overrides, id counters and name
 * sequences start where the recorded run started, and the admin's API key is the one the emulator was given.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Registry } from '../orm/registry.ts';
import type { OdooVersion } from '../versions/version.profile.ts';
import type { Rec } from '../orm/store.ts';
import type { IrModel, IrModelFields } from '../models/ir.models.ts';
import { Env } from '../orm/env.ts';
import { DEMO_TAX_ACCOUNT } from '../models/account.journal.model.ts';

export interface SeedCatalog {
  version?: number;
  seedTime: string;
  nextIds?: Record<string, number>;
  sequences?: Record<string, number>;
  records: Record<string, Record<string, unknown>[]>;
}

const SEED_DIR = dirname(fileURLToPath(import.meta.url));

export function demoSeed(version: OdooVersion): SeedCatalog {
  return JSON.parse(readFileSync(join(SEED_DIR, `demo.${version}.json`), 'utf8')) as SeedCatalog;
}


export interface LoadOptions {
  apiKey: string;
  adminPassword: string;
}

export function applySeed(registry: Registry, seed: SeedCatalog, options: LoadOptions): void {
  for (const [modelName, rows] of Object.entries(seed.records)) {
    if (!registry.has(modelName)) continue;
    const model = registry.model(modelName);
    const table = model.table;
    for (const row of rows) {
      const rec: Rec = { id: row.id as number };
      for (const [key, value] of Object.entries(row)) {
        if (key === 'id') continue;
        if (key === 'display_name') {
          rec.__display_name = value;
          continue;
        }
        const field = model.fields.get(key);
        if (!field) continue;
        if (field.companyDependent) {
          rec.__company = { ...((rec.__company as object) ?? {}), [key]: { 1: value } };
          continue;
        }
        rec[key] = value;
      }
      if (model.fields.has('create_date')) rec.create_date ??= seed.seedTime;
      if (model.fields.has('write_date')) rec.write_date ??= seed.seedTime;
      rec.create_uid ??= 1;
      rec.write_uid ??= 1;
      table.insert(rec);
    }
  }
  for (const [modelName, next] of Object.entries(seed.nextIds ?? {})) {
    if (!registry.has(modelName)) continue;
    const table = registry.model(modelName).table;
    if (next > table.nextId) table.nextId = next;
  }
  for (const [code, next] of Object.entries(seed.sequences ?? {})) {
    if (code === 'stock.picking.outgoing') registry.setSequence('stock.picking.out.1', next);
    else registry.setSequence(code, next);
  }
  if (seed.nextIds?.['mail.tracking.value']) registry.setSequence('mail.tracking.value', seed.nextIds['mail.tracking.value']);

  const taxes = registry.model('account.tax').table;
  for (const tax of taxes.rows.values()) if (tax.id <= 2 && tax.repartition_account_id === undefined) tax.repartition_account_id = DEMO_TAX_ACCOUNT[registry.version];
  const users = registry.model('res.users').table;
  const admin = users.get(2);
  if (admin) {
    admin.password ??= options.adminPassword;
    const groupField = registry.model('res.users').fields.has('group_ids') ? 'group_ids' : 'groups_id';
    admin[groupField] ??= [1, 4];
  }
  const keys = registry.model('res.users.apikeys').table;
  let adminKey = [...keys.rows.values()].find((k) => k.user_id === 2);
  if (!adminKey) {
    adminKey = { id: keys.allocateId(), name: 'poleepo-integration-test', user_id: 2, scope: false, create_date: seed.seedTime, write_date: seed.seedTime };
    keys.insert(adminKey);
  }
  adminKey.key = options.apiKey;
  finishTechnicalRows(registry);
}

/** ir.model and ir.model.fields rows for every emulated model and field. */
export function finishTechnicalRows(registry: Registry): void {
  (registry.model('ir.model') as IrModel).ensureRows();
  const env = new Env(registry, 1, {}, registry.clock.now());
  (registry.model('ir.model.fields') as IrModelFields).ensureRows(env);
  // Models that need the seeded database to finish setting up (ir.ui.view: the recorded views and get_views).
  for (const name of registry.modelNames()) (registry.model(name) as { afterSeed?: (env: Env) => void }).afterSeed?.(env);
}
