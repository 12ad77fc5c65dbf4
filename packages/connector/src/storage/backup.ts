import BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { ValidationError } from '../shared/errors.ts';

/**
 * A consistent copy of a SQLite database while the connector keeps running (SQLite's online backup API: pages are
 * copied in steps, and writes made meanwhile are carried over).
 */
export async function backupSqlite(sourcePath: string, targetPath: string, onProgress?: (done: number, total: number) => void): Promise<{ pages: number }> {
  if (!existsSync(sourcePath)) throw new ValidationError(`No database at ${sourcePath}`);
  if (existsSync(targetPath)) throw new ValidationError(`${targetPath} already exists: choose a new file name`);
  const db = new BetterSqlite3(sourcePath, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const result = await db.backup(targetPath, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress?.(totalPages - remainingPages, totalPages);
        return 200;
      },
    });
    return { pages: result.totalPages };
  } finally {
    db.close();
  }
}
