import { randomBytes } from 'node:crypto';
import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';
import type { SecretBox } from '../shared/secrets.ts';
import './images.tables.ts';

/**
 * The image-signing key of each connection, stored encrypted; created on first use, rotated on demand
 * (`images rotate-key`). Which key is active is read from the database at every use, so a key deactivated by any
 * process (a rotation from the CLI while the service runs) stops verifying at once; only the decryption of a stored
 * key is remembered, keyed by its ciphertext.
 */
export class ImageKeysRepo {
  private readonly decrypted = new Map<string, Buffer>();

  constructor(private readonly db: Db, private readonly secrets: SecretBox, private readonly clock: Clock) {}

  /** The active key (created when the connection has none). */
  async current(connectionId: number): Promise<Buffer> {
    const existing = await this.active(connectionId);
    if (existing) return existing;
    await this.db.kysely.insertInto('product_image_keys').values({
      connection_id: connectionId, secret: this.secrets.encrypt(randomBytes(32).toString('base64')), active: 1, created_at: this.clock.now(),
    }).execute();
    // Two processes may have created one at once: the oldest active key wins everywhere.
    return (await this.active(connectionId))!;
  }

  /** The active key without creating one (verification); null when there is none. */
  async active(connectionId: number): Promise<Buffer | null> {
    const row = await this.db.kysely.selectFrom('product_image_keys').select('secret')
      .where('connection_id', '=', connectionId).where('active', '=', 1).orderBy('id', 'asc').limit(1).executeTakeFirst();
    return row ? this.decrypt(row.secret) : null;
  }

  /** A new key; every URL signed with the old one stops working, in every process, at once. */
  async rotate(connectionId: number): Promise<{ deactivated: number }> {
    const deactivated = await this.db.kysely.transaction().execute(async (trx) => {
      const res = await trx.updateTable('product_image_keys').set({ active: 0 }).where('connection_id', '=', connectionId).where('active', '=', 1).executeTakeFirst();
      await trx.insertInto('product_image_keys').values({
        connection_id: connectionId, secret: this.secrets.encrypt(randomBytes(32).toString('base64')), active: 1, created_at: this.clock.now(),
      }).execute();
      return Number(res.numUpdatedRows);
    });
    return { deactivated };
  }

  private decrypt(stored: string): Buffer {
    let key = this.decrypted.get(stored);
    if (!key) {
      key = Buffer.from(this.secrets.decrypt(stored), 'base64');
      if (this.decrypted.size >= 256) this.decrypted.clear();
      this.decrypted.set(stored, key);
    }
    return key;
  }
}
