import type { z } from 'zod';
import type { AppContext } from '../app/context.ts';
import { AppError, ValidationError, errorMessage } from '../shared/errors.ts';
import { SecretBox } from '../shared/secrets.ts';
import { ConnectionsRepo, type ConnectionRow, type ConnectionRowPatch } from './connections.repo.ts';
import { defaultConnectionChecks, type ConnectionCheck } from './connections.checks.ts';
import { odooFailureWords } from './connections.odoo-check.ts';
import { isOdooError } from '../odoo/odoo.errors.ts';
import { mergeConnectionSettings, parseConnectionSettings } from './connections.settings.ts';
import {
  createConnectionSchema, updateConnectionSchema, type ConnectionCheckResult, type ConnectionSecrets, type ConnectionTestReport,
  type ConnectionView, type CreateConnectionInput, type UpdateConnectionInput,
} from './connections.types.ts';

/** The connection named or numbered does not exist. */
export class ConnectionNotFoundError extends AppError {
  constructor(ref: number | string) {
    super('not_found', typeof ref === 'number' ? `No connection with id ${ref}` : `No connection named "${ref}"`);
  }
}

/**
 * Connections (DESIGN §4.1): one Odoo company + one Poleepo account + an active flag + settings. Secrets are encrypted
 * with the context's SecretBox and never leave this service except through `secrets()` (for client factories).
 * Used by the CLI, the console and the bootstrap; every method validates its input.
 */
export class ConnectionsService {
  private readonly repo: ConnectionsRepo;

  constructor(private readonly ctx: AppContext, private readonly checks: readonly ConnectionCheck[] = defaultConnectionChecks()) {
    this.repo = new ConnectionsRepo(ctx.db);
  }

  async list(): Promise<ConnectionView[]> {
    return (await this.repo.list()).map((row) => this.toView(row));
  }

  /** By id or by name. */
  async get(ref: number | string): Promise<ConnectionView> {
    return this.toView(await this.row(ref));
  }

  /** The named connection, or the only one when no name is given (CLI's optional --connection). */
  async resolve(name?: string | null): Promise<ConnectionView> {
    if (name) return this.get(name);
    const all = await this.repo.list();
    const [only] = all;
    if (all.length === 1 && only) return this.toView(only);
    if (!only) throw new ValidationError('There is no connection yet: add one with "connection add"');
    throw new ValidationError(`There are ${all.length} connections: name one (${all.map((c) => c.name).join(', ')})`);
  }

  async create(input: CreateConnectionInput): Promise<ConnectionView> {
    const data = validate(createConnectionSchema, input);
    if (await this.repo.findByName(data.name)) throw new ValidationError(`A connection named "${data.name}" already exists`);
    const settings = parseConnectionSettings(data.settings ?? {});
    const now = this.ctx.clock.now();
    const id = await this.repo.insert({
      name: data.name,
      active: data.active ? 1 : 0,
      odoo_url: data.odoo.url,
      odoo_db: data.odoo.db,
      odoo_login: data.odoo.login,
      odoo_api_key: this.ctx.secrets.encrypt(data.odoo.apiKey),
      odoo_company_id: data.odoo.companyId,
      poleepo_base_url: data.poleepo.baseUrl,
      poleepo_client_id: data.poleepo.clientId,
      poleepo_client_secret: this.ctx.secrets.encrypt(data.poleepo.clientSecret),
      settings: JSON.stringify(settings),
      created_at: now,
      updated_at: now,
    });
    return this.get(id);
  }

