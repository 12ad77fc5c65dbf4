import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/env.ts';
import { createContext, type AppContext } from '../../src/app/context.ts';
import { ConnectionsService } from '../../src/connections/connections.service.ts';
import { WebhooksService } from '../../src/webhooks/webhooks.service.ts';
import { startOdooEmulator, type OdooEmulator } from '@poleepo-odoo/odoo-emulator';
import type { OdooVersion } from '@poleepo-odoo/odoo-emulator';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import type { SandboxClient } from '@poleepo-odoo/poleepo-sandbox';
import { provisionOrderFields, useCompanyCurrency } from '../orders.fixture.ts';
import { TEST_ENCRYPTION_KEY } from './config.ts';
import { killConnectorProcesses, startConnectorProcess, stopConnectorProcesses, type ConnectorProcess } from './scale-processes.ts';

/**
 * A real `poleepo-odoo start` process on its own SQLite file, with the Odoo emulator and the Poleepo sandbox in the
 * test process: the connection "shop" and a Poleepo webhook are written to its database before it starts.
 */
export interface ProcessWorld {
  odoo: OdooEmulator;
  sandbox: PoleepoSandbox;
  /** The Poleepo API key the connection uses. */
  poleepoKey: SandboxClient;
  dbPath: string;
  env: Record<string, string>;
  connectionId: number;
  webhook: { secret: string; path: string; token: string };
  /** The running process (after start). */
  connector: ConnectorProcess | null;
  start(name: string): Promise<ConnectorProcess>;
  close(): Promise<void>;
}

export interface ProcessWorldOptions {
  version?: OdooVersion;
  logLevel?: string;
  webhookSecret?: string;
  settings?: Record<string, unknown>;
  /** More to write before the process starts (users, say). */
  prepare?: (ctx: AppContext) => Promise<void>;
}

const PUBLIC_URL = 'http://127.0.0.1:1';

export async function processWorld(options: ProcessWorldOptions = {}): Promise<ProcessWorld> {
  const odoo = await startOdooEmulator({ version: options.version ?? 18 });
  provisionOrderFields(odoo);
  useCompanyCurrency(odoo); // the sandbox's orders are in euros: so is the company (orders.currency.ts)
  const sandbox = await startPoleepoSandbox();
  const dir = mkdtempSync(join(tmpdir(), 'poleepo-process-'));
  const dbPath = join(dir, 'connector.db');
  const env = { DATABASE_URL: `sqlite:${dbPath}`, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: options.logLevel ?? 'warn', PUBLIC_URL };
  const secret = options.webhookSecret ?? 'secret-key-copied-from-poleepo';
  const poleepoKey = sandbox.clients[0];

  const setup = await createContext(loadConfig(env), { migrate: true });
  let connectionId: number;
  let hookUrl: URL;
  try {
    const connection = await new ConnectionsService(setup).create({
      name: 'shop', odoo: { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey, companyId: 1 },
      poleepo: { baseUrl: sandbox.url, clientId: poleepoKey.clientId, clientSecret: poleepoKey.clientSecret },
      settings: options.settings,
    });
    connectionId = connection.id;
    const hook = await new WebhooksService(setup.db, setup.clock, setup.secrets, PUBLIC_URL).add({ connectionId, name: 'poleepo', secret, events: ['STATUS_ORDER'] });
    hookUrl = new URL(hook.url);
    await options.prepare?.(setup);
  } finally {
    await setup.close();
  }

  const world: ProcessWorld = {
    odoo, sandbox, poleepoKey, dbPath, env, connectionId,
    webhook: { secret, path: `${hookUrl.pathname}${hookUrl.search}`, token: hookUrl.searchParams.get('token')! },
    connector: null,
    async start(name) {
      world.connector = await startConnectorProcess('start', name, env);
      return world.connector;
    },
    async close() {
      if (world.connector) await stopConnectorProcesses([world.connector], 5_000);
      killConnectorProcesses();
      await sandbox.stop();
      await odoo.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
