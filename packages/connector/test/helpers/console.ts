import { createContext, type AppContext } from '../../src/app/context.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { createConsoleApp, type ConsoleApp, type ConsoleOptions } from '../../src/console/console.app.tsx';
import type { Dialect } from '../../src/storage/db.ts';
import type { Role } from '../../src/auth/auth.roles.ts';
import type { RouteSpec } from '../../src/console/console.types.ts';
import { createTestDb, type TestDb } from './db.ts';
import { testConfig } from './config.ts';
import { productRouteSamples } from '../fixtures/products-console.ts';
import { insertTestConnection } from './connections.ts';
import { WebhookQueueRepo } from '../../src/webhooks/webhook-queue.repo.ts';

export const PASSWORD = 'correct horse battery';

export interface ConsoleFixture {
  db: TestDb;
  clock: ManualClock;
  ctx: AppContext;
  app: ConsoleApp;
  /** A browser-like client: keeps cookies, knows its CSRF token after login. */
  client(ip?: string): ConsoleClient;
  /** Creates a user and returns a client logged in as them. */
  loggedIn(role: Role, login?: string, lang?: 'it' | 'en'): Promise<ConsoleClient>;
  close(): Promise<void>;
}

export async function consoleFixture(dialect: Dialect, options: ConsoleOptions & { env?: Record<string, string> } = {}): Promise<ConsoleFixture> {
  const db = await createTestDb(dialect);
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const ctx = await createContext(testConfig(options.env), { db, clock, logger: silentLogger });
  const app = createConsoleApp(ctx, {
    // Tests name the client address in a header of their own; the real default reads the TCP peer.
    clientIp: (c) => c.req.header('x-test-client-ip') ?? '127.0.0.1',
    timeZone: 'Europe/Rome',
    ...options,
  });
  let n = 0;
  const fixture: ConsoleFixture = {
    db, clock, ctx, app,
    client: (ip = '127.0.0.1') => new ConsoleClient(app, ip),
    loggedIn: async (role, login, lang = 'en') => {
      const name = login ?? `${role}${++n}`;
      await app.services.auth.users.create({ login: name, password: PASSWORD, role, lang });
      const client = new ConsoleClient(app);
      await client.login(name, PASSWORD);
      return client;
    },
    close: async () => {
      await ctx.close();
      await db.cleanup();
    },
  };
  return fixture;
}

/** Talks to the console app in-process (app.request) the way a browser would: cookies kept, forms posted. */
export class ConsoleClient {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: ConsoleApp, readonly ip = '127.0.0.1') {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    headers.set('x-test-client-ip', this.ip);
    const res = await this.app.request(`http://127.0.0.1${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { headers });
  }

  /** Posts a form; the CSRF token of the current page state is added unless `csrf` is false or a string. */
  async post(path: string, form: Record<string, string> = {}, options: { csrf?: boolean | string; headers?: Record<string, string> } = {}): Promise<Response> {
    const body = new URLSearchParams(form);
    if (options.csrf !== false) body.set('_csrf', typeof options.csrf === 'string' ? options.csrf : await this.csrfToken());
    return this.request(path, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...options.headers } });
  }

  /** The token the console put in its pages for this client (read from a rendered page, as a browser would). */
  async csrfToken(): Promise<string> {
    const res = await this.get(this.cookies.has('poleepo_session') ? '/account' : '/login');
    const html = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF token in the page (status ${res.status})`);
    return m[1];
  }

  async login(login: string, password: string): Promise<Response> {
    const res = await this.post('/login', { login, password });
    if (res.status !== 303) throw new Error(`login of ${login} failed with ${res.status}`);
    return res;
  }
}

/**
 * Concrete paths for routes with parameters, built on the fixture's data (a user, an API log entry…). A page that
 * adds a route with parameters adds its sample here; the route-walking tests fail until it has one.
 */
export async function routeSamples(f: ConsoleFixture): Promise<(route: RouteSpec) => string> {
  f.ctx.apiLog.record({ system: 'odoo', direction: 'outbound', method: 'POST', path: '/json/2/res.partner/search_read', status: 200, durationMs: 12 });
  await f.ctx.apiLog.flush();
  const entry = (await f.ctx.apiLogRepo.list({ limit: 1 }))[0];
  const users = await f.app.services.auth.users.list();
  const someone = users.find((u) => u.role === 'operator') ?? users[0];
  const task = await f.ctx.tasks.enqueue('console.sample', { note: 'a sample task' }, { lane: 'maintenance' });
  const samples: Record<string, string> = {
    '/shipping/picking/:id': '/shipping/picking/1',
    '/shipping/shipments/:id/label': '/shipping/shipments/1/label',
    '/users/:id': `/users/${someone.id}`,
    '/api-log/:id': `/api-log/${entry.id}`,
    '/tasks/:id': `/tasks/${task.id}`,
    '/jobs/:name': '/jobs/poll-product-batches',
    ...(await productRouteSamples(f.db)),
    ...(await webhookRouteSamples(f)),
  };
  return (route) => {
    if (!route.path.includes(':')) return route.path;
    const exact = samples[route.path];
    if (exact) return exact;
    // `/users/:id/role` → the sample of `/users/:id` plus `/role`.
    const parent = Object.keys(samples).find((p) => route.path.startsWith(`${p}/`));
    if (parent) return samples[parent] + route.path.slice(parent.length);
    throw new Error(`No sample value for ${route.path}: add one to routeSamples in test/helpers/console.ts`);
  };
}

/** A connection, a webhook and a queued webhook message for the connections, webhooks and queue pages. */
async function webhookRouteSamples(f: ConsoleFixture): Promise<Record<string, string>> {
  const existing = await f.db.kysely.selectFrom('connections').select('id').where('name', '=', 'webhooks-sample').executeTakeFirst();
  const connectionId = existing?.id ?? await insertTestConnection(f.db, 'webhooks-sample');
  const now = f.clock.now();
  const message = await new WebhookQueueRepo(f.db).insertOrCountDuplicate(f.db.kysely, {
    connection_id: connectionId, webhook_id: null, event: 'STATUS_ORDER', resource_type: 'order', resource_id: '9001', event_id: null,
    dedupe_key: 'route-sample', status: 'failed', payload: '{"id":9001}', attempts: 1, last_error: 'sample', note: null, duplicates: 0,
    received_at: now, processed_at: now, updated_at: now,
  });
  return {
    '/connections/:id': `/connections/${connectionId}`,
    '/webhooks/:name': '/webhooks/route-sample',
    '/queue/:id': `/queue/${message.id}`,
  };
}
