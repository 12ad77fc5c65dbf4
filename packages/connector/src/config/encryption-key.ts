import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from './env.ts';
import { generateEncryptionKey, parseEncryptionKey } from '../shared/secrets.ts';
import { ensurePrivateDir, narrowToOwner } from '../shared/private-files.ts';

/**
 * The key comes from ENCRYPTION_KEY; in embedded mode, when absent, it is generated once into
 * `<dataDir>/secret.key` (mode 0600, its directory 0700 when created here) and read back on later starts (narrowed to
 * 0600 if it was wider). A malformed file is refused, never replaced.
 */
export function resolveEncryptionKey(config: Config): string {
  if (config.encryptionKey) return config.encryptionKey;
  if (!config.dataDir) throw new ConfigError(['ENCRYPTION_KEY: required with PostgreSQL']);
  const file = join(config.dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    narrowToOwner(file);
    try {
      parseEncryptionKey(key);
    } catch (e) {
      throw new ConfigError([`${file}: ${(e as Error).message}; restore the original key file or set ENCRYPTION_KEY`]);
    }
    return key;
  }
  ensurePrivateDir(config.dataDir);
  const key = generateEncryptionKey();
  writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
