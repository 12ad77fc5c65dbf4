import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { safeEqual } from '../shared/passwords.ts';
import type { TaskQueue } from '../tasks/task.queue.ts';
import type { ResolvedWebhook, WebhooksService } from './webhooks.service.ts';
import { WebhookQueueRepo, type NewWebhookMessage } from './webhook-queue.repo.ts';
import { GroupCommit } from '../storage/group-commit.ts';
import { POLEEPO_WEBHOOK_HEADERS, verifyPoleepoWebhook } from '../poleepo/poleepo.signature.ts';
import type { WebhookEvent } from './webhooks.tables.ts';
import { PROCESS_WEBHOOK_MESSAGE } from './webhook-queue.kinds.ts';
import { DEFAULT_WEBHOOK_MAX_BODY_BYTES } from '../config/env.ts';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../shared/json-depth.ts';

/** The default limit (WEBHOOK_MAX_BODY_BYTES); a running service uses its configured one. */
export const MAX_WEBHOOK_BODY_BYTES = DEFAULT_WEBHOOK_MAX_BODY_BYTES;

export interface IntakeOptions {
  /** Largest body accepted (WEBHOOK_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
}

export type IntakeOutcome =
  | { status: 200; body: { received: true; id: number; duplicate: boolean } }
  | { status: 200; body: { ignored: true; reason: string } }
  | { status: 400 | 401 | 404 | 413; body: { error: string } };

export interface IntakeRequest {
  name: string;
  token: string | undefined;
  rawBody: Buffer;
  /** Request headers with lower-case names. */
  headers: Record<string, string | undefined>;
}

interface ParsedNotification {
  event: string;
  resourceType: 'order' | 'shipment';
  resourceId: string;
  eventId: string | null;
  contentHash: string;
}

/**
 * Intake of Poleepo webhooks: identify, verify, parse, then store the raw payload and its processing task in one
 * transaction (shared with the requests that arrived in the same turn), and only then acknowledge. Rejected requests
 * have no side effect. Payloads are hints: processing re-reads the order or shipment from Poleepo before acting, so a
 * forged message could at worst cause a re-read.
 */
export class WebhookIntake {
  private readonly messages: WebhookQueueRepo;
  /** Requests arriving together share one commit (DESIGN §4.5's throughput bar); each is answered after it. */
  private readonly writer: GroupCommit<NewWebhookMessage, { id: number; duplicate: boolean }>;
  readonly maxBodyBytes: number;

  constructor(
    private readonly webhooks: WebhooksService,
    private readonly tasks: TaskQueue,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: IntakeOptions = {},
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_WEBHOOK_BODY_BYTES;
    this.messages = new WebhookQueueRepo(tasks.db);
    this.writer = new GroupCommit((rows) => this.store(rows));
  }

  /** Each message with its processing task, all in one transaction: nothing is acknowledged before it commits. */
  private store(rows: NewWebhookMessage[]): Promise<{ id: number; duplicate: boolean }[]> {
    return this.tasks.transaction(async (tx) => {
      const stored: { id: number; duplicate: boolean }[] = [];
      for (const row of rows) {
        const message = await this.messages.insertOrCountDuplicate(tx.db, row);
        if (!message.duplicate) {
          await tx.enqueue(PROCESS_WEBHOOK_MESSAGE, { messageId: message.id }, { connectionId: row.connection_id, dedupeKey: `webhook-message:${message.id}`, serialKey: `webhook-message:${message.id}` });
        }
        stored.push(message);
      }
      return stored;
    });
  }

  /**
   * The webhook a URL names, when its token matches; null otherwise. The route asks this before reading the body, so
   * a request to an unknown name or with a wrong token costs no upload.
   */
  async identify(name: string, token: string | undefined): Promise<ResolvedWebhook | null> {
    const webhook = await this.webhooks.resolve(name);
    // Unknown name and wrong token answer alike, so the endpoint does not reveal which names exist.
    if (!webhook || !webhook.active || !token || !safeEqual(token, webhook.urlToken)) return null;
    return webhook;
  }

  /** The refusal of an unknown webhook (same answer for an unknown name and a wrong token). */
  static readonly UNKNOWN: IntakeOutcome = { status: 404, body: { error: 'Unknown webhook' } };

