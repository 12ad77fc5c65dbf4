import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { AppError, ValidationError } from '../shared/errors.ts';
import { isUniqueViolation, type TaskQueue } from '../tasks/task.queue.ts';
import type { OrderConnection, OrderConnections } from '../orders/orders.connections.ts';
import type { OrdersRepo } from '../orders/orders.repo.ts';
import { enqueueOrderImport } from '../orders/orders.kinds.ts';
import type { WebhookMessageRow } from '../webhooks/webhook-queue.repo.ts';
import type { PoleepoCarrier, PoleepoPickupAddress } from '../poleepo/poleepo.types.ts';
import { checkEligibility, type Eligibility, type PlannedParcel } from './shipping.eligibility.ts';
import { HAND_OVER, SHIP_DELIVERY, SYNC_SHIPMENT, enqueueShipmentStep, shipmentStepOptions } from './shipping.kinds.ts';
import { ShippingOdoo, type DeliveryPackage, type DeliveryPicking } from './shipping.odoo.ts';
import { PackageTypesRepo } from './package-types.repo.ts';
import { PackageTypesService } from './package-types.service.ts';
import { ShipmentsRepo, type ShipmentFilter } from './shipments.repo.ts';
import { ShipmentRunner } from './shipping.runner.ts';
import { ShipmentTracker } from './shipping.tracker.ts';
import type { ShipRequest } from './shipping.request.ts';
import type { ShipmentRow } from './shipping.tables.ts';
import { ShipmentPolling } from './shipping.polling.ts';

export interface ShippingServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  tasks: TaskQueue;
  /** The order import's connections (clients kept per connection, shared with it). */
  connections: OrderConnections;
  orders: OrdersRepo;
}

/** What the ship page and `shipping show` present before anything is sent. */
export interface ShipPreview {
  connectionId: number;
  picking: DeliveryPicking;
  packages: DeliveryPackage[];
  eligibility: Eligibility;
  shipment: ShipmentRow | null;
  /** Read from Poleepo only when the delivery can ship. */
  pickupAddresses: PoleepoPickupAddress[];
  carriers: PoleepoCarrier[];
}

export interface ShipChoices {
  /** Carrier code (BRT) or id; default: the first carrier Poleepo offers. */
  courier?: string;
  /** Service code; default: the carrier's first. */
  service?: string;
  /** Pickup address id; default: Poleepo's default address. */
  pickupId?: number;
  requestedBy: string;
}

/** The delivery named does not exist in Odoo for the connection (the page answers 404). */
export class DeliveryNotFoundError extends ValidationError {}

/** A refusal before any Poleepo call: says every problem found. */
export class ShipRefusedError extends AppError {
  constructor(readonly problems: { code: string; message: string }[]) {
    super('ship_refused', problems.map((p) => p.message).join('; '));
  }
}

/**
 * Shipping with Poleepo (DESIGN §4.7), as the rest of the connector sees it: package types, the ship flow (checks in
 * Odoo, choices from Poleepo, the intent recorded with its task in one transaction), the hand-over, tracking from
 * STATUS_SHIPMENT and Shipment Polling, and what the console and the CLI read.
 */
export class ShippingService {
  readonly repo: ShipmentsRepo;
  readonly packageTypes: PackageTypesService;
  readonly runner: ShipmentRunner;
  readonly tracker: ShipmentTracker;
  readonly polling: ShipmentPolling;
  private readonly log: Logger;

  constructor(private readonly deps: ShippingServiceDeps) {
    this.repo = new ShipmentsRepo(deps.db);
    this.log = deps.logger.child({ component: 'shipping' });
    const connection = (id: number) => deps.connections.get(id);
    this.packageTypes = new PackageTypesService(new PackageTypesRepo(deps.db), deps.clock, connection);
    this.tracker = new ShipmentTracker({
      repo: this.repo, clock: deps.clock, logger: this.log, connection,
      onLeft: async (s) => {
        await enqueueOrderImport(deps.tasks, { connectionId: s.connection_id, poleepoOrderId: s.poleepo_order_id, trigger: 'polling' });
      },
    });
    this.runner = new ShipmentRunner({ repo: this.repo, tracker: this.tracker, clock: deps.clock, logger: this.log, connection });
    this.polling = new ShipmentPolling({ repo: this.repo, clock: deps.clock, logger: deps.logger.child({ component: 'shipment-polling' }), connections: deps.connections, service: this });
  }

  // ---------------------------------------------------------------- the ship flow

