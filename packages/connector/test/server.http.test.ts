import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startService, type RunningService } from '../src/app/service.ts';
import { testConfig } from './helpers/config.ts';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';

describe.each(dialects)('HTTP server on %s', (dialect) => {
  let service: RunningService | undefined;
  let db: TestDb | undefined;
  afterEach(async () => {
    await service?.stop({ drainMs: 0 });
    await db?.cleanup();
    service = undefined;
    db = undefined;
  });

  async function start(env: Record<string, string> = {}) {
    db = await createTestDb(dialect);
    const role = dialect === 'sqlite' ? 'all' : 'serve';
    service = await startService(testConfig(dialect === 'postgres' ? { DATABASE_URL: db.url, ...env } : env), role, { port: 0, db });
    return service;
  }

  it('answers /healthz and /readyz when the database is reachable and current', async () => {
    const s = await start();
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('reports not ready when the schema is older than the code', async () => {
    const s = await start();
    await sql`delete from kysely_migration where name = '0001_foundation'`.execute(s.ctx.db.kysely);
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ reason: 'database schema is older than the code', pending: ['0001_foundation'] });
  });

  it('exposes Prometheus metrics of HTTP requests by route and status', async () => {
    const s = await start();
    await fetch(`${s.url}/healthz`);
    await fetch(`${s.url}/no/such/route`);
    const res = await fetch(`${s.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('# TYPE poleepo_odoo_http_requests_total counter');
    expect(text).toMatch(/poleepo_odoo_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
    expect(text).toMatch(/poleepo_odoo_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(text).toContain('poleepo_odoo_http_request_duration_seconds_bucket');
  });

  it('records inbound requests in the API log (not health or metrics)', async () => {
    const s = await start();
    await fetch(`${s.url}/healthz`);
    await fetch(`${s.url}/webhooks/poleepo/unknown`, { method: 'POST', body: '{}' });
    await s.ctx.apiLog.flush();
    const rows = await s.ctx.apiLogRepo.list();
    expect(rows.map((r) => [r.system, r.direction, r.method, r.path, r.status])).toEqual([['webhook', 'inbound', 'POST', '/webhooks/poleepo/unknown', 404]]);
  });
});

describe('process roles', () => {
  it('refuses serve and work on SQLite with a plain explanation', async () => {
    for (const role of ['serve', 'work'] as const) {
      await expect(startService(testConfig(), role, { port: 0 })).rejects.toThrow(/needs PostgreSQL: on SQLite the connector runs as exactly one process/);
    }
  });

  it('serves the console on its own listener with CONSOLE_PORT, health on both', async () => {
    const service = await startService(testConfig(), 'all', { port: 0, consolePort: 0 });
    try {
      expect(service.url).not.toBeNull();
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      // no console module yet: the separate listener still answers health
      expect(service.consoleUrl === service.url || (await fetch(`${service.consoleUrl}/healthz`)).status === 200).toBe(true);
    } finally {
      await service.stop({ drainMs: 0 });
    }
  });

  it('with CONSOLE_PORT, serves /metrics and the console only on the console listener, never on the public one', async () => {
    const service = await startService(testConfig(), 'all', { port: 0, consolePort: 0 });
    try {
      expect(service.consoleUrl).not.toBe(service.url);
      const metrics = await fetch(`${service.consoleUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('poleepo_odoo_http_requests_total');
      expect((await fetch(`${service.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${service.url}/login`)).status).toBe(404);
      expect((await fetch(`${service.consoleUrl}/login`)).status).toBe(200);
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      // An endless chunked upload to the console is refused once past its limit.
      const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(64 * 1024)) });
      const upload = await fetch(`${service.consoleUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: endless, duplex: 'half' } as RequestInit);
      expect(upload.status).toBe(413);
    } finally {
      await service.stop({ drainMs: 0 });
    }
  });

  it('without CONSOLE_PORT, serves /metrics and the console on the one listener', async () => {
    const service = await startService(testConfig(), 'all', { port: 0 });
    try {
      expect((await fetch(`${service.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${service.url}/login`)).status).toBe(200);
    } finally {
      await service.stop({ drainMs: 0 });
    }
  });

  it('closes the connection of a client that sends its headers or body too slowly (slowloris), a second line behind the proxy', async () => {
    const service = await startService(testConfig(), 'all', { port: 0, requestTimeouts: { headersMs: 500, requestMs: 1_000 } });
    try {
      const { port } = new URL(service.url!);
      const trickle = (first: string) => new Promise<{ answer: string; ms: number }>((resolve, reject) => {
        const started = Date.now();
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(first));
        let answer = '';
        // One byte every 100 ms, never finishing.
        const timer = setInterval(() => socket.write(first.endsWith('\r\n\r\n') ? 'x' : 'X-Pad: 1\r\n'), 100);
        socket.on('data', (d) => { answer += String(d); });
        socket.on('error', () => undefined);
        socket.on('close', () => { clearInterval(timer); resolve({ answer, ms: Date.now() - started }); });
        // A generous limit (a loaded machine): the server's own 0.5 s / 1 s timeouts are what close it.
        setTimeout(() => { clearInterval(timer); socket.destroy(); reject(new Error('the connection was still open after 30 s')); }, 30_000);
      });
      const slowHeaders = await trickle('POST /webhooks/odoo/x HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      expect(slowHeaders.answer).toMatch(/^HTTP\/1\.1 408/);
      // A form that trickles in (the console reads it whole before answering).
      const slowBody = await trickle('POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n');
      expect(slowBody.answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await service.stop({ drainMs: 0 });
    }
  });

  it('stops gracefully: the port is released and the database closed', async () => {
    const service = await startService(testConfig(), 'all', { port: 0 });
    const url = service.url!;
    await service.stop();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await expect(service.ctx.db.kysely.selectFrom('kv').selectAll().execute()).rejects.toThrow();
  });
});
