import { createContext, type AppContext } from '../src/app/context.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { ConnectionsService } from '../src/connections/connections.service.ts';
import { checkOdooSide } from '../src/connections/connections.odoo-check.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import { OdooProvisioning } from '../src/provisioning/provisioning.service.ts';
import { createTestDb, type TestDb } from './helpers/db.ts';
import { testConfig } from './helpers/config.ts';
import type { Dialect } from '../src/storage/db.ts';

export const PUBLIC_URL = 'https://connector.example.com';
export const NOW = Date.parse('2026-11-30T09:00:00Z');

export interface ProvisioningWorld {
  emu: OdooEmulator;
  ctx: AppContext;
  db: TestDb;
  clock: ManualClock;
  connections: ConnectionsService;
  provisioning: OdooProvisioning;
  /** Adds a connection to the emulator's database for a company (null: none given). */
  connect(name: string, companyId: number | null): Promise<number>;
  close(): Promise<void>;
}

/** An emulated Odoo of the given version and a connector database (one clock for both). */
export async function provisioningWorld(version: 17 | 18 | 19, dialect: Dialect = 'sqlite'): Promise<ProvisioningWorld> {
  const clock = new ManualClock(NOW);
  const emu = await startOdooEmulator({ version, clock });
  const db = await createTestDb(dialect);
  const ctx = await createContext(testConfig({ PUBLIC_URL }), { db, clock, logger: silentLogger });
  const connections = new ConnectionsService(ctx, [checkOdooSide]);
  return {
    emu, ctx, db, clock, connections,
    provisioning: new OdooProvisioning(ctx, connections),
    connect: async (name, companyId) => (await connections.create({ name, odoo: { url: emu.url, db: emu.db, login: emu.login, apiKey: emu.apiKey, companyId } })).id,
    close: async () => {
      await emu.stop();
      await ctx.close();
      await db.cleanup();
    },
  };
}

/** Every record of every model of the emulated database, in a comparable form. */
export function snapshot(emu: OdooEmulator): string {
  const out: Record<string, unknown[]> = {};
  for (const name of emu.state.modelNames().sort()) {
    out[name] = [...emu.state.model(name).table.rows.values()].sort((a, b) => a.id - b.id).map((r) => sortKeys(r));
  }
  return JSON.stringify(out);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** A confirmed sale order of company 1 and its delivery (an outgoing picking). */
export function deliveryPicking(emu: OdooEmulator): { orderId: number; pickingId: number } {
  const orderId = emu.call('sale.order', 'create', [{ partner_id: 9, order_line: [[0, 0, { product_id: 14, product_uom_qty: 1 }]] }]) as number;
  emu.call('sale.order', 'action_confirm', [[orderId]]);
  const [picking] = emu.call('sale.order', 'read', [[orderId]], { fields: ['picking_ids'] }) as { picking_ids: number[] }[];
  return { orderId, pickingId: picking.picking_ids[0] };
}
