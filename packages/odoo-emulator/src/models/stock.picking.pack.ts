/**
 * "Put in Pack", per version, as the recordings show it (flows/c_delivery_pack_validate.json):
 *
 * 17/18 (`stock.picking.action_put_in_pack()`, no parameters): the lines to pack are the picking's lines with a
 * quantity and no destination package, only the picked ones when some are. Without a carrier they go into a new
 * `stock.quant.package` (PACK0000001, a package level in the picking) and the answer is the recordset as Odoo
 * serialises it over RPC, the string "stock.quant.package(1,)". With a carrier the answer is stock_delivery's
 * `choose.delivery.package` wizard action, whose own `action_put_in_pack` packs and sets the package type and the
 * shipping weight. Nothing left to pack is a UserError; a done or cancelled picking answers None.
 *
 * 19 (`action_put_in_pack(*, package_id, package_type_id, package_name)`, keyword-only): the same lines go into a
 * new `stock.package` (named by the type's sequence when a type is given: BOX0000001) or the given one, answered as
 * an id list. A carrier on the picking, or an operation type that sets package types, answers the
 * `stock.put.in.pack` wizard action instead when no package or type was given. When every line is packed, the
 * packages themselves are put in a container (or the wizard is asked for the container).
 */
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';
import { recordsetRepr } from '../orm/pyrepr.ts';
import { userError } from '../errors/odoo.errors.ts';

export const PUT_IN_PACK_PARAMS = ['package_id', 'package_type_id', 'package_name'];

export interface PutInPackParams {
  package_id?: unknown;
  package_type_id?: unknown;
  package_name?: unknown;
}

const asId = (v: unknown): number | false => (typeof v === 'number' && v > 0 ? v : false);

function linesOfPicking(env: Env, pickingId: number): Rec[] {
  const lines = env.model('stock.move.line');
  return lines.childrenOf(pickingId, 'picking_id', env).map((id) => lines.table.get(id)!);
}

/** `stock.picking.action_put_in_pack`. */
export function pickingPutInPack(env: Env, pickingId: number, p: PutInPackParams): unknown {
  const picking = env.model('stock.picking').table.get(pickingId)!;
  if (picking.state === 'done' || picking.state === 'cancel') return null;
  if (env.profile.stock.packWizard === 'stock.put.in.pack') return moveLinesPutInPack(env, linesOfPicking(env, pickingId).map((l) => l.id), p);
  const lines = packageMoveLines(env, pickingId);
  if (!lines.length) throw userError(env.profile.stock.nothingToPackError);
  if (picking.carrier_id) return chooseDeliveryPackageAction(env, picking);
  return packageResult(env, putLinesInPack(env, lines, {}));
}

/** 17/18 `_package_move_lines`: lines with a quantity not yet packed; only the picked ones when some are. */
export function packageMoveLines(env: Env, pickingId: number): Rec[] {
  const open = linesOfPicking(env, pickingId).filter((l) => ((l.quantity as number) || 0) > 0 && !l.result_package_id && l.state !== 'done' && l.state !== 'cancel');
  const picked = open.filter((l) => l.picked);
  return picked.length ? picked : open;
}

/** How a version answers a package over RPC: 17/18 the recordset's repr string, 19 the id list. */
export function packageResult(env: Env, packageId: number): unknown {
  return env.profile.recordsAsIdLists ? [packageId] : recordsetRepr(env.profile.stock.packageModel, [packageId]);
}

