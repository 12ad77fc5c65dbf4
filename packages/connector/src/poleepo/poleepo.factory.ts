import type { RateLimit } from '../ratelimit/ledger.ts';
import { DEFAULT_POLEEPO_ENDPOINTS, type PoleepoEndpointKey, type PoleepoEndpointOverrides } from './poleepo.endpoints.ts';
import { PoleepoClient, defaultPoleepoRateLimits, type PoleepoClientDeps, type PoleepoRateLimits } from './poleepo.client.ts';

/** What the factory needs of a connection (a `ConnectionView` fits). */
export interface PoleepoClientTarget {
  id: number;
  poleepo: { baseUrl: string; clientId: string };
  settings: { rateLimits?: Record<string, RateLimit>; poleepoEndpoints?: Record<string, string> };
}

/**
 * The Poleepo client of a connection, wired as every process wires it: the context's HTTP client (API log, ledger),
 * clock, database and SecretBox (the shared token), the connection's limits and endpoint overrides.
 */
/** The process-wide parts every Poleepo client shares (an AppContext fits). */
export type PoleepoClientWiring = Pick<PoleepoClientDeps, 'http' | 'clock' | 'db' | 'secrets'>;

export function poleepoClientFor(ctx: PoleepoClientWiring, target: PoleepoClientTarget, clientSecret: string, overrides: Partial<PoleepoClientDeps> = {}): PoleepoClient {
  return new PoleepoClient({
    http: ctx.http, clock: ctx.clock, db: ctx.db, secrets: ctx.secrets,
    baseUrl: target.poleepo.baseUrl, clientId: target.poleepo.clientId, clientSecret, connectionId: target.id,
    rateLimits: knownLimits(target.settings.rateLimits),
    endpoints: (target.settings.poleepoEndpoints ?? {}) as PoleepoEndpointOverrides,
    ...overrides,
  });
}

/** Settings may carry limits for any key; only endpoint keys matter (the batch status default stays unless replaced). */
function knownLimits(limits: Record<string, RateLimit> = {}): PoleepoRateLimits {
  const out: PoleepoRateLimits = defaultPoleepoRateLimits();
  for (const [key, rule] of Object.entries(limits)) if (key in DEFAULT_POLEEPO_ENDPOINTS) out[key as PoleepoEndpointKey] = rule;
  return out;
}
