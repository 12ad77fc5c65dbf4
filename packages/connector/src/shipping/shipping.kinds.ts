import { z } from 'zod';
import type { TaskQueue } from '../tasks/task.queue.ts';
import type { EnqueueOptions, EnqueueResult } from '../tasks/task.types.ts';

/**
 * The task kinds of shipping, all serialised per shipment (`shipment:<id>`): creating the shipping and its label,
 * the hand-over, and re-reading its status never overlap, across processes. Their own lane, so a catalog export
 * never holds a packer waiting for a label.
 */
export const SHIPPING_LANE = 'shipping';
export const SHIP_DELIVERY = { kind: 'shipping.ship', lane: SHIPPING_LANE } as const;
export const HAND_OVER = { kind: 'shipping.handover', lane: SHIPPING_LANE } as const;
export const SYNC_SHIPMENT = { kind: 'shipping.sync', lane: SHIPPING_LANE } as const;

export const shipmentPayload = z.object({ shipmentId: z.number().int().positive() });
export type ShipmentPayload = z.infer<typeof shipmentPayload>;

export function shipmentSerialKey(shipmentId: number): string {
  return `shipment:${shipmentId}`;
}

export type ShipmentStepKind = typeof SHIP_DELIVERY | typeof HAND_OVER | typeof SYNC_SHIPMENT;

/** Enqueue options of one step for a shipment: a step already pending for it is not queued twice. */
export function shipmentStepOptions(kind: ShipmentStepKind, shipmentId: number, connectionId: number): EnqueueOptions {
  return {
    connectionId, lane: SHIPPING_LANE,
    dedupeKey: `${kind.kind}:${shipmentId}`,
    serialKey: shipmentSerialKey(shipmentId),
    maxAttempts: kind === SYNC_SHIPMENT ? 5 : 8,
  };
}

/** Queues one step for a shipment (outside a transaction). */
export function enqueueShipmentStep(queue: TaskQueue, kind: ShipmentStepKind, shipmentId: number, connectionId: number): Promise<EnqueueResult> {
  return queue.enqueue(kind, { shipmentId }, shipmentStepOptions(kind, shipmentId, connectionId));
}
