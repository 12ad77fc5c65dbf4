/**
 * What a merchant does in Odoo's UI to ship a delivery, expressed as the external-API calls it amounts to: pick the
 * goods, "Put in Pack" once per parcel (choosing the package type and weight in the wizard Odoo opens, or on the
 * package afterwards when it opens none), then "Validate" (answering "Create Backorder?" when goods are missing).
 * For tests of the connector and for the demo: it runs against the emulator or a real Odoo alike, through any
 * `execute_kw`-style caller, and follows each version's answers (17/18 `stock.quant.package` and
 * `choose.delivery.package`, 19 `stock.package` and `stock.put.in.pack`).
 *
 *   const call: CallOdoo = (model, method, args, kwargs) => odoo.call(model, method, args, kwargs);
 *   const { packageIds } = await packAndValidateDelivery(call, {
 *     version: 18, pickingId,
 *     packages: [{ packageTypeId: 2, shippingWeight: 12.5, lines: [deskMoveId] }, { packageTypeId: 1, shippingWeight: 41 }],
 *   });
 */

/** `execute_kw` as the caller has it: positional arguments (record ids first for record methods), keyword arguments. */
export type CallOdoo = (model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>) => unknown;

export interface DeliveryPackageSpec {
  /** The parcel's `stock.package.type` (none: a package without type). */
  packageTypeId?: number | false;
  /** The weight the packer enters, in the database's weight unit (kg unless changed); none: what Odoo computes. */
  shippingWeight?: number;
  /** What goes in: the stock.move ids, or 'all' (default) for every move of the picking not packed yet. */
  lines?: 'all' | readonly number[];
}

export interface PackAndValidateOptions {
  version: 17 | 18 | 19;
  pickingId: number;
  /** One entry per parcel, packed in this order. */
  packages: readonly DeliveryPackageSpec[];
  /** Missing goods at validation: make a backorder (Odoo's default answer) or cancel what is missing. */
  whenShort?: 'backorder' | 'cancel';
  /** Context for every call (e.g. `allowed_company_ids` for a picking of another company). */
  context?: Record<string, unknown>;
}

export interface PackAndValidateResult {
  /** `stock.quant.package` (17/18) or `stock.package` (19). */
  packageModel: 'stock.quant.package' | 'stock.package';
  /** The packages made, one per spec, in order. */
  packageIds: number[];
  /** The picking's state after validation ("done"). */
  state: string;
  /** Backorders validation created for missing goods (none when everything was there). */
  backorderIds: number[];
}

type Row = Record<string, unknown> & { id: number };

interface OdooAction {
  type?: string;
  res_model?: string;
  context?: Record<string, unknown>;
}

const isAction = (v: unknown): v is OdooAction => Boolean(v) && typeof v === 'object' && !Array.isArray(v) && typeof (v as OdooAction).type === 'string';

/** A created record's id, whether the transport answers `id` or `[id]`. */
function createdId(v: unknown): number {
  const id = Array.isArray(v) ? v[0] : v;
  if (typeof id !== 'number') throw new Error(`expected a record id, got ${JSON.stringify(v)}`);
  return id;
}

/** A package as put-in-pack answers it: 17/18 "stock.quant.package(3,)", 19 [3]. */
function packageIdOf(v: unknown): number | null {
  if (typeof v === 'string') {
    const m = /^stock\.(?:quant\.)?package\((\d+),?\)$/.exec(v);
    return m ? Number(m[1]) : null;
  }
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  return null;
}

const m2oId = (v: unknown): number | false => (Array.isArray(v) && typeof v[0] === 'number' ? v[0] : typeof v === 'number' ? v : false);

