import type { ConnectionCheck, ConnectionCheckInput, ConnectionCheckOutcome } from './connections.checks.ts';
import type { ConnectionCheckResult } from './connections.types.ts';
import { checkPoleepo } from '../poleepo/poleepo.check.ts';
import { poleepoClientFor } from '../poleepo/poleepo.factory.ts';

/**
 * The Poleepo side of `connection test` (DESIGN §4.1), plugged into the connections module's list of checks:
 * token obtained, and the key's access to orders, products and shipping, each in plain words.
 */
export const checkPoleepoSide: ConnectionCheck = Object.assign(async ({ ctx, connection, secrets }: ConnectionCheckInput): Promise<ConnectionCheckOutcome> => {
  const add = (checks: ConnectionCheckResult[], name: string, status: ConnectionCheckResult['status'], detail: string) => checks.push({ system: 'poleepo', name, status, detail });
  const checks: ConnectionCheckResult[] = [];
  if (!connection.poleepo.clientId || !secrets.poleepoClientSecret) {
    add(checks, 'credentials', 'fail', 'Poleepo is not configured yet: give the connection the client id and client secret of a Poleepo API key (Poleepo: Configurations > API)');
    return { checks };
  }
  const result = await checkPoleepo(poleepoClientFor(ctx, connection, secrets.poleepoClientSecret, { retries: 1, timeoutMs: 15_000 }));
  for (const c of result.checks) {
    const area = c.name.startsWith('permission:') ? c.name.slice('permission:'.length) : null;
    const status = c.ok ? 'ok' : area && result.permissions[area as keyof typeof result.permissions] === 'unknown' ? 'warn' : 'fail';
    add(checks, area ? `${area} permission` : 'token', status, c.name === 'token' ? c.detail : capitalise(c.detail));
  }
  if (!result.tokenObtained) for (const area of ['orders', 'products', 'shipping']) add(checks, `${area} permission`, 'skipped', 'not checked: no access token');
  return { checks };
}, { system: 'poleepo', checkName: 'poleepo' });

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
