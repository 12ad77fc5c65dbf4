import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * The connector's own files hold secrets (the database with encrypted credentials and session hashes, the key that
 * decrypts them, backups): only the user running it may read them. Directories it creates are 0700, files 0600;
 * files it finds wider are narrowed (they are its own). A directory it did not create is left as it is (it may be
 * shared, like /tmp).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export function ensurePrivateDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates the file empty with mode 0600 when missing; narrows it to 0600 when it exists. */
export function ensurePrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  narrowToOwner(path);
}

/** chmod 0600 when the file exists and group or others have any right on it. */
export function narrowToOwner(path: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return;
  }
  if ((mode & 0o077) !== 0) chmodSync(path, PRIVATE_FILE_MODE);
}
