import type { PoleepoParcel } from '../poleepo/poleepo.types.ts';
import type { DeliveryPackage, DeliveryPicking, OdooPackageType } from './shipping.odoo.ts';
import type { PackageTypeMappingRow, PoleepoPackageTypeRow, ShipmentRow } from './shipping.tables.ts';

/** Why a delivery cannot be shipped with Poleepo (yet); each says what to do. */
export type ShipProblemCode =
  | 'NOT_A_DELIVERY' | 'NOT_DONE' | 'NOT_FROM_POLEEPO' | 'ALREADY_SHIPPED' | 'IN_PROGRESS'
  | 'NO_PACKAGES' | 'PACKAGE_WITHOUT_TYPE' | 'TYPE_NOT_MAPPED' | 'POLEEPO_TYPE_GONE' | 'NO_WEIGHT' | 'TOO_HEAVY';

export interface ShipProblem {
  code: ShipProblemCode;
  message: string;
  /** The package it is about, when it is about one. */
  packageName?: string;
}

/** One parcel as Poleepo receives it, with the Odoo package it comes from. */
export interface PlannedParcel extends PoleepoParcel {
  package_type_id: number;
  odooPackageId: number;
  odooPackageName: string;
  odooPackageTypeName: string;
  poleepoPackageTypeName: string;
}

export interface EligibilityInput {
  picking: DeliveryPicking;
  /** The order is known to this connection as imported from Poleepo. */
  importedHere: boolean;
  packages: DeliveryPackage[];
  /** Odoo package types of those packages, by id. */
  odooTypes: Map<number, OdooPackageType>;
  mappings: PackageTypeMappingRow[];
  poleepoTypes: PoleepoPackageTypeRow[];
  existing: ShipmentRow | undefined;
}

export type Eligibility = { ok: true; parcels: PlannedParcel[] } | { ok: false; problems: ShipProblem[] };

/**
 * The checks made before any call to Poleepo: a delivery ships only when it belongs to an order imported from
 * Poleepo, is validated, was not shipped already, and every package has an Odoo package type mapped to a Poleepo one
 * that can carry its weight. Every problem is listed at once (a packer fixes them in one go), naming the package.
 */
export function checkEligibility(input: EligibilityInput): Eligibility {
  const { picking } = input;
  const problems: ShipProblem[] = [];
  if (picking.typeCode !== 'outgoing') return fail({ code: 'NOT_A_DELIVERY', message: `${picking.name} is not a delivery order: only deliveries ship with Poleepo` });
  if (!picking.poleepoOrderId || !input.importedHere) {
    return fail({ code: 'NOT_FROM_POLEEPO', message: `${picking.name} belongs to ${picking.saleOrderName ?? 'no sale order'}, which was not imported from Poleepo by this connection: ship it the way it was sold` });
  }
  const existing = input.existing;
  if (existing && existing.step !== 'refused') {
    if (existing.step === 'creating' || existing.step === 'labelling') {
      return fail({ code: 'IN_PROGRESS', message: `${picking.name} is being shipped right now (Poleepo shipment ${existing.poleepo_shipping_id ?? 'being created'}): wait for the label` });
    }
    return fail({ code: 'ALREADY_SHIPPED', message: `${picking.name} is already shipped with Poleepo (shipment ${existing.poleepo_shipping_id}${existing.tracking_code ? `, tracking ${existing.tracking_code}` : ''})` });
  }
  if (picking.state !== 'done') problems.push({ code: 'NOT_DONE', message: `${picking.name} is not validated yet (state "${picking.state}"): validate the delivery in Odoo first` });
  if (input.packages.length === 0) {
    problems.push({ code: 'NO_PACKAGES', message: `${picking.name} has no package: put the products in packages ("Put in Pack") with a package type before validating` });
    return { ok: false, problems };
  }
  const mapping = new Map(input.mappings.map((m) => [m.odoo_package_type_id, m]));
  const poleepoTypes = new Map(input.poleepoTypes.map((t) => [t.poleepo_id, t]));
  const parcels: PlannedParcel[] = [];
  for (const pack of input.packages) {
    if (pack.packageTypeId === null) {
      problems.push({ code: 'PACKAGE_WITHOUT_TYPE', packageName: pack.name, message: `Package ${pack.name} has no package type: set one in Odoo (Inventory → the package → Package Type)` });
      continue;
    }
    const typeName = pack.packageTypeName ?? `#${pack.packageTypeId}`;
    const mapped = mapping.get(pack.packageTypeId);
    if (!mapped) {
      problems.push({ code: 'TYPE_NOT_MAPPED', packageName: pack.name, message: `Package ${pack.name} has package type "${typeName}", which is not mapped to a Poleepo package type: map it on the Package types page (or \`poleepo-odoo package-types map\`)` });
      continue;
    }
    const target = poleepoTypes.get(mapped.poleepo_package_type_id);
    if (!target || target.available !== 1) {
      problems.push({ code: 'POLEEPO_TYPE_GONE', packageName: pack.name, message: `Package type "${typeName}" of package ${pack.name} is mapped to Poleepo package type ${mapped.poleepo_package_type_id}, which Poleepo no longer offers: synchronise the package types and map it again` });
      continue;
    }
    if (pack.weightKg === null || !(pack.weightKg > 0)) {
      problems.push({ code: 'NO_WEIGHT', packageName: pack.name, message: `Package ${pack.name} has no weight: enter its shipping weight in Odoo` });
      continue;
    }
    if (target.max_weight_kg !== null && pack.weightKg > target.max_weight_kg) {
      problems.push({ code: 'TOO_HEAVY', packageName: pack.name, message: `Package ${pack.name} weighs ${pack.weightKg} kg, more than the ${target.max_weight_kg} kg Poleepo package type "${target.name}" carries` });
      continue;
    }
    const odooType = input.odooTypes.get(pack.packageTypeId);
    parcels.push({
      weight: pack.weightKg,
      // The Odoo package type's own dimensions (converted to cm); Poleepo's type fills what Odoo leaves empty.
      width: odooType?.widthCm ?? target.width_cm ?? undefined,
      height: odooType?.heightCm ?? target.height_cm ?? undefined,
      depth: odooType?.lengthCm ?? target.depth_cm ?? undefined,
      package_type_id: target.poleepo_id,
      odooPackageId: pack.id, odooPackageName: pack.name, odooPackageTypeName: typeName, poleepoPackageTypeName: target.name,
    });
  }
  return problems.length ? { ok: false, problems } : { ok: true, parcels };
}

function fail(problem: ShipProblem): Eligibility {
  return { ok: false, problems: [problem] };
}
