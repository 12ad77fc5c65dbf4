import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { PoleepoRateLimitedError } from '../src/poleepo/poleepo.errors.ts';
import { defaultPoleepoRateLimits } from '../src/poleepo/poleepo.client.ts';
import { startPoleepoSandbox, type PoleepoSandbox } from '@poleepo-odoo/poleepo-sandbox';
import { createTestDb, type TestDb } from './helpers/db.ts';
import { sandboxClient } from './fixtures/poleepo-kit.ts';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const WINDOW = 10 * 60_000;

interface Outcome {
  pid: number;
  granted: number;
  ledgerRefused: number;
  serverRefused: number;
  errors: string[];
}

/** The polling fixture in its own Node process: `ready` once started, polls when `go()` is called. */
function startPoller(args: Record<string, unknown>): { ready: Promise<void>; go(): void; done: Promise<Outcome> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/poleepo-poll-batch.ts', JSON.stringify(args)], { cwd: join(import.meta.dirname, '..'), env: process.env });
  let out = '';
  let err = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (c) => {
    out += c;
    if (out.includes('ready\n')) markReady();
  });
  child.stderr.on('data', (c) => (err += c));
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`fixture exited with ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Outcome);
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), done };
}

/** Starts the pollers, waits until all are ready, then lets them and `here` run at once. */
async function pollTogether(args: Record<string, unknown>[], here: () => Promise<PollResult>): Promise<[Outcome[], PollResult]> {
  const pollers = args.map(startPoller);
  await Promise.all(pollers.map((p) => p.ready));
  for (const p of pollers) p.go();
  const [others, mine] = await Promise.all([Promise.all(pollers.map((p) => p.done)), here()]);
  return [others, mine];
}

interface PollResult {
  granted: number;
  ledgerRefused: number;
  serverRefused: number;
}

describe('Poleepo batch status limit across processes (PostgreSQL)', () => {
  let db: TestDb | undefined;
  let sandbox: PoleepoSandbox | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    await db?.cleanup();
  });

  it('three processes polling together never send the endpoint more than 5 requests in any window, and share one token', async () => {
    db = await createTestDb('postgres');
    const clock = new ManualClock(T0, true);
    sandbox = await startPoleepoSandbox({ clock, rateLimitWindowMs: WINDOW, batchProcessingDelayMs: 0 });
    const key = sandbox.clients[0];
    const { client } = sandboxClient(sandbox, clock, { db, overrides: { rateLimits: defaultPoleepoRateLimits(WINDOW) } });
    const batch = await client.submitBatch([{ sku: 'A', title: 'A' }]);
    const base = { baseUrl: sandbox.url, clientId: key.clientId, clientSecret: key.clientSecret, dbUrl: db.url, schema: db.schema, batchId: batch.id, attempts: 4, windowMs: WINDOW };

    const pollHere = async (attempts: number): Promise<PollResult> => {
      const o = { granted: 0, ledgerRefused: 0, serverRefused: 0 };
      for (let i = 0; i < attempts; i++) {
        try {
          await client.getBatch(batch.id);
          o.granted++;
        } catch (error) {
          if (!(error instanceof PoleepoRateLimitedError)) throw error;
          if (error.info.poleepoCode === 'LEDGER') o.ledgerRefused++;
          else o.serverRefused++;
        }
      }
      return o;
    };

    // Window 1: this process and two others, 12 attempts in all against a limit of 5.
    const [[a, b], here] = await pollTogether([{ ...base, now: T0 }, { ...base, now: T0 }], () => pollHere(4));
    expect(a.pid).not.toBe(b.pid);
    expect([a, b].flatMap((o) => o.errors)).toEqual([]);
    expect(a.granted + b.granted + here.granted).toBe(5);
    expect(a.ledgerRefused + b.ledgerRefused + here.ledgerRefused).toBe(7);
    expect(a.serverRefused + b.serverRefused + here.serverRefused).toBe(0);

    // Window 2, once the first has passed: five more and no more.
    clock.set(T0 + WINDOW);
    const [[c], here2] = await pollTogether([{ ...base, now: T0 + WINDOW }], () => pollHere(4));
    expect(c.granted + here2.granted).toBe(5);
    expect(c.ledgerRefused + here2.ledgerRefused).toBe(3);

    const stats = sandbox.stats.endpoint('batches.status');
    expect(stats).toMatchObject({ requests: 10, max_in_window: 5, limit: 5, window_ms: WINDOW, rate_limited: 0 });
    expect(sandbox.stats.body()).toMatchObject({ rate_limited_total: 0 });
    // The token was obtained once, by this process, and reused by the others from the database.
    expect(sandbox.stats.endpoint('auth.token').requests).toBe(1);
    const ledger = await db.kysely.selectFrom('rate_limit_ledger').select(['account_key', 'endpoint']).execute();
    expect(ledger).toHaveLength(10);
    expect(new Set(ledger.map((r) => `${r.account_key} ${r.endpoint}`))).toEqual(new Set([`poleepo:${sandbox.url}:${key.clientId} batches.status`]));
  });
});
