import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.ts';
import { createContext, type AppContext } from '../src/app/context.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { backupSqlite } from '../src/storage/backup.ts';

/**
 * The embedded deployment's files hold every secret the connector has (encrypted credentials, the key that decrypts
 * them, session hashes): only the user running it may read them, whatever the umask. Directories it creates are
 * 0700, the database, its WAL and SHM, the key and backups 0600; its own files found wider are narrowed.
 */
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('file permissions of the embedded deployment', () => {
  let previousUmask: number;
  let ctx: AppContext | undefined;
  beforeEach(() => {
    // The usual umask, which left data/ 0755 and the files 0644.
    previousUmask = process.umask(0o022);
  });
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
    process.umask(previousUmask);
  });

  it('creates the data directory 0700 and the database, WAL, SHM, secret.key and backups 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'poleepo-odoo-modes-'));
    const dataDir = join(root, 'data');
    ctx = await createContext(loadConfig({ DATABASE_URL: `sqlite:${join(dataDir, 'poleepo-odoo.db')}`, LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger });
    await ctx.db.kysely.insertInto('kv').values({ key: 'k', value: 'v', updated_at: 1 }).execute();
    expect(modeOf(dataDir)).toBe('700');
    for (const file of ['poleepo-odoo.db', 'poleepo-odoo.db-wal', 'poleepo-odoo.db-shm', 'secret.key']) {
      expect(existsSync(join(dataDir, file)), file).toBe(true);
      expect(modeOf(join(dataDir, file)), file).toBe('600');
    }
    const backup = join(root, 'backup.db');
    await backupSqlite(join(dataDir, 'poleepo-odoo.db'), backup);
    expect(modeOf(backup)).toBe('600');
  });

  it('narrows the files of an existing deployment (0644) at start, and leaves a directory it did not create alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'poleepo-odoo-modes-'));
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    const first = await createContext(loadConfig({ DATABASE_URL: `sqlite:${join(dataDir, 'poleepo-odoo.db')}`, LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger });
    await first.close();
    for (const file of ['poleepo-odoo.db', 'secret.key']) chmodSync(join(dataDir, file), 0o644);
    writeFileSync(join(dataDir, 'poleepo-odoo.db-wal'), '');
    chmodSync(join(dataDir, 'poleepo-odoo.db-wal'), 0o644);
    ctx = await createContext(loadConfig({ DATABASE_URL: `sqlite:${join(dataDir, 'poleepo-odoo.db')}`, LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger });
    for (const file of ['poleepo-odoo.db', 'poleepo-odoo.db-wal', 'poleepo-odoo.db-shm', 'secret.key']) expect(modeOf(join(dataDir, file)), file).toBe('600');
    expect(modeOf(dataDir)).toBe('755');
  });
});
