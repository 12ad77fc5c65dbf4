import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../storage/db.ts';
import type { WebhooksTable } from './webhooks.tables.ts';
import './webhooks.tables.ts';

export type WebhookRow = Selectable<WebhooksTable>;

export class WebhooksRepo {
  constructor(private readonly db: Db) {}

  async insert(row: Insertable<WebhooksTable>): Promise<number> {
    const res = await this.db.kysely.insertInto('webhooks').values(row).returning('id').executeTakeFirstOrThrow();
    return res.id;
  }

  byName(name: string): Promise<WebhookRow | undefined> {
    return this.db.kysely.selectFrom('webhooks').selectAll().where('name', '=', name).executeTakeFirst();
  }

  list(connectionId?: number): Promise<(WebhookRow & { connection_name: string })[]> {
    let q = this.db.kysely.selectFrom('webhooks').innerJoin('connections', 'connections.id', 'webhooks.connection_id')
      .selectAll('webhooks').select('connections.name as connection_name');
    if (connectionId !== undefined) q = q.where('webhooks.connection_id', '=', connectionId);
    return q.orderBy('webhooks.name').execute();
  }

  async remove(name: string): Promise<boolean> {
    const res = await this.db.kysely.deleteFrom('webhooks').where('name', '=', name).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
