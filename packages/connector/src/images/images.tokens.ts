import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, content-addressed image tokens (DESIGN §4.3.1): the token names the connection, the record, the image
 * field and the image's checksum, and carries an HMAC of them with the connection's key. The URL therefore changes
 * only when the image does, never expires, and is revoked by rotating the key.
 *
 *   <connection>.<model code>.<record id>.<field code>.<checksum>.<signature>
 */

/** product.image: a product's extra images (website_sale), field image_1920. */
export type ImageModel = 'product.product' | 'product.template' | 'product.image';
export type ImageField = 'image_variant_1920' | 'image_1920';

export interface ImageRef {
  model: ImageModel;
  id: number;
  field: ImageField;
}

export interface SignedImage extends ImageRef {
  connectionId: number;
  checksum: string;
}

const MODEL_CODES: Record<ImageModel, string> = { 'product.product': 'v', 'product.template': 't', 'product.image': 'x' };
const FIELD_CODES: Record<ImageField, string> = { image_variant_1920: 'v', image_1920: 'i' };
const MODELS = Object.fromEntries(Object.entries(MODEL_CODES).map(([k, v]) => [v, k])) as Record<string, ImageModel>;
const FIELDS = Object.fromEntries(Object.entries(FIELD_CODES).map(([k, v]) => [v, k])) as Record<string, ImageField>;

export function refKey(ref: ImageRef): string {
  return `${ref.model}:${ref.id}:${ref.field}`;
}

function body(image: SignedImage): string {
  return `${image.connectionId}.${MODEL_CODES[image.model]}.${image.id}.${FIELD_CODES[image.field]}.${image.checksum}`;
}

function mac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest().subarray(0, 18);
}

export function signImage(key: Buffer, image: SignedImage): string {
  const text = body(image);
  return `${text}.${mac(key, text).toString('base64url')}`;
}

/** The token's claims, not yet verified (the connection tells which key to check with). */
export function parseImageToken(token: string): (SignedImage & { text: string; signature: Buffer }) | null {
  if (token.length > 200) return null;
  const m = /^(\d{1,9})\.([a-z])\.(\d{1,12})\.([a-z])\.([0-9a-f]{40}|[0-9a-f]{64})\.([A-Za-z0-9_-]{24})$/.exec(token);
  if (!m) return null;
  const [, connectionId, modelCode, id, fieldCode, checksum, signature] = m;
  // Every group in the pattern is mandatory, so a match has all six; the check only convinces the compiler.
  if (!connectionId || !modelCode || !id || !fieldCode || !checksum || !signature) return null;
  const model = MODELS[modelCode];
  const field = FIELDS[fieldCode];
  if (!model || !field) return null;
  return {
    connectionId: Number(connectionId), model, id: Number(id), field, checksum,
    text: token.slice(0, token.lastIndexOf('.')), signature: Buffer.from(signature, 'base64url'),
  };
}

/** Constant-time check of a parsed token against one key. */
export function signatureMatches(key: Buffer, parsed: { text: string; signature: Buffer }): boolean {
  const expected = mac(key, parsed.text);
  return expected.length === parsed.signature.length && timingSafeEqual(expected, parsed.signature);
}
