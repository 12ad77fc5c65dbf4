import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValidationError } from './errors.ts';

/**
 * Secrets at rest: AES-256-GCM, stored as `v1:<iv>:<tag>:<ciphertext>` (base64 parts).
 * The version prefix lets a later format or key rotation coexist with stored values.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(keyBase64: string) {
    this.key = parseEncryptionKey(keyBase64);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
  }

  decrypt(stored: string): string {
    const [version, iv, tag, ct, ...extra] = stored.split(':');
    if (version !== 'v1' || iv === undefined || tag === undefined || ct === undefined || extra.length) throw new ValidationError('Unsupported secret format (expected v1:iv:tag:ciphertext)');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new ValidationError('A stored secret cannot be decrypted: ENCRYPTION_KEY is not the key it was encrypted with', { cause });
    }
  }

  static isEncrypted(value: string): boolean {
    return /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/.test(value);
  }
}

/** A valid key is exactly 32 bytes, given as base64. */
export function parseEncryptionKey(keyBase64: string): Buffer {
  const trimmed = keyBase64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new ValidationError('must be 32 bytes encoded as base64');
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new ValidationError(`must be 32 bytes encoded as base64 (got ${key.length} bytes)`);
  return key;
}

export function generateEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}
