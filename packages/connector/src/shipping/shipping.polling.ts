import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { errorMessage } from '../shared/errors.ts';
import type { OrderConnections } from '../orders/orders.connections.ts';
import { parsePickingRequest } from '../provisioning/provisioning.requests.ts';
import { fromOdooDatetime, toOdooDatetime } from '../orders/orders.mapper.ts';
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

  /**
   * Deliveries whose "Consegnato al corriere" was pressed in Odoo since the last run: handed over once each. The
   * cursor is read back with an overlap (a transaction stamps `write_date` when it starts, so a slow one can land
   * behind it); a press already acted on is recognised on the shipment.
   */
  private async buttonRequests(connectionId: number, signal: AbortSignal): Promise<number> {
    const conn = await this.deps.connections.get(connectionId);
    const odoo = new ShippingOdoo(conn.odoo, conn.view.odoo.companyId);
    const cursor = await this.deps.repo.cursor(connectionId);
    const since = cursor === null ? null : toOdooDatetime(Math.max(0, (fromOdooDatetime(cursor) ?? 0) - conn.view.settings.changeOverlapMs));
    let handovers = 0;
    let newest = cursor;
    for await (const pickings of odoo.pickingsRequestedSince(since, signal)) {
      for (const picking of pickings) {
        if (picking.writeDate && (newest === null || picking.writeDate > newest)) newest = picking.writeDate;
        const request = parsePickingRequest(picking.requested);
        if (request?.action !== 'courier') continue;
        const shipment = await this.deps.repo.byPicking(connectionId, picking.id);
        // The button shows once the shipment id is on the picking (the label may still be on its way): a press then
        // is a request like any other. Before that, or once the parcel has left, there is nothing to do.
        if (!shipment || shipment.poleepo_shipping_id === null || shipment.handover_requested_at !== null) continue;
        if (shipment.step !== 'ready' && shipment.step !== 'labelling') continue;
        await this.deps.service.handOverShipment(shipment, picking.name, `odoo:${request.uid}`, { labelPending: true });
        handovers++;
      }
    }
    if (newest && newest !== cursor) await this.deps.repo.setCursor(connectionId, newest, this.deps.clock.now());
    return handovers;
  }
}