/** `_put_in_pack`: a new package (or the given one) as destination of the lines; 17/18 also a package level. */
export function putLinesInPack(env: Env, lines: Rec[], opts: { packageId?: number | false; packageTypeId?: number | false; packageName?: string | false }): number {
  const packages = env.model(env.profile.stock.packageModel);
  let packageId = opts.packageId || false;
  if (!packageId) {
    const vals: Record<string, unknown> = {};
    if (opts.packageTypeId) vals.package_type_id = opts.packageTypeId;
    if (opts.packageName) vals.name = opts.packageName;
    packageId = packages.createOne(env, vals);
  }
  const mls = env.model('stock.move.line');
  const lineIds = lines.map((l) => l.id);
  if (env.profile.stock.packageLevels && lines.length) {
    const picking = env.model('stock.picking').table.get(lines[0].picking_id as number);
    const dests = new Set(lines.map((l) => l.location_dest_id));
    env.model('stock.package_level').createOne(env, {
      package_id: packageId, picking_id: picking?.id ?? false, location_id: false, location_dest_id: dests.size === 1 ? lines[0].location_dest_id : false,
      company_id: picking?.company_id ?? env.companyId, move_line_ids: [[6, 0, lineIds]],
    });
  }
  mls.writeRecords(env, lineIds, { result_package_id: packageId });
  return packageId;
}

/** 17/18: stock_delivery's wizard asking for the package type and the shipping weight (`_set_delivery_package_type`). */
function chooseDeliveryPackageAction(env: Env, picking: Rec): Record<string, unknown> {
  const viewId = env.profile.stock.chooseDeliveryPackageViewId;
  return {
    name: 'Package Details', type: 'ir.actions.act_window', view_mode: 'form', res_model: 'choose.delivery.package', view_id: viewId,
    views: [[viewId, 'form']], target: 'new',
    context: { ...env.context, current_package_carrier_type: packageCarrierType(env, picking), default_picking_id: picking.id, batch_pack: false },
  };
}

/** A carrier's delivery type as a package carrier type: the built-in "fixed" and "based on rules" are "none". */
export function packageCarrierType(env: Env, picking: Rec): string {
  const type = env.model('delivery.carrier').table.get(picking.carrier_id as number)?.delivery_type as string | undefined;
  return !type || type === 'fixed' || type === 'base_on_rule' ? 'none' : type;
}

// ------------------------------------------------------------------ 19

/** 19 `_to_pack`: open lines with a quantity, without (or with) a destination package; the picked ones if any. */
function toPack(env: Env, lineIds: number[], withoutPack: boolean): Rec[] {
  const table = env.model('stock.move.line').table;
  const open = lineIds.map((id) => table.get(id)).filter((l): l is Rec => Boolean(l))
    .filter((l) => ((l.quantity as number) || 0) > 0 && withoutPack !== Boolean(l.result_package_id) && l.state !== 'done' && l.state !== 'cancel');
  const picked = open.filter((l) => l.picked);
  return picked.length ? picked : open;
}

/** Whether the wizard must ask first: a carrier, or an operation type that sets package types, and nothing chosen. */
function wizardNeeded(env: Env, lines: Rec[], p: PutInPackParams): boolean {
  if (env.context.from_package_wizard || asId(p.package_id) || asId(p.package_type_id) || p.package_name) return false;
  const pickings = env.model('stock.picking').table;
  const types = env.model('stock.picking.type').table;
  return lines.some((l) => {
    const picking = pickings.get(l.picking_id as number);
    return Boolean(picking?.carrier_id) || Boolean(types.get(picking?.picking_type_id as number)?.set_package_type);
  });
}

function carrierContext(env: Env, lines: Rec[]): Record<string, unknown> {
  const pickings = env.model('stock.picking').table;
  const withCarrier = lines.map((l) => pickings.get(l.picking_id as number)).find((pk) => pk?.carrier_id);
  return withCarrier ? { default_package_carrier_type: packageCarrierType(env, withCarrier) } : {};
}

