import { createHash } from 'node:crypto';
import type { Db } from '../storage/db.ts';
import type { Clock } from '../shared/clock.ts';
import type { SecretBox } from '../shared/secrets.ts';
import type { Logger } from '../shared/logger.ts';
import type { OdooClient } from '../odoo/odoo.client.ts';
import type { OdooRecord } from '../odoo/odoo.types.ts';
import { ImageCacheRepo } from './images.cache.repo.ts';
import { ImageKeysRepo } from './images.keys.repo.ts';
import { parseImageToken, refKey, signatureMatches, signImage, type ImageRef } from './images.tokens.ts';

export interface ImageServiceDeps {
  db: Db;
  secrets: SecretBox;
  clock: Clock;
  logger: Logger;
  /** Base of the URLs handed to Poleepo (PUBLIC_URL). */
  publicUrl: string;
  /** The Odoo client of a connection (image bytes are read through the API). */
  odooFor(connectionId: number): Promise<OdooClient>;
}

export type ServedImage =
  | { status: 200; mimetype: string; bytes: Buffer; checksum: string }
  | { status: 404; reason: string };

export type ImageUrlSigner = (ref: ImageRef, checksum: string) => string;

/**
 * Product images for Poleepo (DESIGN §4.3.1): signed URLs content-addressed by Odoo's checksum of the image, and the
 * bytes behind them, read from Odoo through the API once and cached by checksum.
 */
export class ProductImagesService {
  readonly keys: ImageKeysRepo;
  readonly cache: ImageCacheRepo;

  constructor(private readonly deps: ImageServiceDeps) {
    this.keys = new ImageKeysRepo(deps.db, deps.secrets, deps.clock);
    this.cache = new ImageCacheRepo(deps.db, deps.clock);
  }

  async signer(connectionId: number): Promise<ImageUrlSigner> {
    const key = await this.keys.current(connectionId);
    const base = this.deps.publicUrl.replace(/\/+$/, '');
    return (ref, checksum) => `${base}/images/${signImage(key, { ...ref, connectionId, checksum })}`;
  }

  /**
   * The checksum of each image. Odoo keeps image fields as attachments whose checksum is the SHA-1 of the bytes:
   * one `ir.attachment` search answers for a whole page. An image without such an attachment (another storage) is
   * read once and hashed here; its bytes go straight to the cache.
   */
  async checksums(connectionId: number, client: OdooClient, refs: readonly ImageRef[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (refs.length === 0) return out;
    const groups = new Map<string, ImageRef[]>();
    for (const ref of refs) {
      const k = `${ref.model}|${ref.field}`;
      (groups.get(k) ?? groups.set(k, []).get(k)!).push(ref);
    }
    const clauses: unknown[] = [];
    for (const [first, ...rest] of groups.values()) {
      if (!first) continue; // a group is created with its first member, so never empty
      clauses.push(['&', '&', ['res_model', '=', first.model], ['res_field', '=', first.field], ['res_id', 'in', [first, ...rest].map((r) => r.id)]]);
    }
    const domain = [...Array(clauses.length - 1).fill('|'), ...clauses.flat()];
    const rows = await client.searchRead('ir.attachment', domain, { fields: ['res_model', 'res_field', 'res_id', 'checksum'] });
    for (const row of rows) {
      if (typeof row.checksum !== 'string' || !row.checksum) continue;
      out.set(refKey({ model: row.res_model as ImageRef['model'], id: Number(row.res_id), field: row.res_field as ImageRef['field'] }), row.checksum);
    }
    const missing = refs.filter((r) => !out.has(refKey(r)));
    for (const ref of missing) {
      const bytes = await this.readBytes(client, ref);
      if (!bytes) continue;
      const checksum = sha1(bytes);
      await this.cache.put(connectionId, checksum, { mimetype: sniffMimetype(bytes), bytes });
      out.set(refKey(ref), checksum);
    }
    return out;
  }

  /** `GET /images/:token`: 404 for anything not signed by the connection's current key or no longer that image. */
  async serve(token: string): Promise<ServedImage> {
    const parsed = parseImageToken(token);
    if (!parsed) return { status: 404, reason: 'malformed token' };
    const key = await this.keys.active(parsed.connectionId);
    if (!key || !signatureMatches(key, parsed)) return { status: 404, reason: 'bad signature' };
    const cached = await this.cache.get(parsed.connectionId, parsed.checksum);
    if (cached) return { status: 200, mimetype: cached.mimetype, bytes: cached.bytes, checksum: parsed.checksum };
    let bytes: Buffer | null;
    try {
      bytes = await this.readBytes(await this.deps.odooFor(parsed.connectionId), parsed);
    } catch (error) {
      this.deps.logger.warn({ err: error, connectionId: parsed.connectionId }, 'image read from Odoo failed');
      throw error;
    }
    // Content-addressed: a URL names one image; if the record holds another one now, that is a new URL.
    if (!bytes || sha1(bytes) !== parsed.checksum) return { status: 404, reason: 'the image changed or was removed' };
    const image = { mimetype: sniffMimetype(bytes), bytes };
    await this.cache.put(parsed.connectionId, parsed.checksum, image);
    return { status: 200, ...image, checksum: parsed.checksum };
  }

  private async readBytes(client: OdooClient, ref: ImageRef): Promise<Buffer | null> {
    const rows: OdooRecord[] = await client.read(ref.model, [ref.id], [ref.field], { context: { bin_size: false, active_test: false } });
    const value = rows[0]?.[ref.field];
    if (typeof value !== 'string' || value === '') return null;
    return Buffer.from(value, 'base64');
  }
}

export function sha1(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex');
}

export function sniffMimetype(bytes: Buffer): string {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes.subarray(1, 4).toString('latin1') === 'PNG') return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 6).toString('latin1') === 'GIF87a' || bytes.subarray(0, 6).toString('latin1') === 'GIF89a') return 'image/gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  const head = bytes.subarray(0, 256).toString('utf8').trimStart();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'image/svg+xml';
  return 'application/octet-stream';
}
