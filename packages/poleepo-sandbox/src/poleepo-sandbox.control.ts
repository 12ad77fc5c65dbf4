import { SandboxApiError } from './poleepo-sandbox.errors.ts';
import type { SandboxFaults } from './poleepo-sandbox.faults.ts';
import type { SandboxStats } from './poleepo-sandbox.limits.ts';
import type { PoleepoSandboxState } from './poleepo-sandbox.state.ts';
import type { PoleepoSandboxKnobs, SandboxSigning } from './poleepo-sandbox.types.ts';
import { isPlainObject } from './poleepo-sandbox.util.ts';
import { orderView, shippingView } from './poleepo-sandbox.views.ts';
import { SIGNING_MODES, WEBHOOK_EVENTS, type SandboxWebhooks, type WebhookEvent } from './poleepo-sandbox.webhooks.ts';

export interface ControlDeps {
  state: PoleepoSandboxState;
  knobs: PoleepoSandboxKnobs;
  webhooks: SandboxWebhooks;
  faults: SandboxFaults;
  stats: SandboxStats;
  now: () => number;
}

export interface ControlAnswer {
  status: number;
  body: unknown;
}

/** Thrown for a bad control-API request: `{error}` with 400 or 404. */
class ControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * The sandbox's control API (DESIGN §5, docs/poleepo-api.md §7): what a merchant does in Poleepo's UI and what a
 * test needs to provoke. Bare JSON bodies, no authentication (the sandbox listens on 127.0.0.1).
 */
export async function handleControl(method: string, path: string, body: unknown, deps: ControlDeps): Promise<ControlAnswer> {
  try {
    return await route(method, path, body, deps);
  } catch (error) {
    if (error instanceof ControlError) return { status: error.status, body: { error: error.message } };
    if (error instanceof SandboxApiError) return { status: error.status === 404 ? 404 : 400, body: { error: error.message, code: error.code } };
    throw error;
  }
}

