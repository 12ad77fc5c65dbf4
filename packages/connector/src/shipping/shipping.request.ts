import { z } from 'zod';

/** What the operator chose and the parcels planned, stored on the shipment before anything is sent (its intent). */
export const shipRequest = z.object({
  carrierId: z.number().int().positive(),
  carrierCode: z.string().min(1).max(40),
  service: z.string().min(1).max(80).optional(),
  pickupAddressId: z.number().int().positive(),
  parcels: z.array(z.object({
    weight: z.number().positive(),
    width: z.number().positive().optional(),
    height: z.number().positive().optional(),
    depth: z.number().positive().optional(),
    package_type_id: z.number().int().positive(),
    odooPackageId: z.number().int().positive(),
    odooPackageName: z.string(),
    odooPackageTypeName: z.string(),
    poleepoPackageTypeName: z.string(),
  })).min(1),
  /** Who asked: a console user's login, `cli`, or `odoo:<uid>`. */
  requestedBy: z.string().min(1).max(120),
});
export type ShipRequest = z.infer<typeof shipRequest>;

export function parseShipRequest(json: string): ShipRequest {
  return shipRequest.parse(JSON.parse(json));
}

/** The notes the connector writes on a Poleepo shipping: how a retry recognises the one it created. */
export function shippingNotes(pickingName: string, shipmentId: number): string {
  return `Odoo ${pickingName} (connector shipment ${shipmentId})`;
}
