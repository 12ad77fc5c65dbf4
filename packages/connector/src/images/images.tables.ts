import type { Generated } from 'kysely';

/** Tables of the signed image URLs (migration 0041). */

export interface ProductImageKeysTable {
  id: Generated<number>;
  connection_id: number;
  /** Encrypted (SecretBox). */
  secret: string;
  active: number;
  created_at: number;
}

export interface ProductImageCacheTable {
  connection_id: number;
  /** Odoo's attachment checksum (SHA-1 of the bytes). */
  checksum: string;
  mimetype: string;
  bytes: Buffer;
  size: number;
  created_at: number;
  last_served_at: number | null;
}

declare module '../storage/schema.ts' {
  interface Database {
    product_image_keys: ProductImageKeysTable;
    product_image_cache: ProductImageCacheTable;
  }
}
