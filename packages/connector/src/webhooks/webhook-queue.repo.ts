import { CompiledQuery, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { Database } from '../storage/schema.ts';
import type { WebhookMessagesTable, WebhookMessageStatus } from './webhooks.tables.ts';
import './webhooks.tables.ts';

export type WebhookMessageRow = Selectable<WebhookMessagesTable>;
export type NewWebhookMessage = Insertable<WebhookMessagesTable>;

export interface MessageFilter {
  connectionId?: number;
  status?: WebhookMessageStatus;
  event?: string;
  resourceId?: string;
  limit?: number;
  offset?: number;
}

const MESSAGE_COLUMNS = [
  'connection_id', 'webhook_id', 'event', 'resource_type', 'resource_id', 'event_id', 'dedupe_key', 'status', 'payload',
  'attempts', 'last_error', 'note', 'duplicates', 'received_at', 'processed_at', 'updated_at',
] as const satisfies readonly (keyof NewWebhookMessage)[];

/**
 * The intake's insert, written once per dialect rather than built by the query builder per message (building and
 * compiling cost more than the insert itself; the text is also what SQLite's statement cache keys on).
 */
function messageInsertSql(dialect: Db['dialect']): string {
  const params = MESSAGE_COLUMNS.map((_, i) => (dialect === 'postgres' ? `$${i + 1}` : '?')).join(', ');
  return `INSERT INTO webhook_messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${params}) ON CONFLICT (connection_id, dedupe_key) DO NOTHING RETURNING id`;
}

/** The webhook queue: every message Poleepo sent us, durable before it is acknowledged. */
export class WebhookQueueRepo {
  private readonly insertSql: string;

  constructor(private readonly db: Db) {
    this.insertSql = messageInsertSql(db.dialect);
  }

  /**
   * Stores a message unless the same one (connection + dedupe key) is already there; then counts the duplicate.
   * Runs in the caller's transaction so the message and its processing task commit together.
   */
  async insertOrCountDuplicate(trx: Kysely<Database>, row: NewWebhookMessage): Promise<{ id: number; duplicate: boolean }> {
    const values = MESSAGE_COLUMNS.map((column) => row[column] ?? null);
    const [inserted] = (await trx.executeQuery<{ id: number }>(CompiledQuery.raw(this.insertSql, values))).rows;
    if (inserted) return { id: Number(inserted.id), duplicate: false };
    const existing = await trx.selectFrom('webhook_messages').select('id')
      .where('connection_id', '=', row.connection_id).where('dedupe_key', '=', row.dedupe_key).executeTakeFirstOrThrow();
    await trx.updateTable('webhook_messages').set((eb) => ({ duplicates: eb('duplicates', '+', 1) })).where('id', '=', existing.id).execute();
    return { id: existing.id, duplicate: true };
  }

  get(id: number): Promise<WebhookMessageRow | undefined> {
    return this.db.kysely.selectFrom('webhook_messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(filter: MessageFilter = {}): Promise<{ rows: (WebhookMessageRow & { connection_name: string })[]; total: number }> {
    let q = this.db.kysely.selectFrom('webhook_messages').innerJoin('connections', 'connections.id', 'webhook_messages.connection_id');
    if (filter.connectionId !== undefined) q = q.where('webhook_messages.connection_id', '=', filter.connectionId);
    if (filter.status) q = q.where('webhook_messages.status', '=', filter.status);
    if (filter.event) q = q.where('webhook_messages.event', '=', filter.event);
    if (filter.resourceId) q = q.where('webhook_messages.resource_id', '=', filter.resourceId);
    const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await q.selectAll('webhook_messages').select('connections.name as connection_name')
      .orderBy('webhook_messages.id', 'desc').limit(filter.limit ?? 50).offset(filter.offset ?? 0).execute();
    return { rows, total: Number(total.n) };
  }

  async countByStatus(): Promise<Record<WebhookMessageStatus, number>> {
    const rows = await this.db.kysely.selectFrom('webhook_messages').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    const out: Record<WebhookMessageStatus, number> = { pending: 0, done: 0, failed: 0, received: 0 };
    for (const r of rows) out[r.status] = Number(r.n);
    return out;
  }

  async setStatus(id: number, status: WebhookMessageStatus, fields: { now: number; error?: string | null; note?: string | null; processed?: boolean }): Promise<void> {
    await this.db.kysely.updateTable('webhook_messages').set({
      status,
      updated_at: fields.now,
      ...(fields.error !== undefined ? { last_error: fields.error } : {}),
      ...(fields.note !== undefined ? { note: fields.note } : {}),
      ...(fields.processed ? { processed_at: fields.now } : {}),
    }).where('id', '=', id).execute();
  }

  async recordAttempt(id: number, now: number, error: string | null): Promise<void> {
    await this.db.kysely.updateTable('webhook_messages')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error, updated_at: now }))
      .where('id', '=', id).execute();
  }

  /** Successful attempts of several messages (those settled in one turn): one statement, one commit. */
  async markManyDone(ids: readonly number[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.kysely.updateTable('webhook_messages')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), status: 'done', last_error: null, note: null, processed_at: now, updated_at: now }))
      .where('id', 'in', [...ids]).execute();
  }

  /** Pending messages received before `before` (the safety net re-enqueues them). */
  pendingBefore(before: number, limit: number): Promise<Pick<WebhookMessageRow, 'id' | 'connection_id'>[]> {
    return this.db.kysely.selectFrom('webhook_messages').select(['id', 'connection_id'])
      .where('status', '=', 'pending').where('received_at', '<', before).orderBy('id').limit(limit).execute();
  }

  /** Messages kept as received (no handler then) for events that now have one, oldest first. */
  receivedFor(events: readonly string[], limit: number): Promise<Pick<WebhookMessageRow, 'id' | 'connection_id'>[]> {
    if (events.length === 0) return Promise.resolve([]);
    return this.db.kysely.selectFrom('webhook_messages').select(['id', 'connection_id'])
      .where('status', '=', 'received').where('event', 'in', [...events]).orderBy('id').limit(limit).execute();
  }

  /** Webhook Queue Cleaning: removes processed (done) messages. */
  async deleteDone(connectionId?: number): Promise<number> {
    let q = this.db.kysely.deleteFrom('webhook_messages').where('status', '=', 'done');
    if (connectionId !== undefined) q = q.where('connection_id', '=', connectionId);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows ?? 0);
  }

  /** Retention: processed payloads carry personal data; they are erased after the retention period. */
  async erasePayloadsProcessedBefore(before: number): Promise<number> {
    const res = await this.db.kysely.updateTable('webhook_messages').set({ payload: null })
      .where('status', 'in', ['done', 'failed']).where('processed_at', '<', before).where('payload', 'is not', null).executeTakeFirst();
    return Number(res.numUpdatedRows ?? 0);
  }
}
