import type { AppContext } from '../app/context.ts';
import { checkOdooSide } from './connections.odoo-check.ts';
import { checkPoleepoSide } from './connections.poleepo-check.ts';
import type { ConnectionCheckResult, ConnectionSecrets, ConnectionView } from './connections.types.ts';

export interface ConnectionCheckInput {
  ctx: AppContext;
  connection: ConnectionView;
  secrets: ConnectionSecrets;
  signal?: AbortSignal;
}

export interface ConnectionCheckOutcome {
  checks: ConnectionCheckResult[];
  /** What the Odoo side learnt, stored on the connection. */
  odooFacts?: { version?: string | null; transport?: 'jsonrpc' | 'json2' | null; apiKeyExpiresAt?: number | null };
}

/** One side of `connection test`. Throwing is allowed: the service turns it into a failed verdict. */
export interface ConnectionCheck {
  (input: ConnectionCheckInput): Promise<ConnectionCheckOutcome>;
  /** Labels for the verdict written when the check throws. */
  system?: string;
  checkName?: string;
}

/**
 * The checks `connection test` runs, in order. The Odoo side is here; the Poleepo side is added to this list by the
 * Poleepo module (one entry: a function returning its verdicts).
 */
export function defaultConnectionChecks(): ConnectionCheck[] {
  return [checkOdooSide, checkPoleepoSide];
}
