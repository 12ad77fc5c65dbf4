import BetterSqlite3 from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { ValidationError } from '../shared/errors.ts';
import { ensurePrivateFile, narrowToOwner } from '../shared/private-files.ts';

/**
 * A consistent copy of a SQLite database while the connector keeps running (SQLite's online backup API: pages are
 * copied in steps, and writes made meanwhile are carried over).
 */
export async function backupSqlite(sourcePath: string, targetPath: string, onProgress?: (done: number, total: number) => void): Promise<{ pages: number }> {
  if (!existsSync(sourcePath)) throw new ValidationError(`No database at ${sourcePath}`);
  if (existsSync(targetPath)) throw new ValidationError(`${targetPath} already exists: choose a new file name`);
  // The copy holds what the database holds: created 0600 (empty, which SQLite takes as a new database).
  ensurePrivateFile(targetPath);
  const db = new BetterSqlite3(sourcePath, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const result = await db.backup(targetPath, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages - remainingPages, totalPages);
        return 200;
      },
    });
    narrowToOwner(targetPath);
    return { pages: result.totalPages };
  } catch (error) {
    // The file is ours (it did not exist): nothing half-made is left under the name the next attempt will want.
    rmSync(targetPath, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