async function route(method: string, path: string, body: unknown, d: ControlDeps): Promise<ControlAnswer> {
  const { state, knobs, webhooks } = d;
  const now = d.now();
  const sub = path.slice('/__sandbox'.length);
  const b = (isPlainObject(body) ? body : {}) as Record<string, unknown>;
  const requireBody = () => {
    if (!isPlainObject(body)) throw new ControlError(400, 'The body must be a JSON object');
  };
  let m: RegExpExecArray | null;

  if (method === 'POST' && sub === '/webhooks') {
    requireBody();
    if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) throw new ControlError(400, 'url must be an http(s) URL');
    if (b.secret !== undefined && (typeof b.secret !== 'string' || b.secret === '')) throw new ControlError(400, 'secret must be a non-empty string');
    const events = b.events;
    if (!Array.isArray(events) || events.length === 0 || !events.every((e) => (WEBHOOK_EVENTS as readonly unknown[]).includes(e))) {
      throw new ControlError(400, `events must be a non-empty list of ${WEBHOOK_EVENTS.join(', ')}`);
    }
    if (b.signing !== undefined && !SIGNING_MODES.includes(b.signing as SandboxSigning)) throw new ControlError(400, `signing must be one of ${SIGNING_MODES.join(', ')}`);
    const s = webhooks.subscribe({ url: b.url, secret: b.secret as string | undefined, events: events as WebhookEvent[], signing: b.signing as SandboxSigning | undefined });
    return { status: 201, body: s };
  }
  if (method === 'GET' && sub === '/webhooks') {
    return { status: 200, body: { subscriptions: webhooks.subscriptions, deliveries: webhooks.attempts.slice(-200) } };
  }
  if (method === 'POST' && sub === '/webhooks/redeliver') {
    requireBody();
    const times = timesOf(b);
    const resource = resourceOf(b, d);
    if (!webhooks.hasEvent(resource)) throw new ControlError(404, `${resource.replace(':', ' ')} has had no event yet`);
    return { status: 200, body: { redelivered: webhooks.redeliver(resource, times) } };
  }
  if (method === 'POST' && sub === '/webhooks/replay') {
    requireBody();
    const times = timesOf(b);
    const resource = resourceOf(b, d);
    if (b.status !== undefined && typeof b.status !== 'string') throw new ControlError(400, 'status must be a status code');
    if (b.event_id !== undefined && typeof b.event_id !== 'string') throw new ControlError(400, 'event_id must be a string');
    const done = webhooks.replay(resource, { status: b.status as string | undefined, eventId: b.event_id as string | undefined }, times);
    if (!done) throw new ControlError(404, `${resource.replace(':', ' ')} has had no such event`);
    return { status: 200, body: { replayed: done.deliveries, event_id: done.past.eventId, status: done.past.status } };
  }
  if (method === 'GET' && (m = /^\/(orders|shippings)\/(\d+)\/events$/.exec(sub))) {
    const resource = m[1] === 'orders' ? `order:${state.orders.order(m[2]).id}` : `shipping:${state.shippings.shipping(m[2]).id}`;
    return {
      status: 200,
      body: { events: webhooks.eventsOf(resource).map((e) => ({ event_id: e.eventId, event: e.event, status: e.status, previous_status: e.previousStatus, timestamp: e.timestamp, sent: e.sent })) },
    };
  }
  if (method === 'GET' && sub === '/carriers') {
    return { status: 200, body: { refusals: [...state.shippings.refusals].map(([id, r]) => ({ carrier: state.shippings.carrierByRef(String(id)).code, carrier_id: id, remaining: r.remaining, message: r.message })) } };
  }
  if (method === 'POST' && (m = /^\/carriers\/([^/]+)\/refuse$/.exec(sub))) {
    const carrier = state.shippings.carrierByRef(decodeURIComponent(m[1]));
    if (body !== undefined) requireBody();
    if (b.count !== undefined && (!Number.isInteger(b.count) || (b.count as number) < 1)) throw new ControlError(400, 'count must be a whole number ≥ 1 (leave it out to refuse until DELETE)');
    if (b.message !== undefined && (typeof b.message !== 'string' || b.message.trim() === '')) throw new ControlError(400, 'message must be a non-empty string');
    const refusal = state.shippings.refuse(carrier, (b.count as number | undefined) ?? null, b.message as string | undefined);
    return { status: 201, body: { carrier: carrier.code, carrier_id: carrier.id, remaining: refusal.remaining, message: refusal.message } };
  }
  if (method === 'DELETE' && (m = /^\/carriers\/([^/]+)\/refuse$/.exec(sub))) {
    return { status: 200, body: { cleared: state.shippings.accept(state.shippings.carrierByRef(decodeURIComponent(m[1]))) ? 1 : 0 } };
  }
  if (method === 'POST' && sub === '/webhooks/flush') {
    return { status: 200, body: { delivered: await webhooks.flush() } };
  }
  if (method === 'POST' && sub === '/orders') {
    const order = state.orders.create(body, now);
    return { status: 201, body: orderView(order, knobs) };
  }
  if (method === 'POST' && sub === '/orders/generate') {
    const count = b.count === undefined ? 1 : b.count;
    if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 1000) throw new ControlError(400, 'count must be a whole number from 1 to 1000');
    return { status: 201, body: { orders: state.orders.generate(count as number, now).map((o) => orderView(o, knobs)) } };
  }
  if (method === 'POST' && (m = /^\/orders\/(\d+)\/status$/.exec(sub))) {
    requireBody();
    return { status: 200, body: orderView(state.orders.setStatus(m[1], b.status, false, now, deliverOf(b)), knobs) };
  }
  if (method === 'POST' && (m = /^\/shippings\/(\d+)\/status$/.exec(sub))) {
    requireBody();
    return { status: 200, body: shippingView(state.shippings.setStatus(m[1], b.status, false, now, deliverOf(b)), state.shippings) };
  }
  if (method === 'POST' && sub === '/faults') {
    requireBody();
    if (b.webhook !== undefined) {
      if (b.webhook !== 'duplicate' && b.webhook !== 'out_of_order') throw new ControlError(400, 'webhook must be duplicate or out_of_order');
      const count = b.count === undefined ? (b.webhook === 'duplicate' ? 1 : 2) : b.count;
      if (!Number.isInteger(count) || (count as number) < 1) throw new ControlError(400, 'count must be a whole number ≥ 1');
      webhooks.fault(b.webhook, count as number);
      return { status: 201, body: { webhook: b.webhook, count } };
    }
    const fault = d.faults.add(b);
    if (typeof fault === 'string') throw new ControlError(400, fault);
    return { status: 201, body: fault };
  }
  if (method === 'GET' && sub === '/faults') return { status: 200, body: { faults: d.faults.list() } };
  if (method === 'DELETE' && sub === '/faults') return { status: 200, body: { cleared: d.faults.clear() } };
  if (method === 'POST' && sub === '/tokens/expire') return { status: 200, body: { expired: state.auth.expireAll() } };
  if (method === 'GET' && sub === '/stats') return { status: 200, body: statsBody(d) };
  if (method === 'DELETE' && sub === '/stats') {
    d.stats.reset();
    return { status: 200, body: { reset: true } };
  }
  throw new ControlError(404, `No sandbox control route ${method} ${path}`);
}

function timesOf(b: Record<string, unknown>): number {
  const times = b.times === undefined ? 1 : b.times;
  if (!Number.isInteger(times) || (times as number) < 1 || (times as number) > 100) throw new ControlError(400, 'times must be a whole number from 1 to 100');
  return times as number;
}

/** `order:1001` or `shipping:501` from a body naming exactly one of them (404 when it does not exist). */
function resourceOf(b: Record<string, unknown>, d: ControlDeps): string {
  const hasOrder = b.order_id !== undefined;
  const hasShipping = b.shipping_id !== undefined;
  if (hasOrder === hasShipping) throw new ControlError(400, 'give exactly one of order_id or shipping_id');
  return hasOrder ? `order:${d.state.orders.order(b.order_id as number).id}` : `shipping:${d.state.shippings.shipping(b.shipping_id as number).id}`;
}

/** `deliver: false` records the status event without sending it (replay it later to deliver it late). */
function deliverOf(b: Record<string, unknown>): boolean {
  if (b.deliver !== undefined && typeof b.deliver !== 'boolean') throw new ControlError(400, 'deliver must be true or false');
  return b.deliver !== false;
}

export function statsBody(d: Pick<ControlDeps, 'stats' | 'webhooks'>): Record<string, unknown> {
  return {
    ...d.stats.snapshot(),
    webhooks: { delivered: d.webhooks.delivered, failed_attempts: d.webhooks.failedAttempts, abandoned: d.webhooks.abandoned, pending: d.webhooks.pendingCount() },
  };
}
