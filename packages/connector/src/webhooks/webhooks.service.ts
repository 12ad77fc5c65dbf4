import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';
import type { SecretBox } from '../shared/secrets.ts';
import { randomToken } from '../shared/passwords.ts';
import { ValidationError } from '../shared/errors.ts';
import { WebhooksRepo, type WebhookRow } from './webhooks.repo.ts';
import { VERIFICATION_MODES, WEBHOOK_EVENTS, type VerificationMode, type WebhookEvent } from './webhooks.tables.ts';

export interface WebhookConfig {
  id: number;
  connectionId: number;
  name: string;
  events: WebhookEvent[];
  verification: VerificationMode;
  active: boolean;
}

/** A webhook as the intake needs it: decrypted token and secret (kept in memory only). */
export interface ResolvedWebhook extends WebhookConfig {
  urlToken: string;
  secret: string;
}

export interface AddWebhookInput {
  connectionId: number;
  name: string;
  secret: string;
  events: string[];
  verification?: string;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const CACHE_MS = 5_000;

/** Webhook configuration (admin): name, secret from Poleepo, events, verification mode, and the URL to paste back. */
export class WebhooksService {
  private readonly repo: WebhooksRepo;
  private readonly cache = new Map<string, { at: number; value: ResolvedWebhook }>();

  constructor(db: Db, private readonly clock: Clock, private readonly secrets: SecretBox, private readonly publicUrl: string) {
    this.repo = new WebhooksRepo(db);
  }

  async add(input: AddWebhookInput): Promise<{ webhook: WebhookConfig; url: string }> {
    const name = input.name.trim();
    if (!NAME.test(name)) throw new ValidationError(`Webhook name "${input.name}" must be 1-64 letters, digits, "_", "-" or "." (no spaces)`);
    if (!input.secret || input.secret.trim().length < 8) throw new ValidationError('The secret key copied from Poleepo is required (at least 8 characters)');
    const events = [...new Set(input.events.map((e) => e.trim().toUpperCase()).filter(Boolean))];
    if (events.length === 0) throw new ValidationError(`Choose at least one event (${WEBHOOK_EVENTS.join(', ')})`);
    const unknown = events.filter((e) => !WEBHOOK_EVENTS.includes(e as WebhookEvent));
    if (unknown.length) throw new ValidationError(`Unknown event(s) ${unknown.join(', ')}: use ${WEBHOOK_EVENTS.join(', ')}`);
    const verification = (input.verification ?? 'hmac') as VerificationMode;
    if (!VERIFICATION_MODES.includes(verification)) throw new ValidationError(`Verification must be one of ${VERIFICATION_MODES.join(', ')}`);
    if (await this.repo.byName(name)) throw new ValidationError(`A webhook named "${name}" already exists`);
    const token = randomToken(24);
    const now = this.clock.now();
    const id = await this.repo.insert({
      connection_id: input.connectionId, name, url_token: this.secrets.encrypt(token), secret: this.secrets.encrypt(input.secret.trim()),
      events: JSON.stringify(events), verification, active: 1, created_at: now, updated_at: now,
    });
    this.cache.delete(name);
    return { webhook: { id, connectionId: input.connectionId, name, events: events as WebhookEvent[], verification, active: true }, url: this.urlFor(name, token) };
  }

  async list(connectionId?: number): Promise<(WebhookConfig & { connectionName: string; url: string })[]> {
    const rows = await this.repo.list(connectionId);
    return rows.map((r) => ({ ...toConfig(r), connectionName: r.connection_name, url: this.urlFor(r.name, this.secrets.decrypt(r.url_token)) }));
  }

  async remove(name: string): Promise<void> {
    if (!(await this.repo.remove(name))) throw new ValidationError(`No webhook named "${name}"`);
    this.cache.delete(name);
  }

  /**
   * The intake's lookup, cached briefly: decrypting on every request would cost more than storing the message. Only
   * webhooks that exist are cached (a name that cannot exist is not even looked up): requests to random names must
   * not grow the cache.
   */
  async resolve(name: string): Promise<ResolvedWebhook | null> {
    if (!NAME.test(name)) return null;
    const hit = this.cache.get(name);
    const now = this.clock.now();
    if (hit && now - hit.at < CACHE_MS && now >= hit.at) return hit.value;
    const row = await this.repo.byName(name);
    if (!row) {
      this.cache.delete(name);
      return null;
    }
    const value = { ...toConfig(row), urlToken: this.secrets.decrypt(row.url_token), secret: this.secrets.decrypt(row.secret) };
    this.cache.set(name, { at: now, value });
    return value;
  }

  /** How many webhooks the lookup cache holds (bounded by the webhooks that exist). */
  get cachedCount(): number {
    return this.cache.size;
  }

  urlFor(name: string, token: string): string {
    return `${this.publicUrl}/webhooks/poleepo/${encodeURIComponent(name)}?token=${token}`;
  }
}

function toConfig(r: WebhookRow): WebhookConfig {
  return { id: r.id, connectionId: r.connection_id, name: r.name, events: JSON.parse(r.events), verification: r.verification, active: r.active === 1 };
}
