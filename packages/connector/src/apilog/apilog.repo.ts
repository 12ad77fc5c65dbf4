import type { Db } from '../storage/db.ts';
import type { ApiLogTable } from '../storage/schema.ts';
import type { Insertable, Selectable } from 'kysely';

export type ApiLogEntry = Omit<Insertable<ApiLogTable>, 'id'>;
export type ApiLogRow = Selectable<ApiLogTable>;

export interface ApiLogFilter {
  connectionId?: number;
  system?: ApiLogRow['system'];
  direction?: ApiLogRow['direction'];
  errorsOnly?: boolean;
  since?: number;
  pathContains?: string;
  limit?: number;
  offset?: number;
}

export class ApiLogRepo {
  constructor(private readonly db: Db) {}

  async insertMany(entries: ApiLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // Chunked so a burst never builds a statement past SQLite's variable limit.
    for (let i = 0; i < entries.length; i += 200) {
      await this.db.kysely.insertInto('api_log').values(entries.slice(i, i + 200)).execute();
    }
  }

  async list(filter: ApiLogFilter = {}): Promise<ApiLogRow[]> {
    return this.filtered(filter).selectAll().orderBy('id', 'desc').limit(filter.limit ?? 100).offset(filter.offset ?? 0).execute();
  }

  async count(filter: ApiLogFilter = {}): Promise<number> {
    const row = await this.filtered(filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** One WHERE clause for listing and counting, so they never disagree. */
  private filtered(filter: ApiLogFilter) {
    let q = this.db.kysely.selectFrom('api_log');
    if (filter.connectionId !== undefined) q = q.where('connection_id', '=', filter.connectionId);
    if (filter.system) q = q.where('system', '=', filter.system);
    if (filter.direction) q = q.where('direction', '=', filter.direction);
    if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
    if (filter.pathContains) q = q.where('path', 'like', `%${filter.pathContains}%`);
    // A probe's answer is what it asked for (a 303, a 404): not an error, unless no answer came (error set, status null).
    if (filter.errorsOnly) q = q.where((eb) => eb.or([eb('status', 'is', null), eb.and([eb('probe', '=', 0), eb.or([eb('error', 'is not', null), eb('status', '>=', 400)])])]));
    return q;
  }

  async get(id: number): Promise<ApiLogRow | undefined> {
    return this.db.kysely.selectFrom('api_log').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** API Log Cleanup: removes entries older than `before`; returns how many. */
  async deleteOlderThan(before: number): Promise<number> {
    const res = await this.db.kysely.deleteFrom('api_log').where('created_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows ?? 0);
  }
}
