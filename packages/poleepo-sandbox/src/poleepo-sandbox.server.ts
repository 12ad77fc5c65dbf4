import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '@poleepo-odoo/clock';
import { apiHandlers } from './poleepo-sandbox.api.ts';
import { newSandboxClient } from './poleepo-sandbox.auth.ts';
import { handleControl, statsBody, type ControlDeps } from './poleepo-sandbox.control.ts';
import { SandboxApiError } from './poleepo-sandbox.errors.ts';
import { SandboxFaults, type SandboxFault } from './poleepo-sandbox.faults.ts';
import { SandboxLimiter, SandboxStats } from './poleepo-sandbox.limits.ts';
import { SandboxRouter, type RouteMatch } from './poleepo-sandbox.routes.ts';
import { PoleepoSandboxState } from './poleepo-sandbox.state.ts';
import { restoreState, SandboxStateWriter } from './poleepo-sandbox.persistence.ts';
import type { PoleepoSandboxKnobs, PoleepoSandboxOptions, SandboxClient } from './poleepo-sandbox.types.ts';
import { SandboxTracking } from './poleepo-sandbox.tracking.ts';
import { SandboxWebhooks } from './poleepo-sandbox.webhooks.ts';

export interface PoleepoSandbox {
  /** `http://127.0.0.1:<port>`: the base URL a Poleepo client is given. */
  url: string;
  port: number;
  /** The API keys it accepts (one full-access key is generated when none is given). */
  clients: SandboxClient[];
  state: PoleepoSandboxState;
  knobs: PoleepoSandboxKnobs;
  stats: SandboxStats & { body(): Record<string, unknown> };
  webhooks: SandboxWebhooks;
  faults: SandboxFaults;
  /** The carrier's own progress of handed-over shippings (knob `shippingProgressMs`). */
  tracking: SandboxTracking;
  /** True when the account came from the state file (a restart), false when it started empty or seeded. */
  restored: boolean;
  /** Writes the state file now if the account changed (no-op without `stateFile`). */
  saveState(): void;
  stop(): Promise<void>;
}

const MAX_BODY = 20 * 1024 * 1024;

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function defaultKnobs(options: Partial<PoleepoSandboxKnobs> = {}): PoleepoSandboxKnobs {
  return {
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    batchProcessingDelayMs: options.batchProcessingDelayMs ?? 2000,
    rateLimitWindowMs: options.rateLimitWindowMs ?? 10 * 60_000,
    rateLimits: { ...(options.rateLimits ?? {}) },
    orderStatusFormat: options.orderStatusFormat ?? 'code',
    maxPageSize: options.maxPageSize ?? 100,
    honourSkuFilter: options.honourSkuFilter ?? true,
    maxBatchItems: options.maxBatchItems ?? 1000,
    webhookMaxAttempts: options.webhookMaxAttempts ?? 6,
    webhookRetryBaseMs: options.webhookRetryBaseMs ?? 1000,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    shippingProgressMs: options.shippingProgressMs ?? 0,
  };
}

/**
 * The Poleepo sandbox (DESIGN §5): a real HTTP server on 127.0.0.1 playing Poleepo's API as docs/poleepo-api.md
 * describes it, plus the `/__sandbox/` control API. Time comes from the injected clock (token expiry, rate windows,
 * batch processing, webhook retries), so tests drive it without sleeping.
 */