  /** Everything the operator needs to decide, read from Odoo (and from Poleepo when the delivery can ship). */
  async preview(connectionId: number, pickingRef: string | number, signal?: AbortSignal): Promise<ShipPreview> {
    const conn = await this.deps.connections.get(connectionId);
    const { picking, packages, eligibility, shipment } = await this.check(conn, pickingRef, signal);
    let pickupAddresses: PoleepoPickupAddress[] = [];
    let carriers: PoleepoCarrier[] = [];
    if (eligibility.ok) {
      const weight = eligibility.parcels.reduce((sum, p) => sum + p.weight, 0);
      [pickupAddresses, carriers] = await Promise.all([
        conn.poleepo.listPickupAddresses(),
        conn.poleepo.listCarriers({ orderId: picking.poleepoOrderId!, weightKg: Math.round(weight * 1000) / 1000 }),
      ]);
    }
    return { connectionId, picking, packages, eligibility, shipment: shipment ?? null, pickupAddresses, carriers };
  }

  /**
   * Ships a delivery: refused before any Poleepo call when the delivery does not qualify; otherwise the choices are
   * resolved against what Poleepo offers, and the shipment (the intent) is recorded with its task in one
   * transaction. A double click, a second operator or a retry finds the shipment and creates nothing more.
   */
  async ship(connectionId: number, pickingRef: string | number, choices: ShipChoices): Promise<{ shipment: ShipmentRow; taskId: number; queued: boolean }> {
    const conn = await this.deps.connections.get(connectionId);
    const { picking, eligibility, shipment } = await this.check(conn, pickingRef);
    if (!eligibility.ok) {
      // The same delivery asked twice while its first request runs: answer with the shipment in progress.
      if (shipment && eligibility.problems.length === 1 && eligibility.problems[0]!.code === 'IN_PROGRESS') {
        const task = await enqueueShipmentStep(this.deps.tasks, SHIP_DELIVERY, shipment.id, connectionId);
        return { shipment, taskId: task.id, queued: false };
      }
      throw new ShipRefusedError(eligibility.problems);
    }
    const request = await this.resolveChoices(conn, picking, eligibility.parcels, choices);
    const now = this.deps.clock.now();
    const record = () => this.deps.tasks.transaction(async (tx) => {
      const existing = await this.repo.byPicking(connectionId, picking.id, tx.db);
      if (existing && existing.step !== 'refused') return { id: existing.id, taskId: null };
      const values = {
        picking_name: picking.name, sale_order_id: picking.saleOrderId!, sale_order_name: picking.saleOrderName, poleepo_order_id: picking.poleepoOrderId!,
        step: 'creating' as const, request: JSON.stringify(request), create_sent_at: null, poleepo_shipping_id: null, carrier: null, service: null,
        cod_amount: null, error: null, poleepo_status: null, status_rank: 0, tracking_code: null, updated_at: now,
      };
      let id: number;
      if (existing) {
        id = existing.id;
        // Shipping a refused delivery again: only if nobody else did it a moment ago (a run in progress keeps its intent).
        if (!(await this.repo.updateAtStep(id, 'refused', values, tx.db))) return { id, taskId: null };
      } else {
        id = await this.repo.insert({ connection_id: connectionId, picking_id: picking.id, created_at: now, ...values }, tx.db);
      }
      const task = await tx.enqueue(SHIP_DELIVERY, { shipmentId: id }, shipmentStepOptions(SHIP_DELIVERY, id, connectionId));
      return { id, taskId: task.id };
    });
    // Two requests for the same delivery at the same moment: the unique (connection, picking) index lets one insert.
    const result = await record().catch((error: unknown) => {
      if (isUniqueViolation(error)) return { id: 0, taskId: null };
      throw error;
    });
    const saved = result.id ? (await this.repo.get(result.id))! : (await this.repo.byPicking(connectionId, picking.id))!;
    if (result.taskId === null) {
      // Lost the race to another request for the same delivery: that one is being shipped.
      const task = await enqueueShipmentStep(this.deps.tasks, SHIP_DELIVERY, saved.id, connectionId);
      return { shipment: saved, taskId: task.id, queued: false };
    }
    this.log.info({ shipmentId: saved.id, picking: picking.name, courier: request.carrierCode, parcels: request.parcels.length, by: choices.requestedBy }, 'shipment requested');
    return { shipment: saved, taskId: result.taskId, queued: true };
  }

