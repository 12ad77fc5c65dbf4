import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from './env.ts';
import { generateEncryptionKey, parseEncryptionKey } from '../shared/secrets.ts';

/**
 * The key comes from ENCRYPTION_KEY; in embedded mode, when absent, it is generated once into
 * `<dataDir>/secret.key` (mode 0600) and read back on later starts. A malformed file is refused, never replaced.
 */
export function resolveEncryptionKey(config: Config): string {
  if (config.encryptionKey) return config.encryptionKey;
  if (!config.dataDir) throw new ConfigError(['ENCRYPTION_KEY: required with PostgreSQL']);
  const file = join(config.dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    try {
      parseEncryptionKey(key);
    } catch (e) {
      throw new ConfigError([`${file}: ${(e as Error).message}; restore the original key file or set ENCRYPTION_KEY`]);
    }
    return key;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = generateEncryptionKey();
  writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