export async function startPoleepoSandbox(options: PoleepoSandboxOptions = {}): Promise<PoleepoSandbox> {
  const clock = options.clock ?? systemClock;
  const knobs = defaultKnobs(options);
  const clients = options.clients?.length ? options.clients.map((c) => ({ enabled: true, ...c })) : [newSandboxClient()];
  const state = new PoleepoSandboxState({ clients, randomSeed: options.randomSeed ?? 20260101, seedProducts: options.seedProducts ?? false, now: clock.now() });
  const restored = options.stateFile ? restoreState(options.stateFile, state) : false;
  const stateWriter = options.stateFile ? new SandboxStateWriter(options.stateFile, state, options.saveEveryMs ?? 5000) : null;
  stateWriter?.flush();
  const router = new SandboxRouter(options.paths);
  const stats = new SandboxStats(knobs);
  const limiter = new SandboxLimiter(knobs);
  const faults = new SandboxFaults();
  const webhooks = new SandboxWebhooks(clock, knobs);
  const handlers = apiHandlers(state, knobs);
  const tracking = new SandboxTracking(clock, knobs, state.shippings);
  const control: ControlDeps = { state, knobs, webhooks, faults, stats, now: () => clock.now() };

  state.orders.onStatus = ({ order, previous, deliver }) =>
    webhooks.emit('STATUS_ORDER', `order:${order.id}`, { order_id: order.id, status: order.status, previous_status: previous }, deliver);
  state.shippings.onStatus = ({ shipping, previous, deliver }) => {
    webhooks.emit('STATUS_SHIPMENT', `shipping:${shipping.id}`, {
      shipping_id: shipping.id, order_id: shipping.order_id, status: shipping.status, previous_status: previous,
      tracking_code: shipping.tracking_code, carrier: state.shippings.carrierName(shipping),
    }, deliver);
    tracking.changed(shipping);
  };
  // The carrier picks up where it was: each restored shipping's next scan is scheduled again.
  if (restored) for (const shipping of state.shippings.shippings.values()) tracking.changed(shipping);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    if (raw === null) return sendJson(res, 413, { success: false, code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' });
    // Carrier scans that are due come first, so neither API nor control API ever sees a shipping behind its time.
    tracking.run(clock.now());

    if (url.pathname === '/__sandbox' || url.pathname.startsWith('/__sandbox/')) {
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        return sendJson(res, 400, { error: 'The body is not JSON' });
      }
      const answer = await handleControl(method, url.pathname, body, control);
      return sendJson(res, answer.status, answer.body);
    }

    const now = clock.now();
    state.tick(now);
    const match = router.match(method, url.pathname);
    if (!match) return sendJson(res, 404, { success: false, code: 'NOT_FOUND', message: `No route ${method} ${url.pathname}` });
    const key = match.route.key;
    stats.received(key, now);

    // A fault acts before the request is processed, or (`after`) replaces the answer once it has been: a lost reply.
    const fault = faults.take(key, url.pathname);
    if (fault && !fault.after && (await injectFault(req, res, key, fault))) return;
    let answer: Answer;
    try {
      answer = runApi(req, url, match, raw, now);
    } catch (error) {
      stats.answered(key, 500);
      throw error;
    }
    if (fault?.after && (await injectFault(req, res, key, fault))) return;
    stats.answered(key, answer.status);
    return sendJson(res, answer.status, answer.body, answer.headers);
  }

  /** Poleepo's answer to an authenticated, authorised request within limits, or its error body. */
  function runApi(req: IncomingMessage, url: URL, match: RouteMatch, raw: Buffer, now: number): Answer {
    const key = match.route.key;
    try {
      const parse = (): unknown => {
        if (!raw.length) return undefined;
        try {
          return JSON.parse(raw.toString('utf8'));
        } catch {
          throw new SandboxApiError(400, 'VALIDATION_ERROR', 'The request body is not JSON');
        }
      };
      if (key === 'auth.token') return { status: 200, body: { data: state.auth.issue(parse(), now, knobs.tokenTtlSeconds) } };
      const client = state.auth.authenticate(req.headers.authorization, now);
      if (match.route.permission) state.auth.requireAccess(client, match.route.permission.area, match.route.permission.level);
      const retryAfter = limiter.check(client.clientId, key, now);
      if (retryAfter !== null) {
        stats.rateLimited(key);
        return { status: 429, body: { success: false, code: 'RATE_LIMITED', message: `Too many requests to ${key}; retry in ${retryAfter} s` }, headers: { 'Retry-After': String(retryAfter) } };
      }
      const answer = handlers[key]({ key, params: match.params, query: url.searchParams, body: parse(), client, now });
      return { status: answer.status, body: answer.total === undefined ? { data: answer.data } : { data: answer.data, total: answer.total } };
    } catch (error) {
      if (!(error instanceof SandboxApiError)) throw error;
      return { status: error.status, body: error.body() };
    }
  }

  /** Plays a fault; false when it only delayed (the request then goes on, or its real answer is sent). */
  async function injectFault(req: IncomingMessage, res: ServerResponse, key: string, fault: SandboxFault): Promise<boolean> {
    // Real time on purpose: a slow answer is there to run into the client's (real-time) request timeout.
    if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.drop) {
      stats.answered(key, 'dropped');
      req.socket.destroy();
      return true;
    }
    if (fault.malformed) {
      stats.answered(key, 200);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"data": [{"id": 1, "sku": "TRUNC');
      return true;
    }
    if (fault.status === null) return false;
    const headers: Record<string, string> = {};
    if (fault.status === 429) {
      headers['Retry-After'] = String(fault.retryAfter);
      stats.rateLimited(key);
    }
    stats.answered(key, fault.status);
    sendJson(res, fault.status, { success: false, code: codeFor(fault.status), message: `Injected fault (HTTP ${fault.status})` }, headers);
    return true;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, { success: false, code: 'INTERNAL_ERROR', message: String((error as Error)?.message ?? error) });
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}`,
    port,
    clients,
    state,
    knobs,
    stats: Object.assign(stats, { body: () => statsBody(control) }),
    webhooks,
    faults,
    tracking,
    restored,
    saveState: () => stateWriter?.flush(),
    stop: async () => {
      tracking.stop();
      webhooks.stop();
      await webhooks.idle().catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      stateWriter?.stop();
    },
  };
}

function codeFor(status: number): string {
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401) return 'INVALID_TOKEN';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 400 || status === 422) return 'VALIDATION_ERROR';
  return 'INTERNAL_ERROR';
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