  private async check(conn: OrderConnection, pickingRef: string | number, signal?: AbortSignal) {
    const odoo = new ShippingOdoo(conn.odoo, conn.view.odoo.companyId);
    const picking = await odoo.findPicking(pickingRef, signal);
    if (!picking) throw new DeliveryNotFoundError(`No delivery "${pickingRef}" in Odoo for connection "${conn.view.name}" (give its name, such as WH/OUT/00015, or its id)`);
    const [packages, binding, shipment, mappings, poleepoTypes] = await Promise.all([
      odoo.packages(picking.id, signal),
      picking.poleepoOrderId ? this.deps.orders.find(conn.view.id, picking.poleepoOrderId) : Promise.resolve(undefined),
      this.repo.byPicking(conn.view.id, picking.id),
      this.packageTypes.mappings(conn.view.id),
      this.packageTypes.poleepoTypes(conn.view.id),
    ]);
    const typeIds = [...new Set(packages.map((p) => p.packageTypeId).filter((id): id is number => id !== null))];
    const odooTypes = new Map((await odoo.packageTypes(typeIds, signal)).map((t) => [t.id, t]));
    const importedHere = binding !== undefined && binding.sale_order_id === picking.saleOrderId;
    const eligibility = checkEligibility({ picking, importedHere, packages, odooTypes, mappings, poleepoTypes, existing: shipment });
    return { picking, packages, eligibility, shipment };
  }

  private async resolveChoices(conn: OrderConnection, picking: DeliveryPicking, parcels: PlannedParcel[], choices: ShipChoices): Promise<ShipRequest> {
    const weight = parcels.reduce((sum, p) => sum + p.weight, 0);
    const [pickups, carriers] = await Promise.all([
      conn.poleepo.listPickupAddresses(),
      conn.poleepo.listCarriers({ orderId: picking.poleepoOrderId!, weightKg: Math.round(weight * 1000) / 1000 }),
    ]);
    if (carriers.length === 0) throw new ValidationError('Poleepo offers no courier for this account: set one up in Poleepo first');
    const wanted = choices.courier?.trim();
    const carrier = wanted
      ? carriers.find((c) => c.code.toLowerCase() === wanted.toLowerCase() || String(c.id) === wanted)
      : carriers[0];
    if (!carrier) throw new ValidationError(`Poleepo offers no courier "${wanted}" (offered: ${carriers.map((c) => c.code).join(', ')})`);
    const services = carrier.services ?? [];
    if (choices.service && services.length && !services.some((s) => s.code === choices.service)) {
      throw new ValidationError(`${carrier.code} offers no service "${choices.service}" (offered: ${services.map((s) => s.code).join(', ')})`);
    }
    const pickup = choices.pickupId !== undefined ? pickups.find((p) => p.id === choices.pickupId) : pickups.find((p) => p.is_default) ?? pickups[0];
    if (!pickup) {
      throw new ValidationError(choices.pickupId !== undefined
        ? `Poleepo has no pickup address ${choices.pickupId} (offered: ${pickups.map((p) => `${p.id} ${p.name}`).join(', ')})`
        : 'Poleepo has no pickup address for this account: add one in Poleepo first');
    }
    const service = choices.service ?? services[0]?.code;
    return {
      carrierId: carrier.id, carrierCode: carrier.code, ...(service ? { service } : {}), pickupAddressId: pickup.id,
      parcels: parcels.map((p) => ({ ...p, width: p.width ?? undefined, height: p.height ?? undefined, depth: p.depth ?? undefined })),
      requestedBy: choices.requestedBy,
    };
  }

  /** "Consegnato al corriere" from the console or the CLI: Poleepo is told by the `shipping.handover` task. */
  async handOver(connectionId: number, pickingRef: string | number, requestedBy: string): Promise<{ shipment: ShipmentRow; taskId: number }> {
    const conn = await this.deps.connections.get(connectionId);
    const picking = await new ShippingOdoo(conn.odoo, conn.view.odoo.companyId).findPicking(pickingRef);
    if (!picking) throw new DeliveryNotFoundError(`No delivery "${pickingRef}" in Odoo for connection "${conn.view.name}"`);
    const shipment = await this.repo.byPicking(connectionId, picking.id);
    return this.handOverShipment(shipment, picking.name, requestedBy);
  }