  /**
   * Changes what is given; a new API key or secret replaces the stored one (and forgets what was probed). A new Odoo
   * or Poleepo URL needs its secret again: a stored key or secret is only ever sent to the address it was given for
   * (otherwise whoever may edit the connection could have the next test or sync deliver it to a host of their choice).
   */
  async update(ref: number | string, input: UpdateConnectionInput): Promise<ConnectionView> {
    const row = await this.row(ref);
    const data = validate(updateConnectionSchema, input);
    if (data.odoo?.url !== undefined && data.odoo.url !== row.odoo_url && data.odoo.apiKey === undefined) {
      throw new ValidationError(`the Odoo URL changes (${row.odoo_url} → ${data.odoo.url}): give the Odoo API key again; the stored key is never sent to another address`);
    }
    if (data.poleepo?.baseUrl !== undefined && data.poleepo.baseUrl !== row.poleepo_base_url && data.poleepo.clientSecret === undefined
      && this.decrypt(row.poleepo_client_secret, row.name) !== '') {
      throw new ValidationError(`the Poleepo base URL changes (${row.poleepo_base_url} → ${data.poleepo.baseUrl}): give the Poleepo client secret again; the stored secret is never sent to another address`);
    }
    const patch: ConnectionRowPatch = { updated_at: this.ctx.clock.now() };
    if (data.name !== undefined && data.name !== row.name) {
      if (await this.repo.findByName(data.name)) throw new ValidationError(`A connection named "${data.name}" already exists`);
      patch.name = data.name;
    }
    if (data.active !== undefined) patch.active = data.active ? 1 : 0;
    const odoo = data.odoo ?? {};
    if (odoo.url !== undefined) patch.odoo_url = odoo.url;
    if (odoo.db !== undefined) patch.odoo_db = odoo.db;
    if (odoo.login !== undefined) patch.odoo_login = odoo.login;
    if (odoo.companyId !== undefined) patch.odoo_company_id = odoo.companyId;
    if (odoo.apiKey !== undefined) patch.odoo_api_key = this.ctx.secrets.encrypt(odoo.apiKey);
    if (odoo.url !== undefined || odoo.db !== undefined || odoo.login !== undefined || odoo.apiKey !== undefined) {
      Object.assign(patch, { odoo_version: null, odoo_transport: null, odoo_api_key_expires_at: null });
    }
    const poleepo = data.poleepo ?? {};
    if (poleepo.baseUrl !== undefined) patch.poleepo_base_url = poleepo.baseUrl;
    if (poleepo.clientId !== undefined) patch.poleepo_client_id = poleepo.clientId;
    if (poleepo.clientSecret !== undefined) patch.poleepo_client_secret = this.ctx.secrets.encrypt(poleepo.clientSecret);
    const clientIdAfter = poleepo.clientId ?? row.poleepo_client_id;
    const secretAfter = poleepo.clientSecret ?? this.decrypt(row.poleepo_client_secret, row.name);
    if (Boolean(clientIdAfter) !== Boolean(secretAfter)) throw new ValidationError('give both the Poleepo client id and client secret, or neither');
    if (data.settings !== undefined) patch.settings = JSON.stringify(mergeConnectionSettings(this.settingsOf(row), data.settings as never));
    await this.repo.update(row.id, patch);
    return this.get(row.id);
  }

  async setActive(ref: number | string, active: boolean): Promise<ConnectionView> {
    return this.update(ref, { active });
  }

  /** Removes the connection (its tasks go with it). */
  async remove(ref: number | string): Promise<void> {
    const row = await this.row(ref);
    await this.repo.delete(row.id);
  }

  /** Decrypted secrets: only for building API clients, never to print or return to a page. */
  async secrets(ref: number | string): Promise<ConnectionSecrets> {
    const row = await this.row(ref);
    return { odooApiKey: this.decrypt(row.odoo_api_key, row.name), poleepoClientSecret: this.decrypt(row.poleepo_client_secret, row.name) };
  }

  /** Stores what a probe learnt (version, transport, API-key expiry). */
  async recordOdooFacts(ref: number | string, facts: { version?: string | null; transport?: 'jsonrpc' | 'json2' | null; apiKeyExpiresAt?: number | null }): Promise<void> {
    const row = await this.row(ref);
    const patch: ConnectionRowPatch = {};
    if (facts.version !== undefined) patch.odoo_version = facts.version;
    if (facts.transport !== undefined) patch.odoo_transport = facts.transport;
    if (facts.apiKeyExpiresAt !== undefined) patch.odoo_api_key_expires_at = facts.apiKeyExpiresAt;
    if (Object.keys(patch).length) await this.repo.update(row.id, patch);
  }

