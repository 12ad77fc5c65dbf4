import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '@poleepo-odoo/clock';
import type { PoleepoSandboxKnobs, SandboxSigning } from './poleepo-sandbox.types.ts';
import { isoSeconds } from './poleepo-sandbox.util.ts';

export const WEBHOOK_EVENTS = ['STATUS_ORDER', 'STATUS_SHIPMENT'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const SIGNING_MODES: SandboxSigning[] = ['hmac', 'header', 'url_token'];

export interface Subscription {
  id: number;
  url: string;
  secret: string;
  events: WebhookEvent[];
  signing: SandboxSigning;
}

interface Delivery {
  id: number;
  subscription: Subscription;
  event: WebhookEvent;
  eventId: string;
  body: string;
  attempts: number;
  nextAt: number;
}

/** An event as it was first made: replays send these exact bytes again (same `event_id`, same signature). */
export interface PastEvent {
  event: WebhookEvent;
  eventId: string;
  body: string;
  status: string | null;
  previousStatus: string | null;
  timestamp: string;
  /** False when it was recorded without being sent (`deliver: false`): a lost or late webhook. */
  sent: boolean;
}

export interface DeliveryAttempt {
  delivery_id: number;
  subscription_id: number;
  event: WebhookEvent;
  event_id: string;
  attempt: number;
  status: number | null;
  error: string | null;
  at: string;
}

/**
 * Webhook delivery as docs/poleepo-api.md §5 assumes it: JSON POSTs signed per the subscription's mode, one at a time
 * in order, retried on non-2xx or no answer with doubling delays on the sandbox clock (so a controlled clock drives
 * the retries; `flush()` attempts everything pending now). Faults: duplicates and out-of-order bursts on purpose.
 */
export class SandboxWebhooks {
  readonly subscriptions: Subscription[] = [];
  readonly attempts: DeliveryAttempt[] = [];
  private pending: Delivery[] = [];
  /** Every event per resource (`order:1001`, `shipping:501`), oldest first, for redeliveries and replays. */
  private readonly history = new Map<string, PastEvent[]>();
  private nextSubscriptionId = 1;
  private nextDeliveryId = 1;
  private duplicateNext = 0;
  private holdNext = 0;
  private held: Delivery[] = [];
  private pumping: Promise<void> | null = null;
  private again = false;
  private readonly stopper = new AbortController();
  delivered = 0;
  failedAttempts = 0;
  abandoned = 0;

  constructor(private readonly clock: Clock, private readonly knobs: PoleepoSandboxKnobs) {}

  subscribe(input: { url: string; secret?: string; events: WebhookEvent[]; signing?: SandboxSigning }): Subscription {
    const sub: Subscription = {
      id: this.nextSubscriptionId++, url: input.url, secret: input.secret ?? randomBytes(24).toString('hex'),
      events: input.events, signing: input.signing ?? 'hmac',
    };
    this.subscriptions.push(sub);
    return sub;
  }

  /**
   * A new event about a resource (`order:1001`, `shipping:501`), sent to every subscriber of its event, or only
   * recorded (`deliver` false) so that a test can replay it later, out of order.
   */
  emit(event: WebhookEvent, resource: string, data: Record<string, unknown>, deliver = true): PastEvent {
    const eventId = `evt_${randomBytes(8).toString('hex')}`;
    const timestamp = isoSeconds(this.clock.now());
    const body = JSON.stringify({ event, event_id: eventId, timestamp, data });
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    const past: PastEvent = { event, eventId, body, status: str(data.status), previousStatus: str(data.previous_status), timestamp, sent: deliver };
    this.history.set(resource, [...(this.history.get(resource) ?? []), past]);
    if (deliver) this.enqueueForSubscribers(event, eventId, body, true);
    return past;
  }

  /** The last event of a resource again, byte for byte, `times` times; 0 when that resource never had one. */
  redeliver(resource: string, times: number): number {
    const last = this.history.get(resource)?.at(-1);
    if (!last) return 0;
    let n = 0;
    for (let i = 0; i < times; i++) n += this.enqueueForSubscribers(last.event, last.eventId, last.body, false);
    return n;
  }

  /**
   * A past event of a resource again, byte for byte, `times` times: the latest with that `status` (or that
   * `eventId`; neither: the latest). Replaying an earlier status after a later one is how a test delivers events
   * out of order. Null when no event matches.
   */
  replay(resource: string, select: { status?: string; eventId?: string }, times: number): { past: PastEvent; deliveries: number } | null {
    const past = [...(this.history.get(resource) ?? [])].reverse()
      .find((e) => (select.status === undefined || e.status === select.status) && (select.eventId === undefined || e.eventId === select.eventId));
    if (!past) return null;
    let deliveries = 0;
    for (let i = 0; i < times; i++) deliveries += this.enqueueForSubscribers(past.event, past.eventId, past.body, false);
    return { past, deliveries };
  }

  /** A resource's events, oldest first. */
  eventsOf(resource: string): PastEvent[] {
    return [...(this.history.get(resource) ?? [])];
  }

  hasEvent(resource: string): boolean {
    return (this.history.get(resource)?.length ?? 0) > 0;
  }

  /** Webhook faults: `duplicate` sends each of the next `count` events twice; `out_of_order` holds the next `count`
   * events and then sends them newest first. */
  fault(kind: 'duplicate' | 'out_of_order', count: number): void {
    if (kind === 'duplicate') this.duplicateNext += count;
    else this.holdNext = Math.max(2, count);
  }

  /** Attempts every pending delivery now (ignoring backoff) and resolves when nothing is in flight. */
  async flush(): Promise<number> {
    const before = this.delivered;
    if (this.held.length) this.releaseHeld();
    for (const d of this.pending) d.nextAt = Math.min(d.nextAt, this.clock.now());
    await this.pump();
    return this.delivered - before;
  }

  /** Resolves when no delivery is being attempted (pending ones may wait for their retry time). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  pendingCount(): number {
    return this.pending.length + this.held.length;
  }

  stop(): void {
    this.stopper.abort();
  }

  private enqueueForSubscribers(event: WebhookEvent, eventId: string, body: string, fresh: boolean): number {
    const subs = this.subscriptions.filter((s) => s.events.includes(event));
    const copies = fresh && this.duplicateNext > 0 ? (this.duplicateNext--, 2) : 1;
    const hold = fresh && this.holdNext > 0;
    for (const subscription of subs) {
      for (let i = 0; i < copies; i++) {
        const d: Delivery = { id: this.nextDeliveryId++, subscription, event, eventId, body, attempts: 0, nextAt: this.clock.now() };
        (hold ? this.held : this.pending).push(d);
      }
    }
    if (hold) {
      this.holdNext--;
      if (this.holdNext === 0) this.releaseHeld();
    }
    void this.pump();
    return subs.length * copies;
  }

  private releaseHeld(): void {
    // Newest first: the receiver sees the later status before the earlier one.
    const byEvent = new Map<string, Delivery[]>();
    for (const d of this.held) byEvent.set(d.eventId, [...(byEvent.get(d.eventId) ?? []), d]);
    this.pending.push(...[...byEvent.values()].reverse().flat());
    this.holdNext = 0;
    this.held = [];
  }

  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        for (;;) {
          const now = this.clock.now();
          const due = this.pending.find((d) => d.nextAt <= now);
          if (!due || this.stopper.signal.aborted) break;
          await this.attempt(due);
        }
      } while (this.again && !this.stopper.signal.aborted);
    })().finally(() => {
      this.pumping = null;
    });
    return this.pumping;
  }

  private async attempt(d: Delivery): Promise<void> {
    d.attempts++;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.subscription.url, {
        method: 'POST', headers: this.headers(d), body: d.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.knobs.webhookTimeoutMs), this.stopper.signal]),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (e) {
      error = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name ?? String(e);
    }
    this.attempts.push({ delivery_id: d.id, subscription_id: d.subscription.id, event: d.event, event_id: d.eventId, attempt: d.attempts, status, error, at: isoSeconds(this.clock.now()) });
    if (this.attempts.length > 1000) this.attempts.splice(0, this.attempts.length - 1000);
    if (!error) {
      this.delivered++;
      this.pending = this.pending.filter((x) => x !== d);
      return;
    }
    this.failedAttempts++;
    if (d.attempts >= this.knobs.webhookMaxAttempts) {
      this.abandoned++;
      this.pending = this.pending.filter((x) => x !== d);
      return;
    }
    const delay = this.knobs.webhookRetryBaseMs * 2 ** (d.attempts - 1);
    d.nextAt = this.clock.now() + delay;
    // Wake when the retry is due (a controlled clock wakes us when advanced past it).
    void this.clock.sleep(delay, this.stopper.signal).then(() => {
      if (!this.stopper.signal.aborted) void this.pump();
    });
  }

  private headers(d: Delivery): Record<string, string> {
    const h: Record<string, string> = {
      'Content-Type': 'application/json', 'User-Agent': 'Poleepo-Webhooks (sandbox)',
      'X-Poleepo-Event': d.event, 'X-Poleepo-Delivery': d.eventId,
    };
    if (d.subscription.signing === 'hmac') h['X-Poleepo-Signature'] = `sha256=${createHmac('sha256', d.subscription.secret).update(d.body).digest('hex')}`;
    if (d.subscription.signing === 'header') h['X-Poleepo-Secret'] = d.subscription.secret;
    return h;
  }
}
