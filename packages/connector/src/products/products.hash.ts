import { createHash } from 'node:crypto';
import type { ProductEntry } from './products.types.ts';

/**
 * The content hash of a payload: everything Poleepo would store, without `product_id` (assigning the Poleepo id must
 * not make an unchanged product look changed). The mapper builds entries with a fixed key order, so their JSON is
 * canonical without sorting.
 */
export function payloadHash(entry: ProductEntry): string {
  return hashText(contentJson(entry));
}

export function contentJson(entry: ProductEntry): string {
  if (entry.product_id === undefined) return JSON.stringify(entry);
  const { product_id: _id, ...content } = entry;
  return JSON.stringify(content);
}

export function hashText(text: string): string {
  return createHash('sha1').update(text).digest('base64url');
}
