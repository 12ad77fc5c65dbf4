import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { errorMessage } from '../shared/errors.ts';
import type { OrderConnections } from '../orders/orders.connections.ts';
import { parsePickingRequest } from '../provisioning/provisioning.requests.ts';
import { ShippingOdoo } from './shipping.odoo.ts';
import type { ShipmentsRepo } from './shipments.repo.ts';
import type { ShippingService } from './shipping.service.ts';

/** How many shipments one run re-reads per connection (the oldest-updated first; the next run takes the rest). */
const SYNC_PER_RUN = 200;
/** A shipment still `creating`/`labelling` this long after its last step lost its task (a crash): resumed. */
const STUCK_AFTER_MS = 2 * 60_000;

export interface ShipmentPollingDeps {
  repo: ShipmentsRepo;
  clock: Clock;
  logger: Logger;
  connections: OrderConnections;
  service: Pick<ShippingService, 'queueSync' | 'handOverShipment' | 'resume'>;
}

/**
 * Shipment Polling (every 10 minutes by default), the safety net under the webhooks: re-reads every shipment still
 * followed (a missed STATUS_SHIPMENT changes nothing then), resumes shipments a crash left before their label, and
 * acts on the Odoo buttons pressed since the last run ("Consegnato al corriere" writes `x_poleepo_requested`).
 */
export class ShipmentPolling {
  constructor(private readonly deps: ShipmentPollingDeps) {}

  async run(signal: AbortSignal): Promise<{ connections: number; synced: number; resumed: number; handovers: number; errors: string[] }> {
    const totals = { connections: 0, synced: 0, resumed: 0, handovers: 0, errors: [] as string[] };
    for (const view of await this.deps.connections.active()) {
      if (signal.aborted) break;
      totals.connections++;
      try {
        const r = await this.pollConnection(view.id, signal);
        totals.synced += r.synced;
        totals.resumed += r.resumed;
        totals.handovers += r.handovers;
      } catch (error) {
        // One connection failing (Odoo down) does not keep the others from being followed.
        this.deps.logger.warn({ err: error, connectionId: view.id }, 'shipment polling failed for a connection');
        totals.errors.push(`${view.name}: ${errorMessage(error)}`);
      }
    }
    return totals;
  }

  async pollConnection(connectionId: number, signal: AbortSignal): Promise<{ synced: number; resumed: number; handovers: number }> {
    let synced = 0;
    for (const s of await this.deps.repo.following(connectionId, SYNC_PER_RUN)) {
      if (s.poleepo_shipping_id === null) continue;
      await this.deps.service.queueSync(s);
      synced++;
    }
    let resumed = 0;
    for (const s of await this.deps.repo.unfinished(connectionId, this.deps.clock.now() - STUCK_AFTER_MS, 100)) {
      const r = await this.deps.service.resume(s);
      if (!r.deduped) resumed++;
    }
    const handovers = await this.buttonRequests(connectionId, signal);
    return { synced, resumed, handovers };
  }

  /** Deliveries whose "Consegnato al corriere" was pressed in Odoo since the last run: handed over once each. */
  private async buttonRequests(connectionId: number, signal: AbortSignal): Promise<number> {
    const conn = await this.deps.connections.get(connectionId);
    const odoo = new ShippingOdoo(conn.odoo, conn.view.odoo.companyId);
    const cursor = await this.deps.repo.cursor(connectionId);
    const pickings = await odoo.pickingsRequestedSince(cursor, signal);
    let handovers = 0;
    let last = cursor;
    for (const picking of pickings) {
      last = picking.writeDate ?? last;
      const request = parsePickingRequest(picking.requested);
      if (request?.action !== 'courier') continue;
      const shipment = await this.deps.repo.byPicking(connectionId, picking.id);
      // Pressed before the label, or after the parcel already left: nothing to do (the button only shows after the label).
      if (!shipment || shipment.step !== 'ready' || shipment.handover_requested_at !== null) continue;
      await this.deps.service.handOverShipment(shipment, picking.name, `odoo:${request.uid}`);
      handovers++;
    }
    if (last && last !== cursor) await this.deps.repo.setCursor(connectionId, last, this.deps.clock.now());
    return handovers;
  }
}
