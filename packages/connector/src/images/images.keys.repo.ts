import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';
import type { SecretBox } from '../shared/secrets.ts';
import './images.tables.ts';

/** The image-signing key of each connection, stored encrypted; created on first use, rotated on demand. */
export class ImageKeysRepo {
  private readonly cache = new Map<number, Buffer>();

  constructor(private readonly db: Db, private readonly secrets: SecretBox, private readonly clock: Clock) {}

  /** The active key (created when the connection has none). */
  async current(connectionId: number): Promise<Buffer> {
    const cached = this.cache.get(connectionId);
    if (cached) return cached;
    const existing = await this.active(connectionId);
    if (existing) return existing;
    await this.db.kysely.insertInto('product_image_keys').values({
      connection_id: connectionId, secret: this.secrets.encrypt(randomBytes(32).toString('base64')), active: 1, created_at: this.clock.now(),
    }).execute();
    // Two processes may have created one at once: the oldest active key wins everywhere.
    return (await this.active(connectionId))!;
  }

  /** The active key without creating one (verification). */
  async active(connectionId: number): Promise<Buffer | null> {
    const cached = this.cache.get(connectionId);
    if (cached) return cached;
    const row = await this.db.kysely.selectFrom('product_image_keys').select('secret')
      .where('connection_id', '=', connectionId).where('active', '=', 1).orderBy('id', 'asc').limit(1).executeTakeFirst();
    if (!row) return null;
    const key = Buffer.from(this.secrets.decrypt(row.secret), 'base64');
    this.cache.set(connectionId, key);
    return key;
  }

  /** A new key; every URL signed with the old one stops working (in every process, after their cache refresh). */
  async rotate(connectionId: number): Promise<void> {
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx.updateTable('product_image_keys').set({ active: 0 }).where('connection_id', '=', connectionId).execute();
      await trx.insertInto('product_image_keys').values({
        connection_id: connectionId, secret: this.secrets.encrypt(randomBytes(32).toString('base64')), active: 1, created_at: this.clock.now(),
      }).execute();
    });
    this.cache.delete(connectionId);
  }

  forget(connectionId: number): void {
    this.cache.delete(connectionId);
  }
}
