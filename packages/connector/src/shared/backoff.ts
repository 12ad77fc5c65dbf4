/**
 * The one backoff formula of the connector (task retries, HTTP retries towards Poleepo, Odoo call retries):
 *
 *   delay(n) = jitter(min(cap, base · 2^n)),  n = doublings so far (0 before the first retry)
 *
 * Jitter spreads the retries of calls that failed together (an outage) so they do not come back as one wave:
 * - `around` f: uniformly within ±f of the nominal delay (tasks: ±25 %), at the cap too;
 * - `upper-half`: uniformly between half the nominal delay and all of it ("equal jitter": never much shorter, for
 *   calls a person or a batch waits on).
 * `random` is injected (tests pin it); the exponent stops at 30, long past any cap, to keep the arithmetic plainly safe.
 */
export type Jitter = { spread: 'around'; fraction: number } | { spread: 'upper-half' };

export interface Backoff {
  baseMs: number;
  capMs: number;
  jitter: Jitter;
}

/** The delay before jitter. */
export function nominalBackoff(doublings: number, backoff: Pick<Backoff, 'baseMs' | 'capMs'>): number {
  const exponent = Math.min(Math.max(doublings, 0), 30);
  return Math.min(backoff.capMs, backoff.baseMs * 2 ** exponent);
}

/** The delay to wait, in whole milliseconds. */
export function backoffDelay(doublings: number, backoff: Backoff, random: () => number = Math.random): number {
  const nominal = nominalBackoff(doublings, backoff);
  const jitter = backoff.jitter;
  switch (jitter.spread) {
    case 'around':
      return Math.round(nominal * (1 + jitter.fraction * (2 * random() - 1)));
    case 'upper-half':
      return Math.round(nominal / 2 + random() * (nominal / 2));
  }
}