  tooLarge(webhook: ResolvedWebhook): IntakeOutcome & { connectionId?: number } {
    return { status: 413, body: { error: `Body larger than ${this.maxBodyBytes} bytes` }, connectionId: webhook.connectionId };
  }

  /** identify + accept, for callers holding the whole body already. */
  async receive(req: IntakeRequest): Promise<IntakeOutcome & { connectionId?: number }> {
    const webhook = await this.identify(req.name, req.token);
    if (!webhook) return WebhookIntake.UNKNOWN;
    return this.accept(webhook, req.rawBody, req.headers);
  }

  /** Verify, parse, store: the body of a request to an identified webhook. */
  async accept(webhook: ResolvedWebhook, rawBody: Buffer, headers: Record<string, string | undefined>): Promise<IntakeOutcome & { connectionId?: number }> {
    if (rawBody.length > this.maxBodyBytes) return this.tooLarge(webhook);
    const verified = verifyPoleepoWebhook(webhook.verification, rawBody, headers, webhook.secret);
    if (!verified.ok) return { status: 401, body: { error: `Verification failed: ${verified.reason}` }, connectionId: webhook.connectionId };

    const parsed = parseNotification(rawBody, headers);
    if ('error' in parsed) return { status: 400, body: { error: parsed.error }, connectionId: webhook.connectionId };
    if (!webhook.events.includes(parsed.event as WebhookEvent)) {
      this.logger.info({ webhook: webhook.name, event: parsed.event }, 'webhook event not subscribed: acknowledged and ignored');
      return { status: 200, body: { ignored: true, reason: `event ${parsed.event} is not subscribed by webhook ${webhook.name}` }, connectionId: webhook.connectionId };
    }

    const now = this.clock.now();
    const stored = await this.writer.submit({
      connection_id: webhook.connectionId, webhook_id: webhook.id, event: parsed.event, resource_type: parsed.resourceType,
      resource_id: parsed.resourceId, event_id: parsed.eventId, dedupe_key: `${parsed.event}:${parsed.resourceType}:${parsed.resourceId}:${parsed.contentHash}`,
      status: 'pending', payload: rawBody.toString('utf8'), attempts: 0, last_error: null, note: null, duplicates: 0,
      received_at: now, processed_at: null, updated_at: now,
    });
    return { status: 200, body: { received: true, id: stored.id, duplicate: stored.duplicate }, connectionId: webhook.connectionId };
  }
}

function parseNotification(rawBody: Buffer, headers: Record<string, string | undefined>): ParsedNotification | { error: string } {
  const text = rawBody.toString('utf8');
  // Before parsing: a body nested thousands deep would overflow canonicalJson's recursion (a 500, not a refusal).
  if (jsonDepthExceeds(text)) return { error: `Body is nested deeper than ${MAX_JSON_DEPTH} levels` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: 'Body is not valid JSON' };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { error: 'Body must be a JSON object' };
  const b = body as Record<string, unknown>;
  const event = String(b.event ?? headers[POLEEPO_WEBHOOK_HEADERS.event] ?? '').trim().toUpperCase();
  if (!event) return { error: 'No event in the body ("event") or the X-Poleepo-Event header' };
  const data = (b.data && typeof b.data === 'object' ? b.data : b) as Record<string, unknown>;
  const eventId = typeof b.event_id === 'string' ? b.event_id : headers[POLEEPO_WEBHOOK_HEADERS.delivery] ?? null;
  const contentHash = createHash('sha256').update(event).update('\0').update(canonicalJson(data)).digest('hex').slice(0, 32);
  const idOf = (v: unknown) => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? String(v) : null);
  if (event === 'STATUS_SHIPMENT') {
    const id = idOf(data.shipping_id) ?? idOf(data.id);
    if (!id) return { error: 'STATUS_SHIPMENT without data.shipping_id' };
    return { event, resourceType: 'shipment', resourceId: id, eventId, contentHash };
  }
  const id = idOf(data.order_id) ?? idOf(data.id);
  if (!id) return { error: `${event} without data.order_id` };
  return { event, resourceType: 'order', resourceId: id, eventId, contentHash };
}

/** JSON with sorted keys, so the same content hashes the same whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
