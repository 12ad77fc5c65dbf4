import { TransportError } from '../http/http.client.ts';
import type { PoleepoClient } from './poleepo.client.ts';
import type { PoleepoArea } from './poleepo.endpoints.ts';
import { PoleepoAuthError, PoleepoNotFoundError, PoleepoPermissionError, PoleepoValidationError } from './poleepo.errors.ts';

export type AccessLevel = 'none' | 'read' | 'write' | 'unknown';

export interface PoleepoCheckItem {
  name: string;
  ok: boolean;
  detail: string;
}

export interface PoleepoCheckResult {
  ok: boolean;
  tokenObtained: boolean;
  permissions: Record<PoleepoArea, AccessLevel>;
  checks: PoleepoCheckItem[];
  /** One plain sentence for a person: what works, or what to change in Poleepo. */
  verdict: string;
}

/** What the connector needs of the key: write everywhere (batches, status push-back, shipments and waybills). */
const NEEDED: Record<PoleepoArea, { level: 'write'; why: string }> = {
  orders: { level: 'write', why: 'to read orders and send their status and invoices back' },
  products: { level: 'write', why: 'to send product batches' },
  shipping: { level: 'write', why: 'to create shipments and download waybills' },
};

/** Read probe (a one-item list) and side-effect-free write probe (an update of id 0, docs/poleepo-api.md §3). */
const PROBES: Record<PoleepoArea, { read: (c: PoleepoClient) => Promise<unknown>; write: (c: PoleepoClient) => Promise<unknown> }> = {
  orders: { read: (c) => c.page('orders.list', 0, 1, { probe: true }), write: (c) => c.call('orders.updateStatus', { params: { id: 0 }, body: {}, probe: true }) },
  products: { read: (c) => c.page('products.list', 0, 1, { probe: true }), write: (c) => c.call('products.update', { params: { id: 0 }, body: {}, probe: true }) },
  shipping: { read: (c) => c.page('carriers.list', 0, 1, { probe: true }), write: (c) => c.call('shippings.updateStatus', { params: { id: 0 }, body: {}, probe: true }) },
};

/**
 * The Poleepo side of `connection test`: can we get a token, and what may the key do with orders, products and
 * shipping. Never changes anything on Poleepo.
 */
export async function checkPoleepo(client: PoleepoClient): Promise<PoleepoCheckResult> {
  const checks: PoleepoCheckItem[] = [];
  const permissions: Record<PoleepoArea, AccessLevel> = { orders: 'unknown', products: 'unknown', shipping: 'unknown' };
  try {
    await client.token();
    checks.push({ name: 'token', ok: true, detail: `Poleepo issued an access token for client id ${client.clientId}` });
  } catch (error) {
    const detail = error instanceof PoleepoAuthError
      ? 'Poleepo refused the client id or client secret: copy them again from Poleepo (Configurations > API) and check that the key is enabled'
      : `Could not obtain a Poleepo access token: ${poleepoFailureWords(error)}`;
    checks.push({ name: 'token', ok: false, detail });
    return { ok: false, tokenObtained: false, permissions, checks, verdict: detail };
  }

  for (const area of Object.keys(PROBES) as PoleepoArea[]) {
    permissions[area] = await probeArea(client, area);
    const need = NEEDED[area];
    const ok = permissions[area] === need.level;
    const detail = permissions[area] === 'unknown'
      ? `could not tell the key's access to ${area}`
      : `the key has ${permissions[area] === 'none' ? 'no' : permissions[area]} access to ${area}${ok ? '' : ` (the connector needs ${need.level} access ${need.why})`}`;
    checks.push({ name: `permission:${area}`, ok, detail });
  }

  const missing = (Object.keys(NEEDED) as PoleepoArea[]).filter((a) => permissions[a] !== NEEDED[a].level);
  const ok = missing.length === 0;
  const verdict = ok
    ? 'Poleepo is reachable and the API key has write access to orders, products and shipping.'
    : `The Poleepo API key is missing what the connector needs: ${missing.map((a) => `${NEEDED[a].level} access to ${a} (${NEEDED[a].why}; ${describeHas(permissions[a])})`).join('; ')}. Change the key's permissions in Poleepo under Configurations > API.`;
  return { ok, tokenObtained: true, permissions, checks, verdict };
}

function describeHas(level: AccessLevel): string {
  if (level === 'none') return 'it has no access';
  if (level === 'unknown') return 'it could not be checked: Poleepo did not answer the probe clearly';
  return `it has ${level}`;
}

async function probeArea(client: PoleepoClient, area: PoleepoArea): Promise<AccessLevel> {
  const probe = PROBES[area];
  try {
    await probe.read(client);
  } catch (error) {
    return error instanceof PoleepoPermissionError ? 'none' : 'unknown';
  }
  try {
    await probe.write(client);
    return 'write';
  } catch (error) {
    if (error instanceof PoleepoPermissionError) return 'read';
    // Past the permission check, the probe stops at the missing resource or its empty body: write access.
    if (error instanceof PoleepoNotFoundError || error instanceof PoleepoValidationError) return 'write';
    return 'unknown';
  }
}

/**
 * Why a call failed, in the connector's own words (status, network error code, error kind): never text from the
 * reply, since the base URL under test may point anywhere.
 */
export function poleepoFailureWords(error: unknown): string {
  if (error instanceof TransportError) {
    if (error.timedOut) return 'no answer in time';
    const code = /\b(E[A-Z]{3,}|CERT_[A-Z_]+|UNABLE_TO_[A-Z_]+|DEPTH_ZERO_[A-Z_]+|SELF_SIGNED_[A-Z_]+|ERR_[A-Z_]+)\b/.exec(error.message)?.[1];
    return code ? `no connection: ${code}` : 'no connection';
  }
  const status = (error as { info?: { status?: unknown } } | null)?.info?.status;
  const kind = error instanceof Error ? error.name : 'error';
  return `${typeof status === 'number' ? `HTTP ${status}, ` : ''}${kind}; the API log has the call`;
}