  /**
   * `labelPending`: the Odoo button was pressed while the label was still being attached (the button shows as soon as
   * the shipment id is on the picking): the hand-over is queued anyway, behind the label on the shipment's serial key.
   */
  async handOverShipment(shipment: ShipmentRow | undefined, pickingName: string, requestedBy: string, options: { labelPending?: boolean } = {}): Promise<{ shipment: ShipmentRow; taskId: number }> {
    if (!shipment || shipment.step === 'refused') throw new ValidationError(`${pickingName} was not shipped with Poleepo: ship it first`);
    const early = shipment.step === 'creating' || (shipment.step === 'labelling' && !(options.labelPending && shipment.poleepo_shipping_id !== null));
    if (early) throw new ValidationError(`${pickingName} has no label yet: hand it to the courier once the label is in Odoo`);
    if (shipment.step === 'done') throw new ValidationError(`${pickingName} is already ${shipment.poleepo_status === 'CANCELED' ? 'cancelled' : 'delivered'}`);
    await this.repo.update(shipment.id, { handover_requested_at: shipment.handover_requested_at ?? this.deps.clock.now(), updated_at: this.deps.clock.now() });
    const task = await enqueueShipmentStep(this.deps.tasks, HAND_OVER, shipment.id, shipment.connection_id);
    this.log.info({ shipmentId: shipment.id, picking: pickingName, by: requestedBy }, 'hand-over requested');
    return { shipment: (await this.repo.get(shipment.id))!, taskId: task.id };
  }

  /** Re-reads a shipment from Poleepo now (a person's "refresh", a webhook, Shipment Polling). */
  queueSync(shipment: Pick<ShipmentRow, 'id' | 'connection_id'>) {
    return enqueueShipmentStep(this.deps.tasks, SYNC_SHIPMENT, shipment.id, shipment.connection_id);
  }

  /** Runs a shipment's ship task again (a crash left it before its label; Shipment Polling, a person's retry). */
  resume(shipment: Pick<ShipmentRow, 'id' | 'connection_id'>) {
    return enqueueShipmentStep(this.deps.tasks, SHIP_DELIVERY, shipment.id, shipment.connection_id);
  }

  /** STATUS_SHIPMENT: the payload only names the shipping; its state is read from Poleepo. */
  async handleWebhook(message: WebhookMessageRow): Promise<void> {
    const shippingId = Number(message.resource_id);
    const shipment = Number.isInteger(shippingId) ? await this.repo.byPoleepoShipping(message.connection_id, shippingId) : undefined;
    if (!shipment) {
      // A shipping made in Poleepo by hand (or by another tool): nothing of ours to update.
      this.log.debug({ messageId: message.id, shippingId: message.resource_id }, 'STATUS_SHIPMENT for a shipping the connector did not create');
      return;
    }
    await this.queueSync(shipment);
  }

  // ---------------------------------------------------------------- reading

  list(filter: ShipmentFilter) {
    return this.repo.list(filter);
  }

  /** Deliveries of the orders imported by this connection (newest orders first), each with its shipment if any. */
  async deliveries(connectionId: number, limit = 100, signal?: AbortSignal): Promise<{ picking: DeliveryPicking; shipment: ShipmentRow | null }[]> {
    const conn = await this.deps.connections.get(connectionId);
    const bindings = await this.deps.orders.list({ connectionId, limit });
    const saleOrderIds = bindings.rows.map((b) => b.sale_order_id).filter((id): id is number => id !== null);
    const pickings = await new ShippingOdoo(conn.odoo, conn.view.odoo.companyId).pickingsOfOrders(saleOrderIds, signal);
    const shipments = new Map((await this.repo.byPickings(connectionId, pickings.map((p) => p.id))).map((s) => [s.picking_id, s]));
    return pickings.map((picking) => ({ picking, shipment: shipments.get(picking.id) ?? null }));
  }

  /** The label PDF, from Poleepo (the console's download; Odoo has the same file attached). */
  async label(shipmentId: number): Promise<{ fileName: string; pdf: Buffer }> {
    const s = await this.repo.get(shipmentId);
    if (!s || s.poleepo_shipping_id === null) throw new ValidationError(`Shipment ${shipmentId} has no label`);
    const conn = await this.deps.connections.get(s.connection_id);
    const label = await conn.poleepo.getShippingLabel(s.poleepo_shipping_id);
    return { fileName: s.label_file_name ?? label.file_name ?? `label_${s.poleepo_shipping_id}.pdf`, pdf: label.pdf };
  }

  get(id: number) {
    return this.repo.get(id);
  }

  /** The shipment of a delivery, if it was shipped (or is being shipped) with Poleepo; no Odoo call. */
  shipmentOf(connectionId: number, pickingId: number) {
    return this.repo.byPicking(connectionId, pickingId);
  }
}
