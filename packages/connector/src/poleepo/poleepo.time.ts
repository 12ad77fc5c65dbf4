/**
 * `updated_after` as Poleepo accepts it: UTC, whole seconds, `Z` (confirmed: the real API broke the incremental
 * import while fractions were sent). Floors to the second, which can only widen the window, never skip a change.
 */
export function formatUpdatedAfter(at: number | Date): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (!Number.isFinite(ms)) throw new Error(`Invalid updated_after time: ${String(at)}`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Parses Poleepo's ISO dates leniently (with or without `Z`/offset or fractions); null when absent or unreadable. */
export function parsePoleepoDate(value: string | null | undefined): number | null {
  if (!value) return null;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim());
  const t = Date.parse(hasZone ? value : `${value.trim().replace(' ', 'T')}Z`);
  return Number.isNaN(t) ? null : t;
}
