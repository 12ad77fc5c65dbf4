import { backoffDelay as sharedBackoffDelay, nominalBackoff } from '../shared/backoff.ts';

/**
 * Retry delays after a failed attempt (shared/backoff.ts's formula, attempt-indexed, exponential, capped, jittered):
 *
 *   delay(n) = min(cap, base · 2^(n−1)) · (1 ± jitter),  n = the attempt that just failed (1-based)
 *
 * With the defaults (base 10 s, cap 1 h, jitter ±25 %) the nominal schedule is
 *   attempt 1 → 10 s, 2 → 20 s, 3 → 40 s, 4 → 80 s, 5 → 160 s, 6 → 320 s (5 min 20 s),
 *   7 → 640 s (10 min 40 s), 8 → 1280 s (21 min 20 s), 9 → 2560 s (42 min 40 s), 10 and later → 1 h.
 * With the default 10 attempts a task that always fails is dead-lettered after about 2.4 hours of retries.
 * Jitter spreads retries of tasks that failed together (an outage) so they do not return as one wave; it applies at
 * the cap too for the same reason.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** Fraction of the nominal delay added or removed at random (0.25 = ±25 %). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 3_600_000, jitter: 0.25 };

/** The delay before the next try, after `attempt` failed. `random` is injected so tests can pin it. */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  return sharedBackoffDelay(Math.max(attempt, 1) - 1, { baseMs: policy.baseMs, capMs: policy.capMs, jitter: { spread: 'around', fraction: policy.jitter } }, random);
}

/** The delay without jitter (the documented schedule). */
export function nominalDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  return nominalBackoff(Math.max(attempt, 1) - 1, policy);
}
