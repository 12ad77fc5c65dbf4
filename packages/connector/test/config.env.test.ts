import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../src/config/env.ts';
import { resolveEncryptionKey } from '../src/config/encryption-key.ts';
import { SecretBox, generateEncryptionKey } from '../src/shared/secrets.ts';

describe('configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe('sqlite:./data/poleepo-odoo.db');
    expect(c.dialect).toBe('sqlite');
    expect(c.dataDir).toBe('./data');
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.publicUrl).toBe('http://127.0.0.1:8080');
    expect(c.consolePort).toBeNull();
    expect(c.logLevel).toBe('info');
    expect(c.webhookMaxBodyBytes).toBe(256 * 1024);
  });

  it('reads the client address header of the reverse proxy (CLIENT_IP_HEADER), a header name or nothing', () => {
    expect(loadConfig({}).clientIpHeader).toBeNull();
    expect(loadConfig({ CLIENT_IP_HEADER: 'X-Real-IP' }).clientIpHeader).toBe('X-Real-IP');
    expect(() => loadConfig({ CLIENT_IP_HEADER: 'X-Real-IP: 1.2.3.4' })).toThrow(/CLIENT_IP_HEADER: must be a header name/);
  });

  it('bounds webhook bodies with WEBHOOK_MAX_BODY_BYTES (1 KiB to 16 MiB)', () => {
    expect(loadConfig({ WEBHOOK_MAX_BODY_BYTES: '65536' }).webhookMaxBodyBytes).toBe(65536);
    for (const bad of ['lots', '100', String(64 * 1024 * 1024), '2048.5']) {
      expect(() => loadConfig({ WEBHOOK_MAX_BODY_BYTES: bad }), bad).toThrow(/WEBHOOK_MAX_BODY_BYTES/);
    }
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', ENCRYPTION_KEY: 'short', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://x', ODOO_URL: 'http://odoo' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'ENCRYPTION_KEY', 'LOG_LEVEL', 'PUBLIC_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY']) {
      expect(problems).toContain(name);
    }
  });

  it('requires ENCRYPTION_KEY with PostgreSQL, where every process must share it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db' })).toThrow(/ENCRYPTION_KEY: required with PostgreSQL/);
  });

  it('reads the connection bootstrap variables together', () => {
    const c = loadConfig({ ODOO_URL: 'https://x.odoo.com', ODOO_DB: 'x', ODOO_LOGIN: 'a@b.c', ODOO_API_KEY: 'k', POLEEPO_CLIENT_ID: 'id', POLEEPO_CLIENT_SECRET: 's' });
    expect(c.bootstrap.odoo).toEqual({ url: 'https://x.odoo.com', db: 'x', login: 'a@b.c', apiKey: 'k', companyId: undefined });
    expect(c.bootstrap.poleepo?.clientId).toBe('id');
  });

  it('generates the key once into <data>/secret.key with mode 0600 and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const config = loadConfig({ DATABASE_URL: `sqlite:${dir}/data/db.sqlite` });
    const key = resolveEncryptionKey(config);
    const file = join(dir, 'data', 'secret.key');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveEncryptionKey(config)).toBe(key);
    expect(readFileSync(file, 'utf8').trim()).toBe(key);
  });

  it('refuses a malformed key file instead of replacing it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'secret.key'), 'not-a-key');
    const config = loadConfig({ DATABASE_URL: `sqlite:${dir}/db.sqlite` });
    expect(() => resolveEncryptionKey(config)).toThrow(/secret\.key: must be 32 bytes/);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).toBe('not-a-key');
  });
});

describe('SecretBox (AES-256-GCM, versioned)', () => {
  it('round-trips and never stores the plaintext', () => {
    const box = new SecretBox(generateEncryptionKey());
    const stored = box.encrypt('odoo-api-key-123');
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain('odoo-api-key-123');
    expect(box.decrypt(stored)).toBe('odoo-api-key-123');
    expect(box.encrypt('odoo-api-key-123')).not.toBe(stored);
  });

  it('refuses tampered values and the wrong key', () => {
    const box = new SecretBox(generateEncryptionKey());
    const stored = box.encrypt('secret');
    const parts = stored.split(':');
    const tampered = [...parts.slice(0, 3), Buffer.from('x' + Buffer.from(parts[3], 'base64').toString()).toString('base64')].join(':');
    expect(() => box.decrypt(tampered)).toThrow(/cannot be decrypted/);
    expect(() => new SecretBox(generateEncryptionKey()).decrypt(stored)).toThrow(/cannot be decrypted/);
    expect(() => box.decrypt('v2:a:b:c')).toThrow(/Unsupported secret format/);
  });

  it('refuses keys that are not 32 bytes of base64', () => {
    expect(() => new SecretBox(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => new SecretBox('not base64 at all!')).toThrow(/32 bytes/);
  });
});