  /**
   * `connection test`: every registered check (the Odoo side here; the Poleepo side plugs in through
   * connections.checks.ts), each with a plain-words verdict. The outcome is stored on the connection.
   */
  async test(ref: number | string, opts: { signal?: AbortSignal } = {}): Promise<ConnectionTestReport> {
    const connection = await this.get(ref);
    const secrets = await this.secrets(connection.id);
    const results: ConnectionCheckResult[] = [];
    // The hosts under test may be anything typed in a form: their answers are judged, not kept. The API log records
    // each call's status and size only (issue 15: show a verdict, never a foreign body).
    const ctx = { ...this.ctx, http: this.ctx.http.withLogPolicy({ responseBody: 'size-only', reason: 'connection test' }) };
    for (const check of this.checks) {
      try {
        const outcome = await check({ ctx, connection, secrets, signal: opts.signal });
        results.push(...outcome.checks);
        if (outcome.odooFacts) await this.recordOdooFacts(connection.id, outcome.odooFacts);
      } catch (error) {
        results.push({ system: check.system ?? 'connector', name: check.checkName ?? 'check', status: 'fail', detail: `The check itself failed: ${isOdooError(error) ? odooFailureWords(error) : `${error instanceof Error ? error.name : 'error'}; the API log has the calls`}` });
      }
    }
    const at = this.ctx.clock.now();
    const ok = results.every((r) => r.status !== 'fail');
    await this.repo.update(connection.id, { last_tested_at: at, last_test_ok: ok ? 1 : 0, last_test_result: JSON.stringify(results) });
    return { connectionId: connection.id, name: connection.name, ok, at, checks: results };
  }

  private async row(ref: number | string): Promise<ConnectionRow> {
    const row = typeof ref === 'number' ? await this.repo.get(ref) : await this.repo.findByName(ref);
    if (!row) throw new ConnectionNotFoundError(ref);
    return row;
  }

  private settingsOf(row: ConnectionRow) {
    try {
      return parseConnectionSettings(JSON.parse(row.settings || '{}'));
    } catch (error) {
      throw new ValidationError(`Connection "${row.name}" has unreadable settings: ${errorMessage(error)}`);
    }
  }

  private decrypt(stored: string, name: string): string {
    if (!SecretBox.isEncrypted(stored)) throw new ValidationError(`Connection "${name}" holds a secret that is not encrypted; set it again`);
    return this.ctx.secrets.decrypt(stored);
  }

  private toView(row: ConnectionRow): ConnectionView {
    let lastTest: ConnectionView['lastTest'] = null;
    if (row.last_tested_at !== null && row.last_tested_at !== undefined) {
      let checks: ConnectionCheckResult[] = [];
      try { checks = JSON.parse(row.last_test_result ?? '[]'); } catch { checks = []; }
      lastTest = { at: Number(row.last_tested_at), ok: row.last_test_ok === 1, checks };
    }
    return {
      id: Number(row.id),
      name: row.name,
      active: row.active === 1,
      odoo: {
        url: row.odoo_url,
        db: row.odoo_db,
        login: row.odoo_login,
        companyId: row.odoo_company_id === null ? null : Number(row.odoo_company_id),
        apiKeySet: Boolean(row.odoo_api_key),
        version: row.odoo_version ?? null,
        transport: row.odoo_transport ?? null,
        apiKeyExpiresAt: row.odoo_api_key_expires_at === null || row.odoo_api_key_expires_at === undefined ? null : Number(row.odoo_api_key_expires_at),
      },
      poleepo: {
        baseUrl: row.poleepo_base_url,
        clientId: row.poleepo_client_id,
        clientSecretSet: Boolean(row.poleepo_client_id),
      },
      settings: this.settingsOf(row),
      lastTest,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }
}

function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.') || 'connection'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
