/**
 * The rules of shipping that need no server: which deliveries may ship (every problem named, before any Poleepo
 * call), unit conversion, status ranks (never backwards), cash on delivery.
 */
import { describe, expect, it } from 'vitest';
import { checkEligibility, type EligibilityInput } from '../src/shipping/shipping.eligibility.ts';
import { toCentimetres, toKilograms, UnitError } from '../src/shipping/shipping.units.ts';
import { shouldApplyStatus, shippingStatusRank, hasLeft } from '../src/shipping/shipping.status.ts';
import { cashOnDeliveryAmount } from '../src/shipping/shipping.cod.ts';
import { stepForStatus } from '../src/shipping/shipping.tracker.ts';
import type { PoleepoPackageTypeRow, ShipmentRow } from '../src/shipping/shipping.tables.ts';

function input(over: Partial<EligibilityInput> = {}): EligibilityInput {
  const poleepoType = (id: number, name: string, max: number | null): PoleepoPackageTypeRow => ({
    id, connection_id: 1, poleepo_id: id, name, max_weight_kg: max, width_cm: 30, height_cm: 20, depth_cm: 10, available: 1, synced_at: 0,
  });
  return {
    picking: {
      id: 7, name: 'WH/OUT/00007', state: 'done', typeCode: 'outgoing', companyId: 1, saleOrderId: 3, saleOrderName: 'S00003', poleepoOrderId: '1001',
      partnerName: 'Mario Rossi', dateDone: '2026-03-02 10:00:00', shipmentId: null, courier: null, status: null, trackingRef: null, requested: null, writeDate: null,
    },
    importedHere: true,
    packages: [
      { id: 1, name: 'PACK0000001', packageTypeId: 2, packageTypeName: 'Box', weightKg: 12.5 },
      { id: 2, name: 'PACK0000002', packageTypeId: 5, packageTypeName: 'Small box', weightKg: 1.2 },
    ],
    odooTypes: new Map([
      [2, { id: 2, name: 'Box', maxWeightKg: 30, lengthCm: 56.2, widthCm: 36.2, heightCm: 37.4, lengthUnit: 'mm', weightUnit: 'kg' }],
      [5, { id: 5, name: 'Small box', maxWeightKg: 5, lengthCm: null, widthCm: null, heightCm: null, lengthUnit: 'mm', weightUnit: 'kg' }],
    ]),
    mappings: [
      { connection_id: 1, odoo_package_type_id: 2, odoo_name: 'Box', poleepo_package_type_id: 20, updated_at: 0 },
      { connection_id: 1, odoo_package_type_id: 5, odoo_name: 'Small box', poleepo_package_type_id: 21, updated_at: 0 },
    ],
    poleepoTypes: [poleepoType(20, 'Scatola grande', 30), poleepoType(21, 'Busta', 3)],
    existing: undefined,
    ...over,
  };
}

