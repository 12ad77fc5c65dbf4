import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { parseIntOption } from '../runtime.ts';
import { resolveConnectionOption } from '../connection-option.ts';
import { Worker } from '../../tasks/task.worker.ts';
import { AppError, ValidationError } from '../../shared/errors.ts';
import { SHIPMENT_STEPS, type ShipmentRow, type ShipmentStep } from '../../shipping/shipping.tables.ts';
import { SHIPPING_STATUSES } from '../../poleepo/poleepo.types.ts';
import type { ShipPreview } from '../../shipping/shipping.service.ts';
import type { AppContext } from '../../app/context.ts';

/**
 * `shipping list [--status …] | show PICKING | ship PICKING [--courier CODE] [--service CODE] [--pickup ID] |
 * handover PICKING`, each with `--json` and `--connection NAME`. PICKING is the delivery's name (`WH/OUT/00015`) or
 * its Odoo id. `ship` and `handover` queue the same task a console click or an Odoo button queues, then run it in
 * this process; one a running service already holds is left to it (and said so).
 */
export function register(program: Command, runtime: CliRuntime): void {
  const shipping = program.command('shipping').description('ship deliveries of Poleepo orders with Poleepo: list, show, ship, hand over');

  shipping.command('list')
    .description('shipments made with Poleepo and their state')
    .option('--status <status>', `a step (${SHIPMENT_STEPS.join(', ')}) or a Poleepo status (${SHIPPING_STATUSES.join(', ')})`)
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print as JSON')
    .action(async (opts: { status?: string; connection?: string; json?: boolean }) => {
      const filter = statusFilter(opts.status);
      const services = await runtime.services();
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const { rows, total } = await services.shipping.list({ connectionId: target.id, ...filter, limit: 500 });
      if (opts.json) return runtime.json({ connection: target.name, total, shipments: rows.map(shipmentJson) });
      if (rows.length === 0) return runtime.out(`No shipments${opts.status ? ` with status ${opts.status}` : ''} on connection ${target.name}.`);
      runtime.table(rows.map((s) => ({
        delivery: s.picking_name, order: s.sale_order_name ?? '', poleepo: s.poleepo_order_id, step: s.step, status: s.poleepo_status ?? '',
        courier: s.carrier ?? '', tracking: s.tracking_code ?? '', updated: new Date(s.updated_at).toISOString().slice(0, 16).replace('T', ' '),
      })));
      if (total > rows.length) runtime.out(`(${rows.length} of ${total} shown)`);
    });

  shipping.command('show')
    .description('one delivery: whether it can ship (and why not), its packages, and its shipment if any')
    .argument('<picking>', 'the delivery name (WH/OUT/00015) or its Odoo id')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print as JSON')
    .action(async (picking: string, opts: { connection?: string; json?: boolean }) => {
      const services = await runtime.services();
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const preview = await services.shipping.preview(target.id, picking);
      if (opts.json) return runtime.json({ connection: target.name, ...preview, shipment: preview.shipment ? shipmentJson(preview.shipment) : null });
      printPreview(runtime, preview);
    });

  shipping.command('ship')
    .description('ship a validated delivery with Poleepo: the label lands on the picking and in the order\'s chatter')
    .argument('<picking>', 'the delivery name (WH/OUT/00015) or its Odoo id')
    .option('--courier <code>', 'the courier code, e.g. BRT (default: the first Poleepo offers)')
    .option('--service <code>', 'the courier\'s service (default: its first)')
    .option('--pickup <id>', 'the pickup address id (default: Poleepo\'s default address)')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print the outcome as JSON')
    .action(async (picking: string, opts: { courier?: string; service?: string; pickup?: string; connection?: string; json?: boolean }) => {
      const pickupId = opts.pickup === undefined ? undefined : parseIntOption('--pickup', opts.pickup);
      const services = await runtime.services();
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const { shipment, taskId, queued } = await services.shipping.ship(target.id, picking, { courier: opts.courier, service: opts.service, pickupId, requestedBy: 'cli' });
      if (!queued && !opts.json) runtime.err(`${shipment.picking_name} is already being shipped (shipment ${shipment.id}): following it.`);
      const settled = await runHere(ctx, taskId);
      const after = (await services.shipping.get(shipment.id))!;
      if (opts.json) return runtime.json({ connection: target.name, ranHere: settled !== null, shipment: shipmentJson(after) });
      report(runtime, after, settled !== null);
      if (after.step === 'refused') throw new AppError('ship_refused', after.error ?? 'Poleepo refused the shipping');
    });

  shipping.command('handover')
    .description('"Consegnato al corriere": tell Poleepo the courier has the parcel')
    .argument('<picking>', 'the delivery name (WH/OUT/00015) or its Odoo id')
    .option('--connection <name>', 'the connection (optional when there is only one)')
    .option('--json', 'print the outcome as JSON')
    .action(async (picking: string, opts: { connection?: string; json?: boolean }) => {
      const services = await runtime.services();
      const ctx = await runtime.context();
      const target = await resolveConnectionOption(ctx, opts.connection);
      const { shipment, taskId } = await services.shipping.handOver(target.id, picking, 'cli');
      const settled = await runHere(ctx, taskId);
      const after = (await services.shipping.get(shipment.id))!;
      if (opts.json) return runtime.json({ connection: target.name, ranHere: settled !== null, shipment: shipmentJson(after) });
      if (settled && settled.outcome !== 'done') throw new AppError('handover_failed', `The hand-over of ${after.picking_name} failed: ${settled.error ?? after.error ?? 'see the task'}`);
      report(runtime, after, settled !== null);
    });
}

