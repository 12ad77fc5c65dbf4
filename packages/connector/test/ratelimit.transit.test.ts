import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../src/http/http.client.ts';
import { RateLimitLedger } from '../src/ratelimit/ledger.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { RateLimitedError } from '../src/shared/errors.ts';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';

/**
 * A server counts a request when it arrives, which is after the ledger granted it by however long sending took. The
 * ledger counts a request from when its answer came back, so the next grant is a full window after the server's count
 * and a limit equal to the server's never earns a 429 (seen in the scale-out test before: 6 requests in Poleepo's
 * window when the sandbox's event loop was busy).
 */
describe.each(dialects)('rate-limit ledger and the time a request takes, on %s', (dialect) => {
  let db: TestDb | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await db?.cleanup();
    server = db = undefined;
  });

  it('counts a limited request from when it was over: the next slot is a full window after its answer', async () => {
    db = await createTestDb(dialect);
    const clock = new ManualClock(Date.UTC(2026, 4, 1, 9));
    // The request takes 3 s of the clock's time before it is answered (sent, queued, served).
    server = createServer((_req, res) => {
      clock.advance(3_000);
      res.end('{}');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/batches/1`;
    const ledger = new RateLimitLedger(db, clock);
    const http = new HttpClient({ clock, ledger });
    const rateLimit = { accountKey: 'poleepo:acct', endpoint: 'batches.status', rule: { limit: 1, windowMs: 10_000 } };
    const granted = clock.now();
    expect((await http.request({ system: 'poleepo', method: 'GET', url, rateLimit })).status).toBe(200);
    expect(clock.now()).toBe(granted + 3_000);

    // A window after the grant the server may still count the first request (it arrived up to 3 s later): refused
    // until a window after the answer.
    clock.set(granted + 10_000);
    const refused = await http.request({ system: 'poleepo', method: 'GET', url, rateLimit }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterMs).toBe(3_000);
    clock.set(granted + 13_000);
    expect((await http.request({ system: 'poleepo', method: 'GET', url, rateLimit })).status).toBe(200);
    expect(await ledger.used('poleepo:acct', 'batches.status', 10_000)).toBe(1);
  });

  it('a request that got no answer counts from when it failed', async () => {
    db = await createTestDb(dialect);
    const clock = new ManualClock(Date.UTC(2026, 4, 1, 9));
    server = createServer((req) => {
      clock.advance(2_000);
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/batches/1`;
    const ledger = new RateLimitLedger(db, clock);
    const http = new HttpClient({ clock, ledger });
    const rateLimit = { accountKey: 'poleepo:acct', endpoint: 'batches.status', rule: { limit: 1, windowMs: 10_000 } };
    const granted = clock.now();
    await expect(http.request({ system: 'poleepo', method: 'GET', url, rateLimit })).rejects.toThrow();
    expect(await ledger.tryAcquire('poleepo:acct', 'batches.status', rateLimit.rule)).toEqual({ granted: false, retryAfterMs: 12_000 - (clock.now() - granted) });
  });
});
