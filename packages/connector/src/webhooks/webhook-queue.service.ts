import type { Clock } from '../shared/clock.ts';
import { errorMessage, ValidationError } from '../shared/errors.ts';
import type { TaskQueue } from '../tasks/task.queue.ts';
import { WebhookQueueRepo, type MessageFilter, type WebhookMessageRow } from './webhook-queue.repo.ts';
import { PROCESS_WEBHOOK_MESSAGE } from './webhook-queue.kinds.ts';
import { GroupCommit } from '../storage/group-commit.ts';

/** Acts on one message (e.g. re-reads the order from Poleepo and imports it). Throws typed errors to fail. */
export type WebhookEventHandler = (message: WebhookMessageRow, signal: AbortSignal) => Promise<void>;

export const DEFAULT_PAYLOAD_RETENTION_MS = 30 * 24 * 3_600_000;
/** A pending message older than this without progress is re-enqueued by the Process Webhook Queue job. */
const SAFETY_NET_AGE_MS = 30_000;

/** The webhook queue's life after intake: processing, statuses, retry, cleaning, retention. */
export class WebhookQueueService {
  readonly repo: WebhookQueueRepo;
  private readonly handlers = new Map<string, WebhookEventHandler>();
  /**
   * Messages processed in the same turn are marked done by one statement and one commit (a burst of webhooks is
   * processed four at a time; a commit per message was most of the workers' database time). Each caller returns
   * only once its message is marked.
   */
  private readonly done: GroupCommit<number, undefined>;

  constructor(private readonly tasks: TaskQueue, private readonly clock: Clock) {
    this.repo = new WebhookQueueRepo(tasks.db);
    this.done = new GroupCommit(async (ids) => {
      await this.repo.markManyDone(ids, this.clock.now());
      return ids.map(() => undefined);
    });
  }

  /** Capability modules plug in what an event means (orders: STATUS_ORDER; shipping: STATUS_SHIPMENT). */
  setHandler(event: string, handler: WebhookEventHandler): void {
    this.handlers.set(event, handler);
  }

  /** Runs inside the `webhooks.process-message` task; idempotent (a message already done is left alone). */
  async process(messageId: number, signal: AbortSignal): Promise<{ status: string }> {
    const message = await this.repo.get(messageId);
    if (!message) return { status: 'gone' };
    if (message.status === 'done') return { status: 'done' };
    const handler = this.handlers.get(message.event);
    const now = this.clock.now();
    if (!handler) {
      const note = `Kept as received: nothing acts on ${message.event} events.`;
      await this.repo.setStatus(messageId, 'received', { now, note });
      return { status: 'received' };
    }
    try {
      await handler(message, signal);
    } catch (error) {
      // Bookkeeping only: the task runner (the boundary) decides between retry and dead letter.
      await this.repo.recordAttempt(messageId, this.clock.now(), errorMessage(error));
      throw error;
    }
    await this.done.submit(messageId);
    return { status: 'done' };
  }

  /** Called when the processing task is dead-lettered: the message shows Fallito with the reason. */
  async markFailed(messageId: number, reason: string): Promise<void> {
    await this.repo.setStatus(messageId, 'failed', { now: this.clock.now(), error: reason, processed: true });
  }

  /** Manual retry (console, CLI): back to In Attesa and processed again at once. */
  async retry(messageId: number): Promise<void> {
    const message = await this.repo.get(messageId);
    if (!message) throw new ValidationError(`No webhook message ${messageId}`);
    if (message.status === 'done') throw new ValidationError(`Webhook message ${messageId} is already processed`);
    if (message.payload === null) throw new ValidationError(`Webhook message ${messageId} has no payload any more (erased after the retention period)`);
    await this.tasks.transaction(async (tx) => {
      await tx.db.updateTable('webhook_messages').set({ status: 'pending', note: null, updated_at: this.clock.now() }).where('id', '=', messageId).execute();
      await tx.enqueue(PROCESS_WEBHOOK_MESSAGE, { messageId }, { connectionId: message.connection_id, dedupeKey: `webhook-message:${messageId}`, serialKey: `webhook-message:${messageId}` });
    });
  }

  list(filter: MessageFilter) {
    return this.repo.list(filter);
  }

  get(id: number) {
    return this.repo.get(id);
  }

  /** Webhook Queue Cleaning (manual job and `queue clean`): removes processed messages. */
  clean(connectionId?: number): Promise<number> {
    return this.repo.deleteDone(connectionId);
  }

  /**
   * Process Webhook Queue (every minute, the safety net): re-enqueues pending messages whose task went missing
   * (e.g. a crash between intake and the worker), and erases processed payloads past the retention period.
   */
  async sweep(retentionMs = DEFAULT_PAYLOAD_RETENTION_MS): Promise<{ requeued: number; erased: number; resumed: number }> {
    const now = this.clock.now();
    let requeued = 0;
    // Messages kept as "received" while nothing acted on their event (STATUS_SHIPMENT before shipping existed) are
    // processed now that a handler does.
    let resumed = 0;
    for (const m of await this.repo.receivedFor([...this.handlers.keys()], 1000)) {
      await this.tasks.transaction(async (tx) => {
        await tx.db.updateTable('webhook_messages').set({ status: 'pending', note: null, updated_at: now }).where('id', '=', m.id).where('status', '=', 'received').execute();
        await tx.enqueue(PROCESS_WEBHOOK_MESSAGE, { messageId: m.id }, { connectionId: m.connection_id, dedupeKey: `webhook-message:${m.id}`, serialKey: `webhook-message:${m.id}` });
      });
      resumed++;
    }
    for (const m of await this.repo.pendingBefore(now - SAFETY_NET_AGE_MS, 1000)) {
      const r = await this.tasks.enqueue(PROCESS_WEBHOOK_MESSAGE, { messageId: m.id }, { connectionId: m.connection_id, dedupeKey: `webhook-message:${m.id}`, serialKey: `webhook-message:${m.id}` });
      if (!r.deduped) requeued++;
    }
    const erased = await this.repo.erasePayloadsProcessedBefore(now - retentionMs);
    return { requeued, erased, resumed };
  }
}
