import type { Generated, Selectable } from 'kysely';

/** Poleepo's package types as last synchronised (`package-types sync`); `available` = 0 once Poleepo dropped it. */
export interface PoleepoPackageTypesTable {
  id: Generated<number>;
  connection_id: number;
  poleepo_id: number;
  name: string;
  /** Poleepo's units: kilograms and centimetres. */
  max_weight_kg: number | null;
  width_cm: number | null;
  height_cm: number | null;
  depth_cm: number | null;
  available: number;
  synced_at: number;
}

/** Which Poleepo package type an Odoo package type (`stock.package.type`) ships as. */
export interface PackageTypeMappingsTable {
  connection_id: number;
  odoo_package_type_id: number;
  /** The Odoo name when mapped (shown when Odoo is unreachable). */
  odoo_name: string;
  poleepo_package_type_id: number;
  updated_at: number;
}

/**
 * Where a shipment stands; every step is recorded before the side effect it leads to, so a crash or a lost reply
 * resumes at the step and reconciles instead of repeating:
 * - `creating`  asked for; `create_sent_at` set just before POST /shippings (after it, a retry first looks for the
 *               shipping on Poleepo by the order and the delivery's name in its notes);
 * - `labelling` the shipping exists on Poleepo; label, picking attachment and the sale order's chatter post to do;
 * - `ready`     label in Odoo, waiting for the hand-over to the courier;
 * - `shipped`   handed to the courier (or any later carrier status); tracking follows until DELIVERED;
 * - `done`      DELIVERED or CANCELED: nothing left to follow;
 * - `refused`   Poleepo refused the shipping (courier refusal, invalid data): nothing was created; shipping again
 *               with other choices is allowed.
 */
export type ShipmentStep = 'creating' | 'labelling' | 'ready' | 'shipped' | 'done' | 'refused';
export const SHIPMENT_STEPS: readonly ShipmentStep[] = ['creating', 'labelling', 'ready', 'shipped', 'done', 'refused'];

export interface ShipmentsTable {
  id: Generated<number>;
  connection_id: number;
  picking_id: number;
  picking_name: string;
  sale_order_id: number;
  sale_order_name: string | null;
  poleepo_order_id: string;
  step: ShipmentStep;
  /** The operator's choices and the parcels, JSON (`ShipRequest`). */
  request: string;
  create_sent_at: number | null;
  poleepo_shipping_id: number | null;
  /** As Poleepo names it ("BRT Standard"). */
  carrier: string | null;
  service: string | null;
  cod_amount: number | null;
  label_file_name: string | null;
  picking_attachment_id: number | null;
  order_attachment_id: number | null;
  order_message_id: number | null;
  /** Poleepo's shipping status as last applied; never moves to a lower rank. */
  poleepo_status: string | null;
  status_rank: number;
  tracking_code: string | null;
  /** The status last written on the picking (`x_poleepo_status`). */
  odoo_status: string | null;
  /** A chatter note about to be posted (the status it announces): found in the chatter after a crash, not posted twice. */
  note_pending: string | null;
  handover_requested_at: number | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  shipped_at: number | null;
  delivered_at: number | null;
}

export interface ShippingPollCursorsTable {
  connection_id: number;
  /** Odoo `write_date` of the last picking read for button requests. */
  cursor: string;
  updated_at: number;
}

export type ShipmentRow = Selectable<ShipmentsTable>;
export type PoleepoPackageTypeRow = Selectable<PoleepoPackageTypesTable>;
export type PackageTypeMappingRow = Selectable<PackageTypeMappingsTable>;

declare module '../storage/schema.ts' {
  interface Database {
    poleepo_package_types: PoleepoPackageTypesTable;
    package_type_mappings: PackageTypeMappingsTable;
    shipments: ShipmentsTable;
    shipping_poll_cursors: ShippingPollCursorsTable;
  }
}
