import type { PoleepoSandboxKnobs, SandboxRateRule } from './poleepo-sandbox.types.ts';

/** The limits in force: `batches.status` is 5 per `rateLimitWindowMs` (seed) unless the knobs say otherwise. */
export function ruleFor(knobs: PoleepoSandboxKnobs, key: string): SandboxRateRule | null {
  if (key in knobs.rateLimits) return knobs.rateLimits[key];
  if (key === 'batches.status') return { limit: 5, windowMs: knobs.rateLimitWindowMs };
  return null;
}

/** Sliding-window limiter per (client id, endpoint): only accepted requests fill the window. */
export class SandboxLimiter {
  private readonly accepted = new Map<string, number[]>();

  constructor(private readonly knobs: PoleepoSandboxKnobs) {}

  /** null = allowed (and counted); otherwise the seconds to put in Retry-After. */
  check(clientId: string, key: string, now: number): number | null {
    const rule = ruleFor(this.knobs, key);
    if (!rule) return null;
    const k = `${clientId}\u0000${key}`;
    const times = (this.accepted.get(k) ?? []).filter((t) => t > now - rule.windowMs);
    if (times.length >= rule.limit) {
      this.accepted.set(k, times);
      const oldest = times[times.length - rule.limit];
      return Math.max(1, Math.ceil((oldest + rule.windowMs - now) / 1000));
    }
    times.push(now);
    this.accepted.set(k, times);
    return null;
  }

  reset(): void {
    this.accepted.clear();
  }
}

interface EndpointCounters {
  requests: number;
  byStatus: Record<string, number>;
  times: number[];
  rateLimited: number;
}

export interface EndpointStats {
  requests: number;
  by_status: Record<string, number>;
  /** The most requests this endpoint received in any window of `window_ms` (every request, answered or not). */
  max_in_window: number;
  window_ms: number;
  limit: number | null;
  rate_limited: number;
}

/** What `GET /__sandbox/stats` reports per endpoint key. */
export class SandboxStats {
  private readonly endpoints = new Map<string, EndpointCounters>();
  rateLimitedTotal = 0;

  constructor(private readonly knobs: PoleepoSandboxKnobs) {}

  received(key: string, now: number): void {
    const c = this.counters(key);
    c.requests++;
    c.times.push(now);
  }

  answered(key: string, status: number | 'dropped'): void {
    const c = this.counters(key);
    c.byStatus[String(status)] = (c.byStatus[String(status)] ?? 0) + 1;
  }

  rateLimited(key: string): void {
    this.counters(key).rateLimited++;
    this.rateLimitedTotal++;
  }

  endpoint(key: string): EndpointStats {
    const c = this.counters(key);
    const rule = ruleFor(this.knobs, key);
    const windowMs = rule?.windowMs ?? this.knobs.rateLimitWindowMs;
    return { requests: c.requests, by_status: { ...c.byStatus }, max_in_window: maxInWindow(c.times, windowMs), window_ms: windowMs, limit: rule?.limit ?? null, rate_limited: c.rateLimited };
  }

  snapshot(): { endpoints: Record<string, EndpointStats>; rate_limited_total: number } {
    const endpoints: Record<string, EndpointStats> = {};
    for (const key of [...this.endpoints.keys()].sort()) endpoints[key] = this.endpoint(key);
    return { endpoints, rate_limited_total: this.rateLimitedTotal };
  }

  reset(): void {
    this.endpoints.clear();
    this.rateLimitedTotal = 0;
  }

  private counters(key: string): EndpointCounters {
    let c = this.endpoints.get(key);
    if (!c) this.endpoints.set(key, (c = { requests: 0, byStatus: {}, times: [], rateLimited: 0 }));
    return c;
  }
}

/** The largest number of times falling in any half-open window (t - windowMs, t]. */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[start] <= sorted[end] - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
