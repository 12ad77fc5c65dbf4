import type { Clock } from '../shared/clock.ts';
import { ValidationError } from '../shared/errors.ts';
import type { OrderConnection } from '../orders/orders.connections.ts';
import type { PoleepoPackageType } from '../poleepo/poleepo.types.ts';
import { ShippingOdoo, type OdooPackageType } from './shipping.odoo.ts';
import type { PackageTypesRepo, PoleepoPackageTypeValues } from './package-types.repo.ts';
import type { PackageTypeMappingRow, PoleepoPackageTypeRow } from './shipping.tables.ts';

/** One Odoo package type with the Poleepo type it ships as (null: not mapped, it cannot ship). */
export interface PackageTypeOverview {
  odoo: OdooPackageType;
  mapping: PackageTypeMappingRow | null;
  poleepo: PoleepoPackageTypeRow | null;
}

export interface PackageTypesView {
  poleepo: PoleepoPackageTypeRow[];
  odoo: PackageTypeOverview[];
  /** Mappings of Odoo package types that Odoo no longer has (deleted there). */
  orphans: PackageTypeMappingRow[];
}

/**
 * Package types (the original's "Package Types" page): Poleepo's list synchronised into the connector with its
 * maximum weight (kg) and dimensions (cm); each Odoo `stock.package.type` mapped to one of them. Odoo keeps its
 * dimensions in millimetres by default: both are shown, converted explicitly (shipping.units.ts).
 */
export class PackageTypesService {
  constructor(private readonly repo: PackageTypesRepo, private readonly clock: Clock, private readonly connection: (id: number) => Promise<OrderConnection>) {}

  async sync(connectionId: number): Promise<{ added: number; updated: number; gone: number; total: number }> {
    const conn = await this.connection(connectionId);
    const types = await conn.poleepo.listPackageTypes();
    const values = types.map(fromPoleepo);
    const result = await this.repo.replacePoleepoTypes(connectionId, values, this.clock.now());
    return { ...result, total: values.length };
  }

  /** Both lists and the map; Odoo is read live (names and dimensions change there). */
  async overview(connectionId: number, signal?: AbortSignal): Promise<PackageTypesView> {
    const conn = await this.connection(connectionId);
    const [poleepo, mappings, odooTypes] = await Promise.all([
      this.repo.poleepoTypes(connectionId), this.repo.mappings(connectionId), new ShippingOdoo(conn.odoo, conn.view.odoo.companyId).packageTypes(undefined, signal),
    ]);
    const byPoleepoId = new Map(poleepo.map((p) => [p.poleepo_id, p]));
    const byOdooId = new Map(mappings.map((m) => [m.odoo_package_type_id, m]));
    const odoo = odooTypes.map((t) => {
      const mapping = byOdooId.get(t.id) ?? null;
      return { odoo: t, mapping, poleepo: mapping ? byPoleepoId.get(mapping.poleepo_package_type_id) ?? null : null };
    });
    const known = new Set(odooTypes.map((t) => t.id));
    return { poleepo, odoo, orphans: mappings.filter((m) => !known.has(m.odoo_package_type_id)) };
  }

  /** Maps an Odoo package type to a Poleepo one, each named by id or by name (case-insensitive, must be unique). */
  async map(connectionId: number, odooRef: string, poleepoRef: string): Promise<{ odoo: OdooPackageType; poleepo: PoleepoPackageTypeRow }> {
    const conn = await this.connection(connectionId);
    let poleepoTypes = await this.repo.poleepoTypes(connectionId);
    // A first mapping before any sync: fetch Poleepo's list now rather than refuse.
    if (poleepoTypes.length === 0) {
      await this.sync(connectionId);
      poleepoTypes = await this.repo.poleepoTypes(connectionId);
    }
    const poleepo = pick(poleepoTypes.filter((t) => t.available === 1), poleepoRef, (t) => t.poleepo_id, (t) => t.name, 'Poleepo package type', 'package-types list');
    const odoo = pick(await new ShippingOdoo(conn.odoo, conn.view.odoo.companyId).packageTypes(), odooRef, (t) => t.id, (t) => t.name, 'Odoo package type', 'package-types list');
    // A box that may hold more than Poleepo's type carries is still mappable (it is often filled below its limit):
    // each package's weight is checked against Poleepo's limit when it ships.
    await this.repo.map(connectionId, odoo.id, odoo.name, poleepo.poleepo_id, this.clock.now());
    return { odoo, poleepo };
  }

  async unmap(connectionId: number, odooPackageTypeId: number): Promise<boolean> {
    return this.repo.unmap(connectionId, odooPackageTypeId);
  }

  mappings(connectionId: number): Promise<PackageTypeMappingRow[]> {
    return this.repo.mappings(connectionId);
  }

  poleepoTypes(connectionId: number): Promise<PoleepoPackageTypeRow[]> {
    return this.repo.poleepoTypes(connectionId);
  }
}

function fromPoleepo(t: PoleepoPackageType): PoleepoPackageTypeValues {
  const num = (v: unknown) => (typeof v === 'number' && v > 0 ? v : null);
  return { poleepoId: t.id, name: t.name, maxWeightKg: num(t.weight), widthCm: num(t.width), heightCm: num(t.height), depthCm: num(t.depth) };
}

function pick<T>(items: T[], ref: string, id: (t: T) => number, name: (t: T) => string, what: string, hint: string): T {
  const text = ref.trim();
  if (text === '') throw new ValidationError(`Name the ${what} by id or name`);
  if (/^\d+$/.test(text)) {
    const found = items.find((t) => id(t) === Number(text));
    if (found) return found;
  }
  const named = items.filter((t) => name(t).toLowerCase() === text.toLowerCase());
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new ValidationError(`${named.length} ${what}s are named "${text}" (ids ${named.map(id).join(', ')}): name it by id`);
  throw new ValidationError(`No ${what} "${text}" (see \`poleepo-odoo ${hint}\`)`);
}
