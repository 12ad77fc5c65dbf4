import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../src/http/http.client.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { OdooClient } from '../src/odoo/odoo.client.ts';
import { nextSecond } from '../src/odoo/odoo.paging.ts';
import { recorded, startReplayServer, type ReplayServer } from './odoo-client.fixtures.ts';

/**
 * searchReadAll on its (write_date, id) cursor against a small JSON-2 server that stores write_date with microseconds
 * and answers it truncated to the second, as Odoo does. Odoo orders by the stored value; a transaction stamps all
 * its records with one instant. The walk must return every record exactly once whatever the distribution.
 */

interface Row { id: number; micros: number; name: string }

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const BASE = Date.UTC(2026, 10, 27, 14, 0, 0) * 1000; // microseconds

function odooSecond(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19).replace('T', ' ');
}

function toMicros(second: string): number {
  return Date.parse(`${second.replace(' ', 'T')}Z`) * 1000;
}

/** Evaluates the conditions the pager sends (and a plain business condition). */
function matches(row: Row, domain: unknown[]): boolean {
  return domain.every((leaf) => {
    const [field, op, value] = leaf as [string, string, unknown];
    if (field === 'write_date') {
      // Odoo compares the stored value with the string read as a naive UTC datetime (second precision).
      const bound = toMicros(value as string);
      return op === '>=' ? row.micros >= bound : op === '<' ? row.micros < bound : op === '>' ? row.micros > bound : false;
    }
    if (field === 'id') return op === '>' ? row.id > (value as number) : op === '=' ? row.id === value : false;
    if (field === 'name') return op === '!=' ? row.name !== value : true;
    throw new Error(`unexpected leaf ${JSON.stringify(leaf)}`);
  });
}

async function serve(rows: Row[]): Promise<{ calls: () => number }> {
  let calls = 0;
  server = await startReplayServer((req) => {
    if (req.path === '/json/2/res.users/context_get') return { exchange: recorded('19', 'common.json', 'JSON-2 res.users/context_get with a bearer key and body {} (how to learn the uid, lang and tz of the key)') };
    if (req.path === '/web/version') return { exchange: recorded('19', 'common.json', 'GET /web/version') };
    const body = req.json as { domain: unknown[]; fields: string[]; limit: number; order: string };
    calls++;
    const sorted = rows.filter((r) => matches(r, body.domain)).sort(body.order === 'id asc'
      ? (a, b) => a.id - b.id
      : (a, b) => a.micros - b.micros || a.id - b.id);
    const page = sorted.slice(0, body.limit).map((r) => ({ id: r.id, name: r.name, write_date: odooSecond(r.micros) }));
    return { status: 200, body: JSON.stringify(page) };
  });
  return { calls: () => calls };
}

async function walk(pageSize: number, opts: { since?: string } = {}): Promise<{ ids: number[]; pages: number }> {
  const clock = new ManualClock();
  const client = new OdooClient({ endpoint: { url: server!.url, db: 'x', login: 'admin', apiKey: 'k'.repeat(40) }, http: new HttpClient({ clock }), clock });
  const ids: number[] = [];
  let pages = 0;
  for await (const page of client.searchReadAll('product.product', [['name', '!=', 'zzz']], { fields: ['name'], pageSize, since: opts.since })) {
    pages++;
    ids.push(...page.records.map((r) => r.id));
  }
  return { ids, pages };
}

function expectEachOnce(ids: number[], rows: Row[]): void {
  expect(ids.length).toBe(rows.length);
  expect(new Set(ids).size).toBe(rows.length);
  expect([...ids].sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
}

describe('searchReadAll on a (write_date, id) cursor', () => {
  it('reads a bulk import (7,000 records stamped with one instant) by id inside that second', async () => {
    const rows = Array.from({ length: 7000 }, (_, i) => ({ id: i + 1, micros: BASE + 123_456, name: `p${i}` }));
    const counter = await serve(rows);
    const { ids } = await walk(500);
    expectEachOnce(ids, rows);
    // One forward page to find the bulk second, 15 id pages (the last one empty), one forward page past it.
    expect(counter.calls()).toBeLessThanOrEqual(Math.ceil(7000 / 500) + 3);
  });

  it('reads records spread over many seconds in about one call per page', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: 5000 - i, micros: BASE + i * 1_000_000, name: `p${i}` }));
    const counter = await serve(rows);
    const { ids } = await walk(500);
    expectEachOnce(ids, rows);
    expect(counter.calls()).toBeLessThanOrEqual(12);
  });

  it('loses nothing when one second holds several transactions whose ids run against their time order', async () => {
    const rows: Row[] = [];
    let id = 10_000;
    for (let s = 0; s < 12; s++) {
      // Three transactions in the same second; later ones got smaller ids (concurrent creates).
      for (const [offset, count] of [[900_000, 30], [500_000, 25], [100_000, 40]] as const) {
        for (let k = 0; k < count; k++) rows.push({ id: id--, micros: BASE + s * 1_000_000 + offset, name: 'x' });
      }
    }
    await serve(rows);
    for (const pageSize of [7, 50, 95, 500]) expectEachOnce((await walk(pageSize)).ids, rows);
  });

  it('starts at `since` and stops after the last page', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ id: i + 1, micros: BASE + i * 1_000_000, name: 'x' }));
    await serve(rows);
    const { ids } = await walk(30, { since: odooSecond(BASE + 60 * 1_000_000) });
    expect(ids).toEqual(rows.slice(60).map((r) => r.id));
  });

  it('resumes from a stored cursor after the caller stopped early', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => ({ id: i + 1, micros: BASE + Math.floor(i / 7) * 1_000_000, name: 'x' }));
    await serve(rows);
    const clock = new ManualClock();
    const client = new OdooClient({ endpoint: { url: server!.url, db: 'x', login: 'admin', apiKey: 'k'.repeat(40) }, http: new HttpClient({ clock }), clock });
    const first: number[] = [];
    let cursor = null;
    for await (const page of client.searchReadAll('product.product', [], { fields: ['name'], pageSize: 100 })) {
      first.push(...page.records.map((r) => r.id));
      cursor = page.cursor;
      if (first.length >= 300) break; // the request already in flight for the next page is abandoned quietly
    }
    const rest: number[] = [];
    for await (const page of client.searchReadAll('product.product', [], { fields: ['name'], pageSize: 100, cursor: cursor! })) rest.push(...page.records.map((r) => r.id));
    expectEachOnce([...first, ...rest], rows);
  });

  it('formats the next second in Odoo naive UTC, across midnight too', () => {
    expect(nextSecond('2026-12-31 23:59:59')).toBe('2027-01-01 00:00:00');
  });
});
