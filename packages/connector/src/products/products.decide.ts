import { newBinding } from './products.bindings.repo.ts';
import { payloadHash } from './products.hash.ts';
import { effectiveSku, mapInactive } from './products.mapper.ts';
import type { BindingRow } from './products.tables.ts';
import type { Problem, ProductEntry, VariantSource } from './products.types.ts';

/**
 * What to do with one variant or parent given what Odoo shows now and what the connector last did (DESIGN §4.2):
 * queue a changed payload (coalesced while one is in flight), leave unchanged ones alone (hash), report problems,
 * send archived/unpublished products once as inactive, and keep the users' view in Odoo (x_poleepo_*) in step.
 * Pure: it rewrites a binding row; the caller stores it.
 */

export type Decision = 'queued' | 'coalesced' | 'unchanged' | 'refused' | 'problem' | 'inactive' | 'ignored';

export type BindingValues = Omit<BindingRow, 'id'>;

/** Error codes the detection sets itself (they clear when the cause goes away). */
export const PROBLEM_CODES = new Set(['MISSING_SKU', 'SKU_SHARED', 'TAX_MISMATCH']);

export interface VariantObservation {
  variant: VariantSource;
  /** Published and active. */
  eligible: boolean;
  entry: ProductEntry | null;
  hash: string | null;
  /** The entry's JSON when already made (the hash's input), stored as the pending payload as is. */
  json?: string | null;
  hasParent: boolean;
  warnings: string[];
  problem: Problem | null;
}

/** Which x_poleepo_* fields exist in this Odoo (a missing one is never compared, so never rewritten). */
export interface MirrorFields {
  ref: boolean;
  needsUpdate: boolean;
  lastError: boolean;
}

export function decideVariant(old: BindingRow | undefined, obs: VariantObservation, connectionId: number, now: number, pass: number, fields: MirrorFields): { row: BindingValues; decision: Decision } {
  const v = obs.variant;
  const row: BindingValues = old ? stripId(old) : newBinding(connectionId, 'variant', v.id, v.templateId, now);
  row.template_id = v.templateId;
  row.seen_at = pass;
  row.updated_at = now;
  row.odoo_ref = v.ref;
  row.odoo_needs_update = v.needsUpdate ? 1 : 0;
  row.odoo_last_error = v.lastError;
  // The database lost the binding but Odoo still shows the Poleepo id: adopt it (never create a second product).
  if (!row.poleepo_id && v.ref && row.inflight_item_id === null) row.poleepo_id = v.ref;
  // A needs-update tick we did not set ourselves is a person asking for a resend.
  const forced = v.needsUpdate && !row.flagged;
  let decision: Decision;
  if (obs.eligible && obs.entry) {
    row.eligible = 1;
    row.sku = effectiveSku(v);
    row.title = obs.entry.title ?? null;
    row.has_parent = obs.hasParent ? 1 : 0;
    row.warning = obs.warnings.length ? obs.warnings.join('; ') : null;
    if (obs.problem) {
      unqueue(row);
      setError(row, obs.problem.code, obs.problem.message, now);
      decision = 'problem';
    } else {
      if (row.last_error_code && PROBLEM_CODES.has(row.last_error_code)) clearError(row);
      decision = want(row, obs.entry, obs.hash ?? payloadHash(obs.entry), forced, now, obs.json ?? undefined);
    }
  } else {
    row.eligible = 0;
    row.sku = row.sku ?? effectiveSku(v);
    row.warning = null;
    if (row.last_error_code && PROBLEM_CODES.has(row.last_error_code)) clearError(row);
    decision = deactivate(row, 'variant', now);
  }
  if (!fields.ref) row.odoo_ref = row.poleepo_id;
  if (!fields.lastError) row.odoo_last_error = row.last_error;
  if (!fields.needsUpdate) row.odoo_needs_update = needsUpdate(row) ? 1 : 0;
  syncMirror(row);
  return { row, decision };
}

/** A bound variant that Odoo no longer has (deleted) or no longer follows. */
export function decideGone(old: BindingRow, now: number, pass: number): { row: BindingValues; decision: Decision } {
  const row = stripId(old);
  row.eligible = 0;
  row.seen_at = pass;
  row.updated_at = now;
  if (row.last_error_code && PROBLEM_CODES.has(row.last_error_code)) clearError(row);
  const decision = deactivate(row, old.kind, now);
  // Nothing left in Odoo to mirror to.
  row.mirror_pending = 0;
  return { row, decision };
}

