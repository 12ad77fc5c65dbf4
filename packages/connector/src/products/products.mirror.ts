import { OdooMissingError } from '../odoo/odoo.errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { BindingsRepo, MirrorRow } from './products.bindings.repo.ts';
import type { ProductOdoo } from './products.odoo.ts';
import { needsUpdate } from './products.decide.ts';

/**
 * Keeps the users' view in Odoo (DESIGN §4.1, §4.9) in step with the bindings: x_poleepo_needs_update while a change
 * is queued or in flight, x_poleepo_ref once Poleepo gave an id, x_poleepo_last_error. Variants wanting the same
 * values are written in one call. A failed write leaves `mirror_pending` set, so the next run tries again.
 */
export async function mirrorToOdoo(deps: { connectionId: number; odoo: ProductOdoo; bindings: BindingsRepo; clock: Clock }, limit = 200_000): Promise<{ written: number; calls: number }> {
  const { odoo, bindings, connectionId } = deps;
  const has = odoo.plan.has;
  let written = 0;
  let calls = 0;
  for (;;) {
    const rows = await bindings.mirrorPending(connectionId, Math.min(limit - written, 5000));
    if (rows.length === 0) break;
    const groups = new Map<string, { vals: Record<string, unknown>; rows: MirrorRow[] }>();
    for (const b of rows) {
      const needs = needsUpdate(b);
      const vals: Record<string, unknown> = {};
      if (has.needsUpdate && (needs ? 1 : 0) !== b.odoo_needs_update) vals.x_poleepo_needs_update = needs;
      if (has.ref && (b.poleepo_id ?? null) !== (b.odoo_ref ?? null)) vals.x_poleepo_ref = b.poleepo_id ?? false;
      if (has.lastError && (b.last_error ?? null) !== (b.odoo_last_error ?? null)) vals.x_poleepo_last_error = b.last_error ?? false;
      const key = JSON.stringify(vals);
      (groups.get(key) ?? groups.set(key, { vals, rows: [] }).get(key)!).rows.push(b);
    }
    for (const { vals, rows: group } of groups.values()) {
      let missing = new Set<number>();
      if (Object.keys(vals).length) {
        try {
          calls++;
          await odoo.writeVariants(group.map((b) => b.odoo_id), vals);
        } catch (error) {
          if (!(error instanceof OdooMissingError)) throw error;
          // A variant was deleted meanwhile: write the others one by one, forget the missing ones.
          missing = new Set();
          for (const b of group) {
            try {
              calls++;
              await odoo.writeVariants([b.odoo_id], vals);
            } catch (inner) {
              if (!(inner instanceof OdooMissingError)) throw inner;
              missing.add(b.odoo_id);
            }
          }
        }
      }
      const now = deps.clock.now();
      await bindings.markMirrored(group.filter((b) => !missing.has(b.odoo_id)).map((b) => b.id), now);
      await bindings.clearMirror(group.filter((b) => missing.has(b.odoo_id)).map((b) => b.id), now);
      written += group.length;
    }
    if (written >= limit || rows.length < 5000) break;
  }
  return { written, calls };
}
