/**
 * delivery.carrier: the shipping methods of the demo (Standard delivery, The Poste, Local Delivery), with what the
 * delivery flow needs from them: the shipping price at validation (`send_shipping` of the built-in providers and
 * the margins) and, from 18, a `tracking_url` with `<shipmenttrackingnumber>`.
 */
import { Model, NOT_COMPUTED } from '../orm/model.ts';
import type { Env } from '../orm/env.ts';
import type { Rec } from '../orm/store.ts';

export class DeliveryCarrier extends Model {
  readonly name = 'delivery.carrier';
  description = 'Shipping Methods';
  order = 'sequence, id';
  override companyRule = true;

  override defaults(): Record<string, unknown> {
    const d: Record<string, unknown> = { active: true, delivery_type: 'fixed', integration_level: 'rate_and_ship', invoice_policy: 'estimated', fixed_price: 0, margin: 0, sequence: 10 };
    if (this.fields.has('fixed_margin')) d.fixed_margin = 0;
    return d;
  }

  override compute(field: string, rec: Rec, env: Env): unknown {
    switch (field) {
      case 'currency_id':
        return env.model('res.company').table.get((rec.company_id as number) || env.companyId)?.currency_id ?? 1;
      case 'weight_uom_name':
        return 'kg';
      case 'volume_uom_name':
        return 'm³';
      case 'can_generate_return':
      case 'supports_shipping_insurance':
        return false;
      default:
        return NOT_COMPUTED;
    }
  }
}

export interface Shipped {
  price: number;
  trackingNumber: string | false;
}

/**
 * `send_shipping` of the built-in providers: "fixed" costs its fixed price; "based on rules" is priced by its rules,
 * which the emulator does not model, so it costs its fixed price too. Neither gives a tracking number. Free over an
 * amount (`free_over`/`amount`) makes it free for the order; margins apply (not to a fixed price) as the version computes them.
 */
export function sendShipping(env: Env, carrier: Rec, _picking: Rec, order: Rec | undefined): Shipped {
  let price = (carrier.fixed_price as number) || 0;
  if (carrier.free_over && order) {
    const total = (env.model('sale.order').getter('amount_total')(order, env) as number) || 0;
    if (total >= ((carrier.amount as number) || 0)) price = 0;
  }
  // `_apply_margins`: a fixed price is what it says; the other providers add the carrier's margins.
  const margin = (carrier.margin as number) || 0;
  if (carrier.delivery_type !== 'fixed') price = env.profile.stock.carrierMarginPercent ? price * (1 + margin / 100) : price * (1 + margin) + ((carrier.fixed_margin as number) || 0);
  return { price: Math.round(price * 100) / 100, trackingNumber: false };
}
