import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';
import './images.tables.ts';

export interface CachedImage {
  mimetype: string;
  bytes: Buffer;
}

/** Image bytes by (connection, checksum): read from Odoo once, served many times. */
export class ImageCacheRepo {
  constructor(private readonly db: Db, private readonly clock: Clock) {}

  async get(connectionId: number, checksum: string): Promise<CachedImage | null> {
    const row = await this.db.kysely.selectFrom('product_image_cache').select(['mimetype', 'bytes'])
      .where('connection_id', '=', connectionId).where('checksum', '=', checksum).executeTakeFirst();
    return row ? { mimetype: row.mimetype, bytes: Buffer.from(row.bytes) } : null;
  }

  async has(connectionId: number, checksum: string): Promise<boolean> {
    const row = await this.db.kysely.selectFrom('product_image_cache').select('size')
      .where('connection_id', '=', connectionId).where('checksum', '=', checksum).executeTakeFirst();
    return Boolean(row);
  }

  async put(connectionId: number, checksum: string, image: CachedImage): Promise<void> {
    await this.db.kysely.insertInto('product_image_cache').values({
      connection_id: connectionId, checksum, mimetype: image.mimetype, bytes: image.bytes, size: image.bytes.length, created_at: this.clock.now(), last_served_at: null,
    }).onConflict((oc) => oc.columns(['connection_id', 'checksum']).doNothing()).execute();
  }

  async touch(connectionId: number, checksum: string): Promise<void> {
    await this.db.kysely.updateTable('product_image_cache').set({ last_served_at: this.clock.now() })
      .where('connection_id', '=', connectionId).where('checksum', '=', checksum).execute();
  }
}
