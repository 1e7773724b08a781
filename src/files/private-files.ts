/**
 * ringlink's data files hold link targets, password and API-key hashes, click events and the
 * visitor salt: only the user ringlink runs as may read them. Files are created 0600, and an
 * existing one (made by an older version, or loosened by hand) is tightened again when ringlink
 * opens it. Directories ringlink creates (DATA_DIR, its spool directories) are 0700; a directory
 * that already exists keeps its mode, since it may be a mount point or deliberately shared, and
 * the files' own modes are what protect the data in it.
 */
import { chmodSync, closeSync, fchmodSync, fstatSync, mkdirSync, openSync, statSync } from "node:fs";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` and its missing parents as 0700; an existing directory is left as it is. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

const ownedByUs = (uid: number) => process.getuid === undefined || uid === process.getuid();

/** Creates `path` empty as 0600 if it is missing; makes an existing file of ours 0600. */
export function ensurePrivateFile(path: string): void {
  const fd = openSync(path, "a", PRIVATE_FILE_MODE);
  try {
    const st = fstatSync(fd);
    if ((st.mode & 0o077) !== 0 && ownedByUs(st.uid)) fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** Makes `path` 0600 if it exists and is ours (files another program creates beside ours, like SQLite's -wal). */
export function restrictIfPresent(path: string): void {
  try {
    const st = statSync(path);
    if ((st.mode & 0o077) !== 0 && ownedByUs(st.uid)) chmodSync(path, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
