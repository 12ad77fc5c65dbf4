import { describe, expect, it } from 'vitest';
import { backoffDelay, nominalBackoff, type Backoff } from '../src/shared/backoff.ts';
import { HttpClient } from '../src/http/http.client.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { backoffDelay as taskBackoffDelay, DEFAULT_BACKOFF, nominalDelay } from '../src/tasks/task.backoff.ts';

const around: Backoff = { baseMs: 1000, capMs: 60_000, jitter: { spread: 'around', fraction: 0.25 } };
const upperHalf: Backoff = { baseMs: 250, capMs: 10_000, jitter: { spread: 'upper-half' } };

describe('the one backoff formula', () => {
  it('doubles from the base and stops at the cap, for any number of doublings', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => nominalBackoff(n, around))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(nominalBackoff(-3, around)).toBe(1000);
    expect(nominalBackoff(10_000, around)).toBe(60_000);
  });

  it('jitters around the nominal delay within the fraction, at the cap too', () => {
    for (const n of [0, 3, 20]) {
      const nominal = nominalBackoff(n, around);
      expect(backoffDelay(n, around, () => 0)).toBe(Math.round(nominal * 0.75));
      expect(backoffDelay(n, around, () => 0.5)).toBe(nominal);
      expect(backoffDelay(n, around, () => 0.999999)).toBeLessThanOrEqual(Math.round(nominal * 1.25));
    }
  });

  it('jitters in the upper half: never less than half the nominal delay, never more than all of it', () => {
    for (const n of [0, 2, 9]) {
      const nominal = nominalBackoff(n, upperHalf);
      expect(backoffDelay(n, upperHalf, () => 0)).toBe(Math.round(nominal / 2));
      expect(backoffDelay(n, upperHalf, () => 0.999999)).toBeLessThanOrEqual(nominal);
    }
  });

  it('is the formula of task retries (attempt n waits 2^(n-1) bases) and of HTTP retries (retry n waits 2^n bases)', () => {
    const pinned = () => 0.5;
    expect(nominalDelay(1)).toBe(DEFAULT_BACKOFF.baseMs);
    for (const attempt of [1, 4, 12]) {
      expect(taskBackoffDelay(attempt, DEFAULT_BACKOFF, pinned)).toBe(backoffDelay(attempt - 1, { ...DEFAULT_BACKOFF, jitter: { spread: 'around', fraction: DEFAULT_BACKOFF.jitter } }, pinned));
    }
    const http = new HttpClient({ clock: new ManualClock(0), random: () => 0 });
    expect([0, 1, 2, 6].map((attempt) => http.backoff(attempt, { retries: 3 }))).toEqual([125, 250, 500, 5000]);
  });
});