export async function packAndValidateDelivery(callOdoo: CallOdoo, options: PackAndValidateOptions): Promise<PackAndValidateResult> {
  const { version, pickingId } = options;
  const packageModel = version >= 19 ? 'stock.package' : 'stock.quant.package';
  const baseContext = options.context ?? {};
  const call = async (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}, context: Record<string, unknown> = {}) => {
    const ctx = { ...baseContext, ...context };
    return await callOdoo(model, method, args, Object.keys(ctx).length ? { ...kwargs, context: ctx } : kwargs);
  };
  const readPicking = async () => ((await call('stock.picking', 'read', [[pickingId]], { fields: ['state', 'move_ids'] })) as Row[])[0];

  const picking = await readPicking();
  if (!picking) throw new Error(`stock.picking ${pickingId} does not exist`);
  if (picking.state === 'done' || picking.state === 'cancel') throw new Error(`stock.picking ${pickingId} is ${picking.state}`);

  const packageIds: number[] = [];
  for (const spec of options.packages) {
    const moves = (await call('stock.move', 'read', [(await readPicking()).move_ids], { fields: ['product_uom_qty', 'quantity', 'picked', 'state', 'move_line_ids'] })) as Row[];
    const lines = (await call('stock.move.line', 'search_read', [[['picking_id', '=', pickingId]]], { fields: ['move_id', 'result_package_id'] })) as Row[];
    const packed = (m: Row) => {
      const own = lines.filter((l) => m2oId(l.move_id) === m.id);
      return own.length > 0 && own.every((l) => m2oId(l.result_package_id));
    };
    const chosen = spec.lines === undefined || spec.lines === 'all'
      ? moves.filter((m) => m.state !== 'done' && m.state !== 'cancel' && !packed(m))
      : moves.filter((m) => (spec.lines as readonly number[]).includes(m.id));
    if (!chosen.length) throw new Error('nothing left to put in this package');
    // Picking: the reserved quantity is taken as it is; a move with nothing reserved is picked for its demand.
    for (const m of chosen) {
      const vals: Record<string, unknown> = { picked: true };
      if (!Number(m.quantity)) vals.quantity = m.product_uom_qty;
      await call('stock.move', 'write', [[m.id], vals]);
    }
    const answer = await call('stock.picking', 'action_put_in_pack', [[pickingId]]);
    let packageId = packageIdOf(answer);
    let viaWizard = false;
    if (packageId === null && isAction(answer) && (answer.res_model === 'choose.delivery.package' || answer.res_model === 'stock.put.in.pack')) {
      // The wizard Odoo opens (a carrier on the picking, or an operation type that sets package types).
      const vals: Record<string, unknown> = {};
      if (spec.packageTypeId) vals[answer.res_model === 'choose.delivery.package' ? 'delivery_package_type_id' : 'package_type_id'] = spec.packageTypeId;
      if (spec.shippingWeight !== undefined) vals.shipping_weight = spec.shippingWeight;
      const wizardContext = answer.context ?? {};
      const wizardId = createdId(await call(answer.res_model, 'create', [vals], {}, wizardContext));
      packageId = packageIdOf(await call(answer.res_model, 'action_put_in_pack', [[wizardId]], {}, wizardContext));
      viaWizard = true;
    }
    if (packageId === null) throw new Error(`put in pack answered ${JSON.stringify(answer)}`);
    if (!viaWizard) {
      // No wizard: the packer sets the type and the weight on the package itself.
      const vals: Record<string, unknown> = {};
      if (spec.packageTypeId) vals.package_type_id = spec.packageTypeId;
      if (spec.shippingWeight !== undefined) vals.shipping_weight = spec.shippingWeight;
      if (Object.keys(vals).length) await call(packageModel, 'write', [[packageId], vals]);
    }
    packageIds.push(packageId);
  }

  let answer = await call('stock.picking', 'button_validate', [[pickingId]]);
  // Real Odoo asks once per company whether to text the customer (stock_sms, installed with base_automation): the
  // packer answers "don't send", and validation goes on (a backorder question may follow). Seen on real 17/18/19.
  for (let questions = 0; questions < 3 && isAction(answer); questions++) {
    const wizard = answer as OdooAction & { res_id?: number };
    const wizardContext = wizard.context ?? {};
    if (wizard.res_model === 'confirm.stock.sms' && typeof wizard.res_id === 'number') {
      answer = await call('confirm.stock.sms', 'dont_send_sms', [[wizard.res_id]], {}, wizardContext);
    } else if (wizard.res_model === 'stock.backorder.confirmation') {
      const wizardId = createdId(await call('stock.backorder.confirmation', 'create', [{}], {}, wizardContext));
      answer = await call('stock.backorder.confirmation', options.whenShort === 'cancel' ? 'process_cancel_backorder' : 'process', [[wizardId]], {}, wizardContext);
    } else break;
  }
  // Printing reports (`ir.actions.client`) is what a browser would do next; anything else needs a person.
  if (answer !== true && !(isAction(answer) && answer.type === 'ir.actions.client')) throw new Error(`validation answered ${JSON.stringify(answer)}`);
  const after = await readPicking();
  const backorderIds = (await call('stock.picking', 'search', [[['backorder_id', '=', pickingId]]])) as number[];
  return { packageModel, packageIds, state: String(after.state), backorderIds };
}