export function decideParent(old: BindingRow | undefined, templateId: number, needed: boolean, entry: ProductEntry | null, connectionId: number, now: number, pass: number): { row: BindingValues; decision: Decision } {
  const row: BindingValues = old ? stripId(old) : newBinding(connectionId, 'parent', templateId, templateId, now);
  row.seen_at = pass;
  row.updated_at = now;
  let decision: Decision;
  if (needed && entry) {
    row.eligible = 1;
    row.sku = entry.sku;
    row.title = entry.title ?? null;
    decision = want(row, entry, payloadHash(entry), false, now);
  } else {
    row.eligible = 0;
    decision = deactivate(row, 'parent', now);
  }
  row.mirror_pending = 0;
  return { row, decision };
}

/** Marks a variant as not sendable (a duplicate SKU found after its page was decided). */
export function markProblem(row: BindingValues, problem: Problem, now: number): void {
  unqueue(row);
  setError(row, problem.code, problem.message, now);
  row.updated_at = now;
  syncMirror(row);
}

function want(row: BindingValues, entry: ProductEntry, hash: string, forced: boolean, now: number, json?: string): Decision {
  const differs = hash !== row.sent_hash;
  if (row.inflight_item_id !== null) {
    // In flight: keep the latest change for after the result (dropped then if it equals what was sent).
    if (differs || forced) queue(row, entry, hash, forced, now, json);
    else unqueue(row);
    return 'coalesced';
  }
  if (forced || (differs && hash !== row.failed_hash)) {
    queue(row, entry, hash, forced, now, json);
    return 'queued';
  }
  unqueue(row);
  return differs ? 'refused' : 'unchanged';
}

function deactivate(row: BindingValues, kind: 'variant' | 'parent', now: number): Decision {
  const onPoleepo = row.poleepo_id !== null || row.inflight_item_id !== null;
  if (!onPoleepo || (row.inactive_sent && row.inflight_item_id === null)) {
    unqueue(row);
    return 'ignored';
  }
  const entry = mapInactive(row.sku ?? '', null, kind);
  const hash = payloadHash(entry);
  if (hash === row.sent_hash && row.inflight_item_id === null) {
    unqueue(row);
    return 'ignored';
  }
  if (row.pending_hash !== hash) queue(row, entry, hash, false, now);
  return 'inactive';
}

function queue(row: BindingValues, entry: ProductEntry, hash: string, forced: boolean, now: number, json?: string): void {
  if (row.pending_hash !== hash) {
    row.pending_hash = hash;
    row.pending_payload = json ?? JSON.stringify(entry);
  }
  row.queued_at ??= now;
  row.forced = forced || row.forced ? 1 : 0;
}

function unqueue(row: BindingValues): void {
  row.pending_hash = null;
  row.pending_payload = null;
  row.queued_at = null;
  row.forced = 0;
}

export function setError(row: BindingValues, code: string, message: string, now: number): void {
  if (row.last_error_code !== code || row.last_error !== message) row.last_error_at = now;
  row.last_error_code = code;
  row.last_error = message;
}

export function clearError(row: BindingValues): void {
  row.last_error_code = null;
  row.last_error = null;
  row.last_error_at = null;
}

/**
 * Needs Update, as users see it in Odoo: something queued or in flight, or not sent because of an error (cleared only
 * when Poleepo completes the product).
 */
export function needsUpdate(row: Pick<BindingValues, 'queued_at' | 'inflight_item_id' | 'last_error_code'>): boolean {
  return row.queued_at !== null || row.inflight_item_id !== null || row.last_error_code !== null;
}

/**
 * What Odoo should show for a variant: needs-update (see needsUpdate), the Poleepo id, the last error. `mirror_pending` says whether Odoo must be written.
 */
export function syncMirror(row: BindingValues): void {
  if (row.kind !== 'variant') {
    row.mirror_pending = 0;
    return;
  }
  const needs = needsUpdate(row) ? 1 : 0;
  // Odoo already shows what we want: it is ours now (not a person's forced resend).
  if (needs === 1 && row.odoo_needs_update === 1) row.flagged = 1;
  const differs = needs !== row.odoo_needs_update || (row.poleepo_id ?? null) !== (row.odoo_ref ?? null) || (row.last_error ?? null) !== (row.odoo_last_error ?? null);
  row.mirror_pending = differs ? 1 : 0;
}

export function stripId(row: BindingRow): BindingValues {
  const { id: _id, ...rest } = row;
  return rest;
}
