import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../src/app/service.ts';
import { WebhooksService } from '../src/webhooks/webhooks.service.ts';
import { MAX_WEBHOOK_BODY_BYTES } from '../src/webhooks/webhook.intake.ts';
import { PROCESS_WEBHOOK_MESSAGE } from '../src/webhooks/webhook-queue.kinds.ts';
import type { Db } from '../src/storage/db.ts';
import { createTestDb, dialects, type TestDb } from './helpers/db.ts';
import { testConfig } from './helpers/config.ts';
import { insertTestConnection } from './helpers/connections.ts';
import { odooWebhookToken } from '../src/provisioning/provisioning.tokens.ts';

/**
 * DESIGN §6: fuzzed webhooks — random bytes, tampered bodies, bad or missing signatures, JSON of the wrong shape,
 * oversized bodies, bodies nested thousands deep, unknown names and tokens — are all refused with a 4xx (never a
 * 5xx), nothing is stored and no task is queued; the endpoint still takes a good delivery afterwards. Deterministic
 * (seeded), bounded to 400 requests, against the connector's real HTTP server. Then the uploads that never end: a
 * chunked body (no Content-Length) is refused once it passes the limit, and an unknown URL before its body is read.
 */
const SECRET = 'poleepo-generated-secret-key';
const CASES = 400;

/** A small seeded PRNG (mulberry32), so a failure names a case that can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sign = (body: string | Buffer, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const storedMessages = async (db: Db) => Number((await db.kysely.selectFrom('webhook_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
/** Only the intake's own tasks: the running service's scheduler may queue its jobs meanwhile (at a minute boundary). */
const intakeTasks = async (db: Db) => Number((await db.kysely.selectFrom('tasks').where('kind', '=', PROCESS_WEBHOOK_MESSAGE.kind)
  .select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe.each(dialects)('fuzzed webhooks on %s', (dialect) => {
  let service: RunningService | undefined;
  let db: TestDb | undefined;
  afterEach(async () => {
    await service?.stop({ drainMs: 500 });
    await db?.cleanup();
    service = db = undefined;
  });

  it(`refuses ${CASES} malformed, tampered or misaddressed deliveries with a 4xx and no side effect`, { timeout: 60_000 }, async () => {
    db = await createTestDb(dialect);
    service = await startService(testConfig(), 'all', { port: 0, db });
    const connectionId = await insertTestConnection(db);
    const { url } = await new WebhooksService(db, service.ctx.clock, service.ctx.secrets, 'https://connector.example.com').add({ connectionId, name: 'poleepo-main', secret: SECRET, events: ['STATUS_ORDER'] });
    const hook = new URL(url);
    const target = `${service.url}${hook.pathname}${hook.search}`;
    const random = prng(20261127);
    const int = (max: number) => Math.floor(random() * max);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const valid = (id: number) => JSON.stringify({ event: 'STATUS_ORDER', event_id: `evt_${id}`, data: { order_id: id, status: 'PAYMENT_ACCEPTED' } });

    type Case = { what: string; body: string | Buffer; headers: Record<string, string>; url?: string; expect: number[] };
    const make = (i: number): Case => {
      switch (i % 10) {
        case 0: { const b = bytes(int(2000)); return { what: 'random bytes, their own valid signature', body: b, headers: { 'x-poleepo-signature': sign(b) }, expect: [400] }; }
        case 1: { const b = bytes(int(500)); return { what: 'random bytes, no signature', body: b, headers: {}, expect: [401] }; }
        case 2: {
          const good = valid(i);
          const at = int(good.length);
          const tampered = good.slice(0, at) + String.fromCharCode(33 + int(90)) + good.slice(at + 1);
          return { what: 'a body changed after signing', body: tampered === good ? `${good} ` : tampered, headers: { 'x-poleepo-signature': sign(good) }, expect: [401] };
        }
        case 3: { const b = valid(i); return { what: 'signed with another secret', body: b, headers: { 'x-poleepo-signature': sign(b, `other-${i}`) }, expect: [401] }; }
        case 4: {
          const shapes = ['[]', '42', '"STATUS_ORDER"', 'null', 'true', '{}', '{"event":"STATUS_ORDER"}', '{"event":"STATUS_ORDER","data":{"order_id":""}}', '{"data":{"order_id":5}}', '{"event":"STATUS_ORDER","data":{"order_id":{"$gt":1}}}'];
          const b = shapes[int(shapes.length)];
          return { what: `JSON of the wrong shape ${b}`, body: b, headers: { 'x-poleepo-signature': sign(b) }, expect: [400] };
        }
        case 5: {
          const b = JSON.stringify({ event: 'STATUS_ORDER', data: { order_id: i, pad: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES + int(1000)) } });
          return { what: 'oversized, validly signed', body: b, headers: { 'x-poleepo-signature': sign(b) }, expect: [413] };
        }
        case 6: { const b = valid(i); return { what: 'unknown webhook name', body: b, headers: { 'x-poleepo-signature': sign(b) }, url: target.replace('poleepo-main', `x${int(1e6)}`), expect: [404] }; }
        case 7: { const b = valid(i); return { what: 'wrong token', body: b, headers: { 'x-poleepo-signature': sign(b) }, url: target.replace(/token=[^&]*/, `token=${bytes(8).toString('hex')}`), expect: [404] }; }
        case 8: {
          // Validly signed, nested thousands deep (a stack overflow in the canonical hash was a 500).
          const depth = 5_000 + int(10_000);
          const open = int(2) ? '[' : '{"a":';
          const close = open === '[' ? ']' : '}';
          const b = `{"event":"STATUS_ORDER","data":{"order_id":${i},"x":${open.repeat(depth)}1${close.repeat(depth)}}}`;
          return { what: `nested ${depth} levels deep, validly signed`, body: b, headers: { 'x-poleepo-signature': sign(b) }, expect: [400] };
        }
        default: {
          const b = '{"event": "STATUS_ORDER", "data": {"order_id": 1' + '}'.repeat(int(2)) + bytes(int(20)).toString('latin1');
          return { what: 'truncated or trailing-garbage JSON', body: b, headers: { 'x-poleepo-signature': sign(b) }, expect: [400] };
        }
      }
    };

    const outcomes: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const c = make(i);
      const res = await fetch(c.url ?? target, { method: 'POST', headers: { 'content-type': 'application/json', ...c.headers }, body: typeof c.body === 'string' ? c.body : new Uint8Array(c.body) });
      await res.arrayBuffer();
      if (!c.expect.includes(res.status)) outcomes.push(`case ${i} (${c.what}): HTTP ${res.status}, expected ${c.expect.join('/')}`);
    }
    expect(outcomes).toEqual([]);
    expect(await storedMessages(db)).toBe(0);
    expect(await intakeTasks(db)).toBe(0);

    // Still healthy: a good delivery is stored and acknowledged.
    const good = valid(999_999);
    const ok = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', 'x-poleepo-signature': sign(good) }, body: good });
    expect(ok.status).toBe(200);
    expect(await storedMessages(db)).toBe(1);
  });
});