/** `stock.action_put_in_pack_wizard`, as 19 reads the action record (`_for_xml_id`) with the given context. */
function putInPackAction(env: Env, context: Record<string, unknown>): Record<string, unknown> {
  return {
    id: env.profile.stock.putInPackActionId, display_name: 'Put in Pack', name: 'Put in Pack', type: 'ir.actions.act_window',
    xml_id: 'stock.action_put_in_pack_wizard', path: false, help: false, binding_model_id: false, binding_type: 'action',
    binding_view_types: 'list,form', view_id: false, domain: false, context: { dialog_size: 'medium', ...context }, res_id: 0,
    res_model: 'stock.put.in.pack', target: 'new', view_mode: 'form', mobile_view_mode: 'kanban', views: [[false, 'form']], limit: 80,
    group_ids: [], search_view_id: false, embedded_action_ids: [], filter: false, cache: true,
  };
}

/** 19 `stock.move.line.action_put_in_pack`. */
export function moveLinesPutInPack(env: Env, lineIds: number[], p: PutInPackParams): unknown {
  const all = env.context.all_move_line_ids;
  const moveLines = Array.isArray(all) && all.length ? all.map(Number) : lineIds;
  const lines = toPack(env, moveLines, true);
  let donePack: number | null = null;
  if (lines.length) {
    if (wizardNeeded(env, lines, p)) {
      const pickingIds = [...new Set(lines.map((l) => l.picking_id as number).filter(Boolean))];
      return putInPackAction(env, {
        all_move_line_ids: lines.map((l) => l.id), default_move_line_ids: lines.map((l) => l.id), default_location_dest_id: lines[0].location_dest_id,
        picking_ids: pickingIds, ...carrierContext(env, lines),
      });
    }
    donePack = putLinesInPack(env, lines, { packageId: asId(p.package_id), packageTypeId: asId(p.package_type_id), packageName: (p.package_name as string) || false });
    setWeightFromContext(env, donePack);
  }
  if (donePack !== null && !env.context.force_move_lines) return [donePack];
  const packed = toPack(env, moveLines, false);
  if (packed.length) {
    const pkgModel = env.model('stock.package');
    let packs = [...new Set(packed.map((l) => pkgModel.getter('outermost_package_id')(pkgModel.table.get(l.result_package_id as number)!, env) as number))];
    let packageId = asId(p.package_id);
    if (donePack !== null) {
      packs = packs.filter((id) => id !== donePack);
      packageId = donePack;
    }
    if (packs.length) return packagesPutInPack(env, packs, { ...p, package_id: packageId });
  }
  if (donePack === null) throw userError(env.profile.stock.nothingToPackError);
  return [donePack];
}

/** 19 `stock.package.action_put_in_pack`: packages into a container (a new one, or `package_id`). */
export function packagesPutInPack(env: Env, packageIds: number[], p: PutInPackParams): unknown {
  const packages = env.model('stock.package');
  const lines = packageIds.flatMap((id) => {
    const pkg = packages.table.get(id);
    return pkg ? (packages.getter('move_line_ids')(pkg, env) as number[]) : [];
  }).map((id) => env.model('stock.move.line').table.get(id)!);
  if (wizardNeeded(env, lines, p)) {
    const first = packages.table.get(packageIds[0]);
    return putInPackAction(env, {
      default_package_ids: packageIds, default_location_dest_id: first ? packages.getter('location_dest_id')(first, env) : false, ...carrierContext(env, lines),
    });
  }
  let container = asId(p.package_id);
  if (!container) {
    const vals: Record<string, unknown> = {};
    if (asId(p.package_type_id)) vals.package_type_id = p.package_type_id;
    if (p.package_name) vals.name = p.package_name;
    container = packages.createOne(env, vals);
  }
  packages.writeRecords(env, packageIds.filter((id) => id !== container), { package_dest_id: container });
  setWeightFromContext(env, container);
  return [container];
}

/** stock_delivery's `_post_put_in_pack_hook`: the wizard's shipping weight (context `weight`) goes on the package. */
function setWeightFromContext(env: Env, packageId: number): void {
  const weight = Number(env.context.weight);
  if (weight) env.model(env.profile.stock.packageModel).writeRecords(env, [packageId], { shipping_weight: weight });
}
