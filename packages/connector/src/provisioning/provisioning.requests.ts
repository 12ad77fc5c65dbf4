import { requiredGroups } from '../shared/assert.ts';
/**
 * What the picking buttons write in `x_poleepo_requested` (the connector polls it; an optional notification only
 * speeds that up): `<action> <YYYY-MM-DD HH:MM:SS> uid=<user id>`, the time in UTC as Odoo's server clock gives it.
 */

export type PickingRequestAction = 'ship' | 'courier';

export interface PickingRequest {
  action: PickingRequestAction;
  /** UTC epoch milliseconds. */
  at: number;
  /** The Odoo user who pressed the button. */
  uid: number;
}

const PATTERN = /^(ship|courier) (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) uid=(\d+)$/;

/** The request a picking holds, or null when the value is empty or not one the buttons write. */
export function parsePickingRequest(value: unknown): PickingRequest | null {
  if (typeof value !== 'string') return null;
  const m = PATTERN.exec(value.trim());
  if (!m) return null;
  const [action, y, mo, d, h, mi, s, uid] = requiredGroups(m, 8);
  return { action: action as PickingRequestAction, at: Date.UTC(+y, +mo - 1, +d, +h, +mi, +s), uid: Number(uid) };
}

/** The value a button writes (used by tests and by anything that records a request the same way). */
export function formatPickingRequest(request: PickingRequest): string {
  const iso = new Date(request.at).toISOString();
  return `${request.action} ${iso.slice(0, 10)} ${iso.slice(11, 19)} uid=${request.uid}`;
}