describe('which deliveries ship with Poleepo', () => {
  it('plans one parcel per package, with the Odoo type\'s dimensions in cm and Poleepo\'s where Odoo has none', () => {
    const r = checkEligibility(input());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.parcels).toEqual([
      expect.objectContaining({ weight: 12.5, width: 36.2, height: 37.4, depth: 56.2, package_type_id: 20, odooPackageName: 'PACK0000001' }),
      expect.objectContaining({ weight: 1.2, width: 30, height: 20, depth: 10, package_type_id: 21, odooPackageName: 'PACK0000002' }),
    ]);
  });

  it('names every package that cannot ship, and why, all at once', () => {
    const r = checkEligibility(input({
      packages: [
        { id: 1, name: 'PACK1', packageTypeId: null, packageTypeName: null, weightKg: 2 },
        { id: 2, name: 'PACK2', packageTypeId: 9, packageTypeName: 'Pallet', weightKg: 2 },
        { id: 3, name: 'PACK3', packageTypeId: 5, packageTypeName: 'Small box', weightKg: 4 },
        { id: 4, name: 'PACK4', packageTypeId: 2, packageTypeName: 'Box', weightKg: null },
      ],
    }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.code, p.packageName])).toEqual([
      ['PACKAGE_WITHOUT_TYPE', 'PACK1'], ['TYPE_NOT_MAPPED', 'PACK2'], ['TOO_HEAVY', 'PACK3'], ['NO_WEIGHT', 'PACK4'],
    ]);
    expect(r.problems[1]!.message).toContain('"Pallet"');
    expect(r.problems[2]!.message).toBe('Package PACK3 weighs 4 kg, more than the 3 kg Poleepo package type "Busta" carries');
  });

  it('refuses a delivery that is not validated, not from Poleepo, not a delivery, or without packages', () => {
    const base = input();
    const codes = (over: Partial<EligibilityInput>) => {
      const r = checkEligibility({ ...base, ...over });
      return r.ok ? [] : r.problems.map((p) => p.code);
    };
    expect(codes({ picking: { ...base.picking, state: 'assigned' } })).toEqual(['NOT_DONE']);
    expect(codes({ picking: { ...base.picking, poleepoOrderId: null } })).toEqual(['NOT_FROM_POLEEPO']);
    expect(codes({ importedHere: false })).toEqual(['NOT_FROM_POLEEPO']);
    expect(codes({ picking: { ...base.picking, typeCode: 'incoming' } })).toEqual(['NOT_A_DELIVERY']);
    expect(codes({ packages: [] })).toEqual(['NO_PACKAGES']);
    expect(codes({ poleepoTypes: base.poleepoTypes.map((t) => ({ ...t, available: 0 })) })).toEqual(['POLEEPO_TYPE_GONE', 'POLEEPO_TYPE_GONE']);
  });

  it('does not ship a delivery twice; a refused one may ship again', () => {
    const existing = { step: 'ready', poleepo_shipping_id: 501, tracking_code: 'BRT0000000501' } as ShipmentRow;
    const again = checkEligibility(input({ existing }));
    expect(again.ok ? null : again.problems[0]!.code).toBe('ALREADY_SHIPPED');
    const running = checkEligibility(input({ existing: { ...existing, step: 'creating', poleepo_shipping_id: null } }));
    expect(running.ok ? null : running.problems[0]!.code).toBe('IN_PROGRESS');
    expect(checkEligibility(input({ existing: { ...existing, step: 'refused' } })).ok).toBe(true);
  });
});

describe('units', () => {
  it('converts Odoo\'s lengths and weights to centimetres and kilograms, and refuses a unit it does not know', () => {
    expect(toCentimetres(562, 'mm')).toBe(56.2);
    expect(toCentimetres(2, 'ft')).toBe(61);
    expect(toCentimetres(10, 'in')).toBe(25.4);
    expect(toKilograms(10, 'lb')).toBe(4.536);
    expect(toKilograms(2.5, 'kg')).toBe(2.5);
    expect(() => toCentimetres(1, 'cubit')).toThrow(UnitError);
  });
});

describe('shipment statuses', () => {
  it('never moves backwards; exception and transit may alternate; delivered is final', () => {
    expect(shouldApplyStatus({ status: 'DELIVERED', rank: shippingStatusRank('DELIVERED') }, 'IN_TRANSIT')).toBe(false);
    expect(shouldApplyStatus({ status: 'IN_TRANSIT', rank: shippingStatusRank('IN_TRANSIT') }, 'EXCEPTION')).toBe(true);
    expect(shouldApplyStatus({ status: 'EXCEPTION', rank: shippingStatusRank('EXCEPTION') }, 'IN_TRANSIT')).toBe(true);
    expect(shouldApplyStatus({ status: 'IN_TRANSIT', rank: 4 }, 'IN_TRANSIT')).toBe(false);
    expect(shouldApplyStatus({ status: 'HANDED_TO_CARRIER', rank: 3 }, 'LABEL_READY')).toBe(false);
    expect(hasLeft('LABEL_READY')).toBe(false);
    expect(hasLeft('HANDED_TO_CARRIER')).toBe(true);
    expect(hasLeft('CANCELED')).toBe(false);
    expect([stepForStatus('LABEL_READY'), stepForStatus('IN_TRANSIT'), stepForStatus('DELIVERED'), stepForStatus('CANCELED')]).toEqual(['ready', 'shipped', 'done', 'done']);
  });
});

describe('cash on delivery', () => {
  it('collects the amount Poleepo gives, or the total of an order paid cash on delivery, else nothing', () => {
    expect(cashOnDeliveryAmount({ cash_on_delivery: 49.9, payment_method: 'CASH_ON_DELIVERY', total_price: 49.9 })).toBe(49.9);
    expect(cashOnDeliveryAmount({ payment_method: 'Contrassegno', total_price: 30.456 })).toBe(30.46);
    expect(cashOnDeliveryAmount({ payment_method: 'PAYPAL', total_price: 30 })).toBe(0);
    expect(cashOnDeliveryAmount({ cash_on_delivery: 0, total_price: 30 })).toBe(0);
  });
});