/** Runs a queued task in this process; null when a running service holds it (or its retry time is later). */
async function runHere(ctx: AppContext, taskId: number) {
  const worker = new Worker({ queue: ctx.tasks, registry: ctx.taskRegistry, clock: ctx.clock, logger: ctx.logger, workerId: `${ctx.processId}-cli` });
  return worker.runOne(taskId);
}

function statusFilter(status: string | undefined): { step?: ShipmentStep; status?: string } {
  if (status === undefined) return {};
  const lower = status.toLowerCase();
  if ((SHIPMENT_STEPS as readonly string[]).includes(lower)) return { step: lower as ShipmentStep };
  const upper = status.toUpperCase();
  if ((SHIPPING_STATUSES as readonly string[]).includes(upper)) return { status: upper };
  throw new ValidationError(`--status must be one of ${[...SHIPMENT_STEPS, ...SHIPPING_STATUSES].join(', ')} (got "${status}")`);
}

function shipmentJson(s: ShipmentRow) {
  return {
    id: s.id, connectionId: s.connection_id, pickingId: s.picking_id, picking: s.picking_name, saleOrderId: s.sale_order_id, saleOrder: s.sale_order_name,
    poleepoOrderId: s.poleepo_order_id, step: s.step, poleepoShippingId: s.poleepo_shipping_id, status: s.poleepo_status, courier: s.carrier,
    service: s.service, trackingCode: s.tracking_code, codAmount: s.cod_amount, label: s.label_file_name, pickingAttachmentId: s.picking_attachment_id,
    orderMessageId: s.order_message_id, error: s.error, createdAt: new Date(s.created_at).toISOString(), updatedAt: new Date(s.updated_at).toISOString(),
    shippedAt: s.shipped_at ? new Date(s.shipped_at).toISOString() : null, deliveredAt: s.delivered_at ? new Date(s.delivered_at).toISOString() : null,
  };
}

function report(runtime: CliRuntime, s: ShipmentRow, ranHere: boolean): void {
  if (!ranHere && (s.step === 'creating' || s.step === 'labelling')) {
    runtime.out(`${s.picking_name}: queued for the running service (shipment ${s.id}); follow it with "poleepo-odoo shipping show ${s.picking_name}".`);
    return;
  }
  if (s.step === 'refused') {
    runtime.out(`${s.picking_name}: refused by Poleepo. ${s.error ?? ''}`);
    return;
  }
  runtime.out(`${s.picking_name}: Poleepo shipment ${s.poleepo_shipping_id}, ${s.carrier ?? ''} — ${s.poleepo_status ?? s.step}${s.tracking_code ? `, tracking ${s.tracking_code}` : ''}.`);
  if (s.label_file_name) runtime.out(`  Label ${s.label_file_name} attached to the delivery and posted in ${s.sale_order_name ?? 'the order'}'s chatter.`);
  if (s.cod_amount) runtime.out(`  Cash on delivery: ${s.cod_amount.toFixed(2)}.`);
}

function printPreview(runtime: CliRuntime, p: ShipPreview): void {
  const pk = p.picking;
  runtime.out(`${pk.name} (id ${pk.id}) — ${pk.saleOrderName ?? 'no sale order'}${pk.poleepoOrderId ? `, Poleepo order ${pk.poleepoOrderId}` : ''}, state ${pk.state}`);
  if (p.packages.length) {
    runtime.out('Packages:');
    runtime.table(p.packages.map((x) => ({ package: x.name, type: x.packageTypeName ?? '(none)', 'weight kg': x.weightKg ?? '' })));
  }
  if (p.shipment) {
    const s = p.shipment;
    runtime.out(`Shipment ${s.id}: ${s.step}${s.poleepo_shipping_id ? `, Poleepo shipping ${s.poleepo_shipping_id}` : ''}${s.poleepo_status ? `, ${s.poleepo_status}` : ''}${s.carrier ? `, ${s.carrier}` : ''}${s.tracking_code ? `, tracking ${s.tracking_code}` : ''}`);
    if (s.error) runtime.out(`  ${s.error}`);
  }
  if (!p.eligibility.ok) {
    runtime.out('Cannot ship with Poleepo:');
    for (const problem of p.eligibility.problems) runtime.out(`  - ${problem.message}`);
    return;
  }
  runtime.out('Parcels:');
  runtime.table(p.eligibility.parcels.map((x) => ({ package: x.odooPackageName, 'Poleepo type': x.poleepoPackageTypeName, 'kg': x.weight, 'cm (w×h×d)': [x.width, x.height, x.depth].map((d) => d ?? '?').join('×') })));
  runtime.out('Pickup addresses:');
  runtime.table(p.pickupAddresses.map((a) => ({ id: a.id, name: a.name, address: [a.address, a.postcode, a.city].filter(Boolean).join(' '), default: a.is_default ? 'yes' : '' })));
  runtime.out('Couriers:');
  runtime.table(p.carriers.flatMap((c) => (c.services?.length ? c.services : [{ code: '', name: '' }]).map((s) => ({
    courier: c.code, name: c.name, service: s.code, price: 'price' in s && typeof s.price === 'number' ? `${s.price.toFixed(2)} ${('currency' in s && s.currency) || 'EUR'}` : '',
  }))));
  runtime.out(`Ship it with: poleepo-odoo shipping ship ${pk.name} [--courier CODE] [--service CODE] [--pickup ID]`);
}
