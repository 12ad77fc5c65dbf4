import { ValidationError } from '../shared/errors.ts';
import type { OdooDomain, OdooRecord } from './odoo.types.ts';

/**
 * Cursor paging on `(write_date, id)` that never loses nor repeats a record, although Odoo stores `write_date` with
 * microseconds and returns it truncated to the second (and one transaction stamps every record it writes with the
 * same instant, so a bulk import puts thousands of records in one second).
 *
 * - forward(S): `write_date >= S`, ordered `write_date asc, id asc`. Every complete second of the page is yielded; the
 *   page's last second L may be incomplete, so its records are held back and the next page starts at L (read again).
 * - A page that lies entirely within one second L (a bulk write) switches to bucket(L): `L <= write_date < L+1s`,
 *   ordered by `id asc`, paged on `id > last` — exact, whatever the microseconds — then forward(L+1s).
 */
export type PageCursor =
  | { mode: 'forward'; from: string | null }
  | { mode: 'bucket'; second: string; afterId: number };

export interface PageQuery {
  domain: OdooDomain;
  order: string;
}

export interface PageStep {
  /** Records to hand to the caller (complete seconds only). */
  records: OdooRecord[];
  /** Where the next query starts, or null when everything was read. */
  next: PageCursor | null;
}

export function pageQuery(base: OdooDomain, cursor: PageCursor): PageQuery {
  if (cursor.mode === 'forward') {
    return { domain: cursor.from ? [...base, ['write_date', '>=', cursor.from]] : [...base], order: 'write_date asc, id asc' };
  }
  return {
    domain: [...base, ['write_date', '>=', cursor.second], ['write_date', '<', nextSecond(cursor.second)], ['id', '>', cursor.afterId]],
    order: 'id asc',
  };
}

/** Decides what to yield from a page and where to continue. */
export function pageStep(cursor: PageCursor, records: OdooRecord[], limit: number): PageStep {
  const first = records[0];
  const last = records[records.length - 1];
  if (cursor.mode === 'bucket') {
    // A full page (limit ≥ 1) has a last record; a short one ends the bucket.
    if (records.length < limit || !last) return { records, next: { mode: 'forward', from: nextSecond(cursor.second) } };
    return { records, next: { mode: 'bucket', second: cursor.second, afterId: last.id } };
  }
  if (records.length < limit || !first || !last) return { records, next: null };
  const lastSecond = secondOf(last);
  const firstSecond = secondOf(first);
  if (firstSecond === lastSecond) return { records: [], next: { mode: 'bucket', second: lastSecond, afterId: 0 } };
  const complete = records.filter((r) => secondOf(r) < lastSecond);
  return { records: complete, next: { mode: 'forward', from: lastSecond } };
}

function secondOf(record: OdooRecord): string {
  const value = record.write_date;
  if (typeof value !== 'string' || value.length < 19) throw new ValidationError(`record ${record.id} has no readable write_date (${JSON.stringify(value)}): cursor paging needs it`);
  return value.slice(0, 19);
}

/** `"2026-11-27 14:12:30"` + 1 s, in Odoo's naive UTC format (19 refuses `T…Z`). */
export function nextSecond(second: string): string {
  const t = Date.parse(`${second.replace(' ', 'T')}Z`);
  if (Number.isNaN(t)) throw new ValidationError(`not an Odoo datetime: ${second}`);
  return toOdooDatetime(t + 1000);
}

export function toOdooDatetime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}
