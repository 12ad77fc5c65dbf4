import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, TransportError, parseRetryAfter } from '../src/http/http.client.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { ApiLogRepo } from '../src/apilog/apilog.repo.ts';
import { ApiLogRecorder } from '../src/apilog/apilog.recorder.ts';
import { RateLimitLedger } from '../src/ratelimit/ledger.ts';
import { RateLimitedError } from '../src/shared/errors.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { createTestDb, type TestDb } from './helpers/db.ts';
import { startTestServer, type TestServer } from './helpers/http.ts';

describe('outbound HTTP client', () => {
  let db: TestDb;
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    await db?.cleanup();
  });

  async function setup(handler: Parameters<typeof startTestServer>[0]) {
    db = await createTestDb('sqlite');
    server = await startTestServer(handler);
    const clock = new ManualClock(Date.UTC(2026, 0, 1), true);
    const repo = new ApiLogRepo(db);
    const apiLog = new ApiLogRecorder(repo, clock, silentLogger);
    const ledger = new RateLimitLedger(db, clock);
    const http = new HttpClient({ clock, apiLog, ledger, random: () => 0.5 });
    return { clock, repo, apiLog, http, url: server.url };
  }

  it('retries transient statuses with exponential backoff and returns the first good answer', async () => {
    const { http, clock, url } = await setup((_req, res, i) => {
      res.statusCode = i < 3 ? 503 : 200;
      res.end(i < 3 ? 'busy' : 'ok');
    });
    const res = await http.request({ system: 'poleepo', method: 'GET', url: `${url}/x`, retry: { retries: 5, baseDelayMs: 100 } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('ok');
    expect(server!.requests).toHaveLength(4);
    // base·2^attempt, half fixed + half jitter (random fixed at 0.5 → 75% of the exponential step)
    expect(clock.slept).toEqual([75, 150, 300]);
  });

  it('never retries when the policy says 0 (non-idempotent calls), and returns the error status', async () => {
    const { http, url } = await setup((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const res = await http.request({ system: 'odoo', method: 'POST', url, body: '{}' });
    expect(res.status).toBe(503);
    expect(server!.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429, and hands back a long one instead of waiting', async () => {
    const { http, clock, url } = await setup((_req, res, i) => {
      res.statusCode = i === 0 ? 429 : i === 1 ? 200 : 429;
      res.setHeader('Retry-After', i === 0 ? '7' : '3600');
      res.end();
    });
    expect((await http.request({ system: 'poleepo', method: 'GET', url, retry: { retries: 3 } })).status).toBe(200);
    expect(clock.slept).toEqual([7000]);
    const long = await http.request({ system: 'poleepo', method: 'GET', url, retry: { retries: 3, maxRetryAfterMs: 60_000 } });
    expect(long.status).toBe(429);
    expect(server!.requests).toHaveLength(3);
  });

  it('times out, retries network failures, then throws a TransportError', async () => {
    const { http, url } = await setup(() => {
      // never answers
    });
    const error = await http.request({ system: 'odoo', method: 'GET', url, timeoutMs: 100, retry: { retries: 1 } }).catch((e) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).timedOut).toBe(true);
    expect(server!.requests).toHaveLength(2);
  });

  it('consults the rate-limit ledger before sending', async () => {
    const { http, url } = await setup((_req, res) => res.end('ok'));
    const rateLimit = { accountKey: 'acc', endpoint: 'batch-status', rule: { limit: 2, windowMs: 600_000 } };
    await http.request({ system: 'poleepo', method: 'GET', url, rateLimit });
    await http.request({ system: 'poleepo', method: 'GET', url, rateLimit });
    const third = await http.request({ system: 'poleepo', method: 'GET', url, rateLimit }).catch((e) => e);
    expect(third).toBeInstanceOf(RateLimitedError);
    expect((third as RateLimitedError).retryAfterMs).toBe(600_000);
    expect(server!.requests).toHaveLength(2);
  });

  it('records every attempt in the API log with secrets and personal data redacted', async () => {
    const { http, apiLog, repo, url } = await setup((_req, res) => {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'bad key', email: 'x@y.it' }));
    });
    await http.request({
      system: 'odoo', connectionId: null, method: 'POST', url: `${url}/jsonrpc?token=abc`,
      body: JSON.stringify({ params: { args: ['db', 2, 'the-api-key-0123'] } }), secrets: ['the-api-key-0123'],
    });
    await apiLog.flush();
    const [row] = await repo.list();
    expect(row).toMatchObject({ system: 'odoo', direction: 'outbound', method: 'POST', status: 401, error: 'HTTP 401' });
    expect(row.path).toBe('/jsonrpc?token=[redacted]');
    expect(row.request_body).not.toContain('the-api-key-0123');
    expect(row.response_body).not.toContain('x@y.it');
    expect(row.response_body).toContain('bad key');
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
