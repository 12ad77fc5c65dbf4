import { SandboxApiError } from './poleepo-sandbox.errors.ts';
import type { SandboxAccess, SandboxArea, SandboxClient } from './poleepo-sandbox.types.ts';
import { isPlainObject, randomAlnum } from './poleepo-sandbox.util.ts';

interface TokenRec {
  clientId: string;
  expiresAt: number;
}

const LEVEL: Record<SandboxAccess, number> = { none: 0, read: 1, write: 2 };

/** A new key pair in Poleepo's format: `poleepo_` + 32 and `plpscrt_` + 32 characters (research §1.2). */
export function newSandboxClient(permissions: SandboxClient['permissions'] = { orders: 'write', products: 'write', shipping: 'write' }): SandboxClient {
  return { clientId: `poleepo_${randomAlnum(32)}`, clientSecret: `plpscrt_${randomAlnum(32)}`, permissions, enabled: true };
}

/** API keys and the tokens issued to them; expiry follows the sandbox clock. */
export class SandboxAuth {
  private readonly clients = new Map<string, SandboxClient>();
  private readonly tokens = new Map<string, TokenRec>();
  issued = 0;

  constructor(clients: SandboxClient[]) {
    for (const c of clients) this.addClient(c);
  }

  addClient(client: SandboxClient): SandboxClient {
    this.clients.set(client.clientId, client);
    return client;
  }

  client(clientId: string): SandboxClient | undefined {
    return this.clients.get(clientId);
  }

  allClients(): SandboxClient[] {
    return [...this.clients.values()];
  }

  /** `POST /oauth/access_token` with `{client_id, client_secret, grant: "client_credentials"}` (confirmed shape). */
  issue(body: unknown, now: number, ttlSeconds: number): { access_token: string; duration: number } {
    if (!isPlainObject(body)) throw new SandboxApiError(400, 'VALIDATION_ERROR', 'The request body must be a JSON object');
    if (body.grant !== 'client_credentials') {
      throw new SandboxApiError(400, 'VALIDATION_ERROR', 'grant must be "client_credentials"', [{ field: 'grant', code: 'INVALID', message: 'grant must be "client_credentials" (the field is grant, not grant_type)' }]);
    }
    const client = typeof body.client_id === 'string' ? this.clients.get(body.client_id) : undefined;
    if (!client || client.clientSecret !== body.client_secret || client.enabled === false) {
      throw new SandboxApiError(401, 'INVALID_CLIENT', 'Invalid client credentials');
    }
    const token = randomAlnum(48);
    this.tokens.set(token, { clientId: client.clientId, expiresAt: now + ttlSeconds * 1000 });
    this.issued++;
    return { access_token: token, duration: ttlSeconds };
  }

  /** Every token issued so far (tests look for them where they must not be: logs, the connector's database). */
  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  /** The client behind a `Bearer` header, or 401. */
  authenticate(header: string | undefined, now: number): SandboxClient {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) throw new SandboxApiError(401, 'INVALID_TOKEN', 'Missing Bearer token');
    const rec = this.tokens.get(m[1]);
    if (!rec) throw new SandboxApiError(401, 'INVALID_TOKEN', 'Unknown access token');
    if (rec.expiresAt <= now) throw new SandboxApiError(401, 'TOKEN_EXPIRED', 'The access token has expired');
    const client = this.clients.get(rec.clientId);
    if (!client || client.enabled === false) throw new SandboxApiError(401, 'INVALID_TOKEN', 'The API key is disabled');
    return client;
  }

  /** Every issued token answers 401 from now on (what a revoked or expired token looks like). */
  expireAll(): number {
    const n = this.tokens.size;
    for (const rec of this.tokens.values()) rec.expiresAt = 0;
    return n;
  }

  /** 403 unless the key has at least `level` on `area`. */
  requireAccess(client: SandboxClient, area: SandboxArea, level: 'read' | 'write'): void {
    // No permissions given: a full-access key (the usual case); given: what is not listed is no access.
    const has = client.permissions ? (client.permissions[area] ?? 'none') : 'write';
    if (LEVEL[has] < LEVEL[level]) {
      throw new SandboxApiError(403, 'PERMISSION_DENIED', `This API key has ${has === 'none' ? 'no' : has} access to ${area}; ${level} access is required`, undefined, { permission: area, required: level });
    }
  }
}
