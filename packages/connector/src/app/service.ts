import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Config } from '../config/env.ts';
import { createContext, type AppContext, type ContextOptions } from './context.ts';
import { createConsoleListenerApp, createHttpApp } from '../server/http.app.ts';
import { ValidationError } from '../shared/errors.ts';
import { buildModules, type ServiceModules, type Services } from './modules.ts';
import { bootstrapConnectionFromEnv } from '../connections/connections.bootstrap.ts';
import type { Logger } from '../shared/logger.ts';

export type ProcessRole = 'all' | 'serve' | 'work';

export interface RunningService {
  ctx: AppContext;
  role: ProcessRole;
  /** The capability modules' services of this process. */
  services: Services;
  /** Base URL of the main listener (null for `work`). */
  url: string | null;
  /** Base URL of the console (its own listener with CONSOLE_PORT, else the main one). */
  consoleUrl: string | null;
  /** Graceful: stop accepting, drain workers (up to drainMs), release leases, close the database. */
  stop(options?: { drainMs?: number }): Promise<void>;
}

export interface StartOptions extends ContextOptions {
  /** Listen on this port instead of config.port (0 = any free port; tests). */
  port?: number;
  consolePort?: number;
  /** How long a client may take to send its headers, and its whole request (tests shorten them). */
  requestTimeouts?: RequestTimeouts;
}

export interface RequestTimeouts {
  headersMs: number;
  requestMs: number;
}

/**
 * A second line behind the reverse proxy against slow clients (slowloris): headers within 15 s, the whole request
 * (webhook bodies and console forms are small) within 30 s, or the connection is closed. Responses (images) are not
 * bounded by these.
 */
export const DEFAULT_REQUEST_TIMEOUTS: RequestTimeouts = { headersMs: 15_000, requestMs: 30_000 };

/**
 * Starts one process of the given role. On SQLite only `all` is allowed: there is exactly one process, and
 * PostgreSQL is the way to more.
 */
export async function startService(config: Config, role: ProcessRole, options: StartOptions = {}): Promise<RunningService> {
  if (config.dialect === 'sqlite' && role !== 'all') {
    throw new ValidationError(`"${role === 'serve' ? 'serve' : 'work'}" needs PostgreSQL: on SQLite the connector runs as exactly one process (use "poleepo-odoo start"), or set DATABASE_URL=postgres://… to run serve and work processes separately.`);
  }
  const ctx = await createContext(config, { migrate: true, ...options });
  let modules: ServiceModules | null = null;
  const servers: ServerType[] = [];
  try {
    modules = await buildModules(ctx, { withConsole: role !== 'work' });
    const bootstrap = await bootstrapConnectionFromEnv(ctx);
    if (bootstrap.action !== 'skipped' && bootstrap.action !== 'unchanged') ctx.logger.info({ connection: bootstrap.name, action: bootstrap.action }, 'connection bootstrapped from the environment');
    let url: string | null = null;
    let consoleUrl: string | null = null;
    if (role !== 'work') {
      const consolePort = options.consolePort ?? config.consolePort;
      const separateConsole = consolePort !== null && consolePort !== undefined;
      const main = createHttpApp(ctx, { routes: modules.routes, console: separateConsole ? undefined : modules.console ?? undefined, metrics: !(separateConsole && modules.console) });
      const timeouts = options.requestTimeouts ?? DEFAULT_REQUEST_TIMEOUTS;
      const mainServer = await listen(main, config.host, options.port ?? config.port, timeouts);
      servers.push(mainServer.server);
      url = mainServer.url;
      consoleUrl = url;
      if (separateConsole && modules.console) {
        const consoleServer = await listen(createConsoleListenerApp(ctx, modules.console), config.host, consolePort, timeouts);
        servers.push(consoleServer.server);
        consoleUrl = consoleServer.url;
      }
    }
    if (role !== 'serve') await modules.startBackground();
    const started = modules;
    let stopping: Promise<void> | null = null;
    return {
      ctx, role, url, consoleUrl, services: started.services,
      stop: (stopOptions = {}) => {
        stopping ??= (async () => {
          await Promise.all(servers.map(closeServer));
          await started.stopBackground(stopOptions.drainMs ?? 10_000);
          await ctx.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    await modules?.stopBackground(0).catch(() => undefined);
    await ctx.close();
    throw error;
  }
}

/**
 * The process boundary of a long-running command (start, serve, work, demo). A promise rejected with nobody to handle
 * it is a bug somewhere, not a reason to stop taking webhooks and running every lane: it is logged with its stack and
 * the process goes on (Node's default would end it, and quietly so with the log level of a service). An uncaught
 * exception leaves the process in an unknown state: logged, then the process ends with code 1, for its supervisor to
 * restart it. Returns a function that removes both handlers.
 */
export function guardProcess(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const onRejection = (reason: unknown) => {
    logger.error({ err: reason }, 'unhandled promise rejection (a bug: please report it); the process keeps running');
  };
  const onException = (error: unknown) => {
    logger.error({ err: error }, 'uncaught exception; the process stops (its supervisor restarts it)');
    exit(1);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}

async function listen(app: Hono, host: string, port: number, timeouts: RequestTimeouts): Promise<{ server: ServerType; url: string }> {
  const serverOptions = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    // How often Node looks for connections past those limits.
    connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(timeouts.headersMs / 2))),
  };
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port, serverOptions }, (info: AddressInfo) => {
      resolve({ server, url: `http://${host.includes(':') ? `[${host}]` : host}:${info.port}` });
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new ValidationError(`Port ${port} on ${host} is already in use (set PORT to another port)`) : error);
    });
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would hold close() open until they time out.
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}