/**
 * A POST whose body never ends: `bytes` are sent in 16 KiB chunks without Content-Length (chunked), then the request
 * stays open. Resolves with the status as soon as the connector answers; rejects when it does not within 5 s (it
 * is waiting for the end of the body).
 */
function endlessUpload(url: string, bytes: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers } });
    let sent = 0;
    let answered = false;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within 30 s after ${sent} bytes of a body that never ends`));
    }, 30_000);
    req.on('response', (res) => {
      answered = true;
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (error) => {
      if (answered) return;
      clearTimeout(timer);
      reject(error);
    });
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const pump = () => {
      while (sent < bytes && !answered) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    req.flushHeaders();
    pump();
  });
}

describe('webhook uploads that never end', () => {
  let service: RunningService | undefined;
  afterEach(async () => {
    await service?.stop({ drainMs: 0 });
    service = undefined;
  });

  it('answers 404 to an unknown URL before reading its body, and 413 once a chunked body passes WEBHOOK_MAX_BODY_BYTES', { timeout: 30_000 }, async () => {
    service = await startService(testConfig({ WEBHOOK_MAX_BODY_BYTES: '4096' }), 'all', { port: 0 });
    const connectionId = await insertTestConnection(service.ctx.db);
    const { url } = await new WebhooksService(service.ctx.db, service.ctx.clock, service.ctx.secrets, 'https://connector.example.com').add({ connectionId, name: 'poleepo-main', secret: SECRET, events: ['STATUS_ORDER'] });
    const hook = new URL(url);
    const poleepo = `${service.url}${hook.pathname}${hook.search}`;
    const odoo = `${service.url}/webhooks/odoo/${await odooWebhookToken(service.ctx, connectionId)}`;

    expect(await endlessUpload(poleepo.replace('poleepo-main', 'nobody'), 16 * 1024)).toBe(404);
    expect(await endlessUpload(poleepo.replace(/token=[^&]*/, 'token=wrong'), 16 * 1024)).toBe(404);
    expect(await endlessUpload(`${service.url}/webhooks/odoo/not-a-token`, 16 * 1024)).toBe(404);
    expect(await endlessUpload(poleepo, 256 * 1024, { 'x-poleepo-signature': sign('whatever') })).toBe(413);
    expect(await endlessUpload(odoo, 256 * 1024)).toBe(413);
    // A declared length over the limit is refused before a byte of it is read.
    const declared = await fetch(odoo, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(4097) });
    expect(declared.status).toBe(413);
    expect(await storedMessages(service.ctx.db)).toBe(0);
    expect(await intakeTasks(service.ctx.db)).toBe(0);

    // A delivery within the configured limit is still taken.
    const good = JSON.stringify({ event: 'STATUS_ORDER', event_id: 'evt_1', data: { order_id: 1, status: 'PAYMENT_ACCEPTED' } });
    const ok = await fetch(poleepo, { method: 'POST', headers: { 'content-type': 'application/json', 'x-poleepo-signature': sign(good) }, body: good });
    expect(ok.status).toBe(200);
  });
});
