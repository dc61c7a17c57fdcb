/**
 * Whether an SQLite database file can be written where it lives, checked before `serve` opens
 * it. SQLite in WAL mode writes two files beside the database (`-wal`, `-shm`), so the
 * directory must take new files, and an existing database file must open for writing. Without
 * this check a read-only or full DATA_DIR shows up as "unable to open database file" or as
 * a failed migration, neither of which says what to fix.
 */
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export type WritableCheck = { ok: true } | { ok: false; path: string; reason: string };

/** `EROFS`, `EACCES`, `ENOSPC`…: the operating system's own word for why, never a stack. */
function reasonOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]!;
}

export function checkSqliteFileWritable(file: string): WritableCheck {
  const directory = path.dirname(path.resolve(file));
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    return { ok: false, path: directory, reason: reasonOf(error) };
  }
  // One page's worth (4 KiB, SQLite's default page size): a directory that cannot take that
  // cannot take the first write of the write-ahead log either.
  const probe = path.join(directory, `.gatehouse-write-check-${process.pid}`);
  try {
    const fd = openSync(probe, 'wx', 0o600);
    try {
      writeSync(fd, Buffer.alloc(4096));
    } finally {
      closeSync(fd);
      unlinkSync(probe);
    }
  } catch (error) {
    return { ok: false, path: directory, reason: reasonOf(error) };
  }
  try {
    closeSync(openSync(file, 'r+'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, path: path.resolve(file), reason: reasonOf(error) };
  }
  return { ok: true };
}
