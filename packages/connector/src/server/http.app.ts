import { Hono, type MiddlewareHandler } from 'hono';
import type { AppContext } from '../app/context.ts';
import { ping } from '../storage/db.ts';
import { pendingMigrations } from '../storage/migrator.ts';
import { errorMessage } from '../shared/errors.ts';

/** A module's public HTTP routes (webhooks, images…), mounted on the internet-facing listener. */
export type RouteRegistrar = (app: Hono, ctx: AppContext) => void;

export interface HttpAppOptions {
  /** Public routes of the capability modules. */
  routes?: RouteRegistrar[];
  /** The console (mounted at `/` here unless it has its own listener). */
  console?: Hono;
  /**
   * Serve `/metrics` here (default). False when CONSOLE_PORT gives the console its own listener: the metrics go with
   * it, off the internet-facing one (they name routes, volumes and failures).
   */
  metrics?: boolean;
}

/**
 * The internet-facing app: health, readiness, and the modules' public routes; the console and metrics too unless
 * CONSOLE_PORT gives the console its own listener (so only webhooks and images need to face the internet).
 */
export function createHttpApp(ctx: AppContext, options: HttpAppOptions = {}): Hono {
  const app = new Hono();
  app.use('*', observeRequests(ctx));
  mountOperationalRoutes(app, ctx, { metrics: options.metrics ?? true });
  for (const register of options.routes ?? []) register(app, ctx);
  if (options.console) app.route('/', options.console);
  app.notFound((c) => c.text('Not found', 404));
  app.onError((error, c) => {
    ctx.logger.error({ err: error, path: c.req.path }, 'unhandled HTTP error');
    return c.text('Internal error', 500);
  });
  return app;
}

/** The console's own listener (CONSOLE_PORT): console, health and metrics, nothing public. */
export function createConsoleListenerApp(ctx: AppContext, consoleApp: Hono): Hono {
  const app = new Hono();
  app.use('*', observeRequests(ctx));
  mountOperationalRoutes(app, ctx, { metrics: true });
  app.route('/', consoleApp);
  return app;
}

function mountOperationalRoutes(app: Hono, ctx: AppContext, options: { metrics: boolean }): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await ping(ctx.db);
    } catch (error) {
      return c.json({ status: 'unavailable', reason: `database unreachable: ${errorMessage(error)}` }, 503);
    }
    const pending = await pendingMigrations(ctx.db);
    if (pending.length > 0) return c.json({ status: 'unavailable', reason: 'database schema is older than the code', pending }, 503);
    return c.json({ status: 'ready' });
  });
  if (options.metrics) app.get('/metrics', async (c) => c.text(await ctx.metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }));
}

/** Inbound calls from the systems we integrate with (Poleepo and Odoo webhooks, image fetches) go to the API log. */
const LOGGED = /^\/(webhooks|images)\//;

/**
 * Metrics for every request (by matched route, so ids don't explode the label set) and an API-log entry for
 * inbound calls of the integrated systems. Console page views stay out of the API log (they would drown the calls
 * that matter); their bodies (passwords, forms) are never logged. Webhook bodies are kept by the webhook queue.
 */
function observeRequests(ctx: AppContext): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath && c.req.routePath !== '*' && c.req.routePath !== '/*' ? c.req.routePath : c.res.status === 404 ? 'unmatched' : c.req.path.split('/').slice(0, 2).join('/') || '/';
    ctx.metrics.observeHttp(route, c.req.method, c.res.status, seconds);
    if (!LOGGED.test(c.req.path)) return;
    const system = c.req.path.startsWith('/webhooks/') ? 'webhook' : 'http';
    ctx.apiLog.record({
      system,
      direction: 'inbound',
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: seconds * 1000,
      error: c.res.status >= 400 ? `HTTP ${c.res.status}` : null,
      connectionId: (c.get as (k: string) => unknown)('connectionId') as number | undefined,
    });
  };
}
